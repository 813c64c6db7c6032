namespace Webex.TeamsConnector;

/// <summary>
/// What Graph tells about inactivity. Teams reports a signed-in user who stopped using the client as
/// <c>AvailableIdle</c> or <c>BusyIdle</c> (activity <c>Inactive</c>, or <c>AvailableInactive</c> in newer documents),
/// and after a few more minutes as plain <c>Away/Away</c>. That later <c>Away</c> carries nothing that tells it from
/// an <c>Away</c> the user chose, so an <c>Away</c> counts as inactivity only when the last presence seen before it
/// was an inactive one.
/// </summary>
internal static class InactivityRule
{
    /// <summary>Whether a presence says the user is inactive, given whether the one seen before it did.</summary>
    /// <param name="presence">The presence just seen.</param>
    /// <param name="previousInactive">Whether the presence seen before it counted as inactivity.</param>
    /// <returns><see langword="true"/> for an idle availability or activity, or an <c>Away</c> right after one.</returns>
    public static bool IsInactive(in TeamsPresence presence, bool previousInactive) =>
        SaysInactive(presence.Availability, presence.Activity) || AwayAfterInactivity(presence.State, previousInactive);

    /// <summary>Whether an <c>Away</c> counts as inactivity: only right after a presence that did.</summary>
    /// <param name="state">The Teams state.</param>
    /// <param name="previousInactive">Whether the presence seen before it counted as inactivity.</param>
    /// <returns><see langword="true"/> for an <c>Away</c> after inactivity.</returns>
    public static bool AwayAfterInactivity(TeamsState state, bool previousInactive) => previousInactive && state == TeamsState.Away;

    /// <summary>Whether an availability and activity say inactivity by themselves (an idle availability or activity).</summary>
    /// <param name="availability">The availability.</param>
    /// <param name="activity">The activity.</param>
    /// <returns><see langword="true"/> for <c>AvailableIdle</c>, <c>BusyIdle</c>, <c>Inactive</c> or <c>AvailableInactive</c>.</returns>
    public static bool SaysInactive(TeamsAvailability availability, TeamsActivity activity) =>
        availability is TeamsAvailability.AvailableIdle or TeamsAvailability.BusyIdle
        || activity is TeamsActivity.Inactive or TeamsActivity.AvailableInactive;

    /// <summary>The idle code mapped to a Teams state; none for inactivity when the rules ignore it.</summary>
    /// <param name="rules">The rules.</param>
    /// <param name="state">The Teams state.</param>
    /// <param name="inactive">Whether the presence counts as inactivity.</param>
    /// <returns>The idle code id, or <see langword="null"/> when Teams counts as free.</returns>
    public static string? CodeFor(SyncRules rules, TeamsState state, bool inactive) =>
        inactive && rules.IgnoreInactivity ? null : rules.Mapping.Resolve(state);
}
