namespace Webex.TeamsConnector;

/// <summary>
/// A presence the connector may publish to Teams through Graph <c>setPresence</c>: the only pairs that
/// Graph accepts for an application session.
/// </summary>
public enum PublishedPresence
{
    /// <summary>Nothing is published.</summary>
    None = 0,
    /// <summary><c>Available/Available</c>.</summary>
    Available,
    /// <summary><c>Busy/InACall</c>: what the connector shows while the agent is on a contact.</summary>
    InACall,
    /// <summary><c>Busy/InAConferenceCall</c>.</summary>
    InAConferenceCall,
    /// <summary><c>Away/Away</c>.</summary>
    Away,
    /// <summary><c>DoNotDisturb/Presenting</c>.</summary>
    Presenting,
}

/// <summary>Wire names and parsing of <see cref="PublishedPresence"/>.</summary>
internal static class PublishedPresenceExtensions
{
    /// <summary>The Graph <c>availability</c> string of a published presence.</summary>
    /// <param name="presence">The presence.</param>
    /// <returns>The availability string, or an empty string for <see cref="PublishedPresence.None"/>.</returns>
    public static string Availability(this PublishedPresence presence) => presence switch
    {
        PublishedPresence.Available => "Available",
        PublishedPresence.InACall => "Busy",
        PublishedPresence.InAConferenceCall => "Busy",
        PublishedPresence.Away => "Away",
        PublishedPresence.Presenting => "DoNotDisturb",
        _ => string.Empty,
    };

    /// <summary>The Graph <c>activity</c> string of a published presence.</summary>
    /// <param name="presence">The presence.</param>
    /// <returns>The activity string, or an empty string for <see cref="PublishedPresence.None"/>.</returns>
    public static string Activity(this PublishedPresence presence) => presence switch
    {
        PublishedPresence.Available => "Available",
        PublishedPresence.InACall => "InACall",
        PublishedPresence.InAConferenceCall => "InAConferenceCall",
        PublishedPresence.Away => "Away",
        PublishedPresence.Presenting => "Presenting",
        _ => string.Empty,
    };

    /// <summary>Whether an observed Teams presence shows exactly this published pair.</summary>
    /// <param name="presence">The published pair.</param>
    /// <param name="observed">The presence read from Teams.</param>
    /// <returns><see langword="true"/> when availability and activity both match.</returns>
    public static bool Matches(this PublishedPresence presence, in TeamsPresence observed) =>
        presence.Matches(observed.Availability, observed.Activity);

    internal static bool Matches(this PublishedPresence presence, TeamsAvailability availability, TeamsActivity activity) => presence switch
    {
        PublishedPresence.Available => availability == TeamsAvailability.Available && activity == TeamsActivity.Available,
        PublishedPresence.InACall => availability == TeamsAvailability.Busy && activity == TeamsActivity.InACall,
        PublishedPresence.InAConferenceCall => availability == TeamsAvailability.Busy && activity == TeamsActivity.InAConferenceCall,
        PublishedPresence.Away => availability == TeamsAvailability.Away && activity == TeamsActivity.Away,
        PublishedPresence.Presenting => availability == TeamsAvailability.DoNotDisturb && activity == TeamsActivity.Presenting,
        _ => false,
    };

    /// <summary>
    /// Parses an <c>availability/activity</c> pair (for example <c>Busy/InACall</c>, case-insensitive) into one of
    /// the pairs that Graph <c>setPresence</c> accepts.
    /// </summary>
    /// <param name="availability">The availability string.</param>
    /// <param name="activity">The activity string.</param>
    /// <param name="presence">The parsed pair, or <see cref="PublishedPresence.None"/>.</param>
    /// <returns><see langword="true"/> when the pair is one that <c>setPresence</c> accepts.</returns>
    public static bool TryParse(string? availability, string? activity, out PublishedPresence presence)
    {
        var observed = TeamsPresence.Parse(availability, activity);
        foreach (var candidate in All)
        {
            if (candidate.Matches(observed))
            {
                presence = candidate;
                return true;
            }
        }

        presence = PublishedPresence.None;
        return false;
    }

    /// <summary>
    /// Parses the form <c>Availability/Activity</c> (for example <c>Busy/InACall</c>), as used in configuration.
    /// </summary>
    /// <param name="pair">The text.</param>
    /// <param name="presence">The parsed pair, or <see cref="PublishedPresence.None"/>.</param>
    /// <returns><see langword="true"/> when the text names a pair that <c>setPresence</c> accepts.</returns>
    public static bool TryParse(string? pair, out PublishedPresence presence)
    {
        presence = PublishedPresence.None;
        if (string.IsNullOrWhiteSpace(pair))
        {
            return false;
        }

        var slash = pair.IndexOf('/', StringComparison.Ordinal);
        return slash > 0 && TryParse(pair[..slash].Trim(), pair[(slash + 1)..].Trim(), out presence);
    }

    /// <summary>The publishable pairs, in declaration order.</summary>
    internal static ReadOnlySpan<PublishedPresence> All =>
    [
        PublishedPresence.Available,
        PublishedPresence.InACall,
        PublishedPresence.InAConferenceCall,
        PublishedPresence.Away,
        PublishedPresence.Presenting,
    ];

    /// <summary>Formats a pair as <c>Availability/Activity</c>.</summary>
    /// <param name="presence">The presence.</param>
    /// <returns>The text, or <c>None</c>.</returns>
    public static string ToPairString(this PublishedPresence presence) => presence switch
    {
        PublishedPresence.Available => "Available/Available",
        PublishedPresence.InACall => "Busy/InACall",
        PublishedPresence.InAConferenceCall => "Busy/InAConferenceCall",
        PublishedPresence.Away => "Away/Away",
        PublishedPresence.Presenting => "DoNotDisturb/Presenting",
        _ => "None",
    };
}
