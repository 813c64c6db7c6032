using System.Text.Json;

namespace Webex.TeamsConnector.ContactCenter;

/// <summary>
/// The channel of a contact event: WxCC names it <c>mediaType</c> (desktop notifications, in <c>data.interaction</c>
/// or <c>data</c>) or <c>channelType</c> (v2 webhooks, agent activities). Telephony (or voice) is the agent state the
/// connector syncs; chat, email and social are digital channels; anything else is an unknown channel.
/// </summary>
internal static class ContactChannels
{
    /// <summary>The media type or channel type of a message's data, or <see langword="null"/> when it names none.</summary>
    public static string? Of(JsonElement data)
    {
        if (data.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        if (data.TryGetProperty("interaction", out var interaction) && interaction.ValueKind == JsonValueKind.Object
            && String(interaction, "mediaType") is { } nested)
        {
            return nested;
        }

        return String(data, "mediaType") ?? String(data, "channelType");
    }

    /// <summary>Whether a channel is voice (<c>telephony</c> or <c>voice</c>).</summary>
    public static bool IsVoice(string channel) =>
        channel.Equals("telephony", StringComparison.OrdinalIgnoreCase) || channel.Equals("voice", StringComparison.OrdinalIgnoreCase);

    /// <summary>The digital channel a wire name means (<c>chat</c>, <c>email</c>, <c>social</c>), or <see langword="null"/>.</summary>
    public static ContactChannel? Parse(string channel) =>
        channel.Equals("chat", StringComparison.OrdinalIgnoreCase) ? ContactChannel.Chat
        : channel.Equals("email", StringComparison.OrdinalIgnoreCase) ? ContactChannel.Email
        : channel.Equals("social", StringComparison.OrdinalIgnoreCase) ? ContactChannel.Social
        : null;

    /// <summary>The contact's <c>interactionId</c> (in <c>data.interaction</c> or <c>data</c>), if any.</summary>
    public static string? InteractionId(JsonElement data) =>
        (data.TryGetProperty("interaction", out var interaction) && interaction.ValueKind == JsonValueKind.Object ? String(interaction, "interactionId") : null)
        ?? String(data, "interactionId");

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text ? text : null;
}
