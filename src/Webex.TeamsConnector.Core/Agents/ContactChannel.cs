namespace Webex.TeamsConnector;

/// <summary>The channel of a WxCC contact (<c>channelType</c> or <c>mediaType</c> on the wire).</summary>
public enum ContactChannel
{
    /// <summary>Voice (<c>telephony</c>): the agent state the rules sync.</summary>
    Telephony = 0,
    /// <summary>Chat.</summary>
    Chat,
    /// <summary>E-mail.</summary>
    Email,
    /// <summary>Social messaging.</summary>
    Social,
}
