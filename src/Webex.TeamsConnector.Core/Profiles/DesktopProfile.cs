namespace Webex.TeamsConnector;

/// <summary>
/// The collaboration toggles of a WxCC desktop (agent) profile: Microsoft Teams and Webex App, each with state
/// synchronization and show user details (<c>agent-profile</c> fields <c>stateSynchronizationMS</c>,
/// <c>showUserDetailsMS</c>, <c>stateSynchronizationWebex</c>, <c>showUserDetailsWebex</c>).
/// </summary>
/// <param name="Id">The desktop profile id.</param>
/// <param name="StateSynchronizationMS">Microsoft Teams state synchronization.</param>
/// <param name="ShowUserDetailsMS">Microsoft Teams show user details (expert search).</param>
/// <param name="StateSynchronizationWebex">Webex App state synchronization.</param>
/// <param name="ShowUserDetailsWebex">Webex App show user details.</param>
public sealed record DesktopProfile(
    string Id,
    bool StateSynchronizationMS = false,
    bool ShowUserDetailsMS = false,
    bool StateSynchronizationWebex = false,
    bool ShowUserDetailsWebex = false)
{
    /// <summary>The profile's name, for messages.</summary>
    public string? Name { get; init; }

    /// <summary>Whether any Microsoft Teams toggle is on.</summary>
    public bool AnyTeamsToggle => StateSynchronizationMS || ShowUserDetailsMS;

    /// <summary>Whether any Webex App toggle is on.</summary>
    public bool AnyWebexToggle => StateSynchronizationWebex || ShowUserDetailsWebex;

    /// <summary>
    /// Whether Microsoft Teams and Webex App toggles are on together, which the exclusivity rule forbids (a profile
    /// edited elsewhere can still arrive like this). Such a profile is neither synced nor allowed to search experts.
    /// </summary>
    public bool HasConflictingToggles => AnyTeamsToggle && AnyWebexToggle;
}

/// <summary>A toggle of a desktop profile.</summary>
public enum DesktopProfileToggle
{
    /// <summary>Microsoft Teams state synchronization.</summary>
    TeamsStateSynchronization = 0,
    /// <summary>Microsoft Teams show user details.</summary>
    TeamsShowUserDetails,
    /// <summary>Webex App state synchronization.</summary>
    WebexStateSynchronization,
    /// <summary>Webex App show user details.</summary>
    WebexShowUserDetails,
}

/// <summary>The result of changing a desktop-profile toggle.</summary>
/// <param name="Succeeded">Whether the change was allowed.</param>
/// <param name="Profile">The profile afterwards (unchanged when refused).</param>
/// <param name="Error">Why it was refused.</param>
public readonly record struct DesktopProfileChange(bool Succeeded, DesktopProfile Profile, string? Error);

/// <summary>
/// Desktop-profile rules: Microsoft Teams and Webex App toggles are exclusive (the other product's toggles must be
/// off before one is turned on); only agents whose profile has Teams state synchronization on are synced; only
/// those whose profile has Teams show user details on may search experts.
/// </summary>
internal static class DesktopProfileRules
{
    /// <summary>Whether agents of this profile are synced with Teams.</summary>
    /// <param name="profile">The profile, or <see langword="null"/> when unknown.</param>
    /// <returns>
    /// <see langword="true"/> when Teams state synchronization is on and no Webex App toggle is on (see
    /// <see cref="DesktopProfile.HasConflictingToggles"/>).
    /// </returns>
    public static bool MaySyncState(DesktopProfile? profile) => profile is { StateSynchronizationMS: true, HasConflictingToggles: false };

    /// <summary>Whether agents of this profile may search Teams experts.</summary>
    /// <param name="profile">The profile, or <see langword="null"/> when unknown.</param>
    /// <returns>
    /// <see langword="true"/> when Teams show user details is on and no Webex App toggle is on (see
    /// <see cref="DesktopProfile.HasConflictingToggles"/>).
    /// </returns>
    public static bool MaySearchExperts(DesktopProfile? profile) => profile is { ShowUserDetailsMS: true, HasConflictingToggles: false };

    /// <summary>Turns a toggle on or off, refusing to turn on a toggle of one product while the other's are on.</summary>
    /// <param name="profile">The profile.</param>
    /// <param name="toggle">The toggle.</param>
    /// <param name="on">The wanted value.</param>
    /// <returns>The result.</returns>
    public static DesktopProfileChange Set(DesktopProfile profile, DesktopProfileToggle toggle, bool on)
    {
        ArgumentNullException.ThrowIfNull(profile);
        var teams = toggle is DesktopProfileToggle.TeamsStateSynchronization or DesktopProfileToggle.TeamsShowUserDetails;
        if (on && teams && profile.AnyWebexToggle)
        {
            return Refuse(profile, toggle, "turn the Webex App toggles off first: Microsoft Teams and Webex App integration are exclusive");
        }

        if (on && !teams && profile.AnyTeamsToggle)
        {
            return Refuse(profile, toggle, "turn the Microsoft Teams toggles off first: Microsoft Teams and Webex App integration are exclusive");
        }

        var changed = toggle switch
        {
            DesktopProfileToggle.TeamsStateSynchronization => profile with { StateSynchronizationMS = on },
            DesktopProfileToggle.TeamsShowUserDetails => profile with { ShowUserDetailsMS = on },
            DesktopProfileToggle.WebexStateSynchronization => profile with { StateSynchronizationWebex = on },
            DesktopProfileToggle.WebexShowUserDetails => profile with { ShowUserDetailsWebex = on },
            _ => throw new ArgumentOutOfRangeException(nameof(toggle), toggle, "Unknown desktop-profile toggle."),
        };
        return new(true, changed, null);
    }

    private static DesktopProfileChange Refuse(DesktopProfile profile, DesktopProfileToggle toggle, string why) =>
        new(false, profile, $"Cannot turn on {toggle} in desktop profile {profile.Name ?? profile.Id}: {why}.");
}
