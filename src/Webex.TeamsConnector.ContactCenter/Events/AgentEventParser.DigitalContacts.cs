namespace Webex.TeamsConnector.ContactCenter;

/// <summary>Digital contacts (chat, email, social) on the websocket and in v2 per-channel webhooks.</summary>
internal static partial class AgentEventParser
{
    /// <summary>A websocket contact event of a digital channel, or a rejection for an unknown channel or no contact id.</summary>
    private static ParsedMessage DigitalContact(string inner, EventType kind, string media, string? contactId, string agentId, string? trackingId, DateTimeOffset timestamp, DateTimeOffset receivedAt)
    {
        if (ContactChannels.Parse(media) is not { } channel)
        {
            return ParsedMessage.Reject($"{Clip(inner)} on the unknown channel '{Clip(media)}'");
        }

        if (contactId is not { Length: > 0 and <= 128 })
        {
            return ParsedMessage.Reject($"{Clip(inner)} of the {Clip(media)} channel without a valid interactionId");
        }

        var state = kind switch
        {
            EventType.Offer => AgentState.Reserved,
            EventType.Assigned => AgentState.Engaged,
            EventType.Wrapup => AgentState.WrapUp,
            _ => AgentState.Available,
        };
        var contactEvent = AgentEvent.DigitalContactChanged(channel, contactId, state, timestamp);
        return new ParsedMessage(ParsedKind.Agent, new AgentFeedEvent(agentId, contactEvent, trackingId, receivedAt), agentId, trackingId);
    }

    /// <summary>A v2 per-channel state of a digital channel, as one contact per channel; an unknown channel or state is ignored.</summary>
    private static ParsedMessage ChannelState(string type, string channelName, string? stateName, string? code, string agentId, string? trackingId, DateTimeOffset timestamp, DateTimeOffset receivedAt)
    {
        if (ContactChannels.Parse(channelName) is not { } channel)
        {
            // Ignored, not rejected: a 4xx answer would make WxCC retry a delivery that is valid.
            return new ParsedMessage(ParsedKind.Ignored, AgentId: agentId, TrackingId: trackingId, Detail: $"{Clip(type)} on the unknown channel '{Clip(channelName)}'", UnknownChannel: true);
        }

        var state = ResolveState(stateName, code);
        if (state is not { } s)
        {
            return ParsedMessage.Ignore($"{Clip(type)} of the {Clip(channelName)} channel with an unknown state '{Clip(stateName)}'");
        }

        // The channel is busy while a contact is offered, engaged or in wrap-up; any other state means none is open.
        var contact = s.Kind is AgentStateKind.Reserved or AgentStateKind.Engaged or AgentStateKind.WrapUp ? s : AgentState.Available;
        var contactEvent = AgentEvent.DigitalContactChanged(channel, ChannelContactId, contact, timestamp);
        return new ParsedMessage(ParsedKind.Agent, new AgentFeedEvent(agentId, contactEvent, trackingId, receivedAt), agentId, trackingId);
    }

    /// <summary>The contact id that stands for a whole digital channel in the v2 per-channel webhooks.</summary>
    internal const string ChannelContactId = "channel";
}
