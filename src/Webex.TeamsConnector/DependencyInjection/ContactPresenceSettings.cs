namespace Webex.TeamsConnector;

/// <summary>
/// Reads <c>StateSync:ContactPresence:&lt;channel&gt;</c>: the presence Teams shows per contact channel. Each value is a
/// pair <c>setPresence</c> accepts or <c>None</c>; channels are <c>Telephony</c> (or <c>Voice</c>), <c>Chat</c>,
/// <c>Email</c> and <c>Social</c>.
/// </summary>
internal static class ContactPresenceSettings
{
    private const string Pairs = "None or one of Available/Available, Busy/InACall, Busy/InAConferenceCall, Away/Away, DoNotDisturb/Presenting";

    /// <summary>The presences per channel; <see cref="Channels.Telephony"/> is <see langword="null"/> when not given.</summary>
    public static Channels Parse(IReadOnlyDictionary<string, string>? settings, List<string> errors)
    {
        var result = new Channels(null, PublishedPresence.None, PublishedPresence.None, PublishedPresence.None);
        foreach (var (channel, value) in settings ?? new Dictionary<string, string>())
        {
            var key = $"TeamsConnector:StateSync:ContactPresence:{Safe(channel)}";
            var presence = PublishedPresence.None;
            if (!string.Equals(value?.Trim(), "None", StringComparison.OrdinalIgnoreCase) && !PublishedPresenceExtensions.TryParse(value, out presence))
            {
                errors.Add($"{key} must be {Pairs}.");
                continue;
            }

            switch (channel?.Trim().ToUpperInvariant())
            {
                case "TELEPHONY" or "VOICE":
                    result = result with { Telephony = presence };
                    break;
                case "CHAT":
                    result = result with { Chat = presence };
                    break;
                case "EMAIL":
                    result = result with { Email = presence };
                    break;
                case "SOCIAL":
                    result = result with { Social = presence };
                    break;
                default:
                    errors.Add($"{key} is not a contact channel (Telephony, Chat, Email, Social).");
                    break;
            }
        }

        return result;
    }

    private static string Safe(string? key) => key is null ? "(null)" : key.Length <= 64 ? key : key[..64] + "...";

    /// <summary>The presence per channel.</summary>
    public readonly record struct Channels(PublishedPresence? Telephony, PublishedPresence Chat, PublishedPresence Email, PublishedPresence Social);
}
