using System.Text.Json;

namespace Webex.TeamsConnector.ContactCenter;

/// <summary>What a WxCC message turned out to be.</summary>
internal enum ParsedKind
{
    /// <summary>An agent event for the engine.</summary>
    Agent = 0,
    /// <summary><c>AgentStateChangeFailed</c>: a write accepted earlier was refused.</summary>
    StateChangeFailed,
    /// <summary>The websocket's <c>Welcome</c>.</summary>
    Welcome,
    /// <summary>Understood and of no interest (keepalive acknowledgements, other event types).</summary>
    Ignored,
    /// <summary>Malformed or missing what the event needs.</summary>
    Rejected,
}

/// <summary>The result of parsing one WxCC message.</summary>
internal readonly record struct ParsedMessage(ParsedKind Kind, AgentFeedEvent Event = default, string? AgentId = null, string? TrackingId = null, string? Detail = null, bool UnknownChannel = false)
{
    public static ParsedMessage Ignore(string detail) => new(ParsedKind.Ignored, Detail: detail);

    public static ParsedMessage Reject(string detail) => new(ParsedKind.Rejected, Detail: detail);
}

/// <summary>
/// Turns WxCC agent messages (notification websocket, webhook deliveries in the v1 and v2 shapes, agent activities)
/// into engine events. Never throws on bad input: it answers <see cref="ParsedKind.Rejected"/> with the reason.
/// </summary>
internal static partial class AgentEventParser
{
    /// <summary>Parses a websocket message (<c>{"type","orgId","trackingId","data":{"type",...}}</c>).</summary>
    public static ParsedMessage FromNotification(ReadOnlySpan<byte> json, string? ronaCodeId, DateTimeOffset receivedAt)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json.ToArray());
        }
        catch (JsonException)
        {
            return ParsedMessage.Reject("not JSON");
        }

        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return ParsedMessage.Reject("not a JSON object");
            }

            var outer = Str(root, "type");
            var data = root.TryGetProperty("data", out var d) && d.ValueKind == JsonValueKind.Object ? d : default;
            if (string.Equals(outer, "Welcome", StringComparison.OrdinalIgnoreCase))
            {
                return new ParsedMessage(ParsedKind.Welcome, AgentId: Str(data, "agentId"));
            }

            if (data.ValueKind != JsonValueKind.Object)
            {
                return outer is null || outer.Contains("keepalive", StringComparison.OrdinalIgnoreCase)
                    ? ParsedMessage.Ignore("keepalive")
                    : ParsedMessage.Ignore("message without data: " + Clip(outer));
            }

            var inner = Str(data, "type") ?? outer ?? string.Empty;
            var trackingId = Str(root, "trackingId") ?? Str(data, "trackingId");
            var agentId = Str(data, "agentId");
            if (string.Equals(inner, "AgentStateChangeFailed", StringComparison.OrdinalIgnoreCase))
            {
                return new ParsedMessage(ParsedKind.StateChangeFailed, AgentId: agentId, TrackingId: trackingId, Detail: Str(data, "reason") ?? Str(data, "reasonCode"));
            }

            var kind = Classify(inner);
            if (kind == EventType.Other)
            {
                return ParsedMessage.Ignore("event type " + Clip(inner));
            }

            if (string.IsNullOrWhiteSpace(agentId) || agentId.Length > 128)
            {
                return ParsedMessage.Reject($"{Clip(inner)} without a valid agentId");
            }

            var timestamp = Time(data, receivedAt, "lastStateChangeTimestamp", "eventTime", "timestamp", "createdTime");

            // A contact on a digital channel is tracked apart from the voice state the connector syncs; an unknown
            // channel is rejected.
            if (kind is EventType.Offer or EventType.Assigned or EventType.Wrapup or EventType.Rona or EventType.Ended
                && ContactChannels.Of(data) is { } media && !ContactChannels.IsVoice(media))
            {
                return DigitalContact(inner, kind, media, ContactChannels.InteractionId(data), agentId, trackingId, timestamp, receivedAt);
            }

            var reason = Str(data, "lastStateChangeReason");
            var changedBy = Str(data, "changedById");
            var stateName = Str(data, "subStatus") ?? Str(data, "currentState") ?? Str(data, "agentState") ?? Str(data, "state");
            var code = Str(data, "auxCodeId") ?? Str(data, "idleCodeId") ?? Str(data, "idleCode");
            AgentEvent? agentEvent = kind switch
            {
                EventType.StateChange => ResolveState(stateName, code) is { } s
                    ? s.Kind == AgentStateKind.LoggedOut ? AgentEvent.LoggedOut(timestamp) : AgentEvent.StateChanged(s, timestamp, reason, changedBy)
                    : null,
                EventType.Login => AgentEvent.LoggedIn(ResolveState(stateName, code) ?? AgentState.From(AgentStateKind.Idle, code), timestamp),
                EventType.Logout => AgentEvent.LoggedOut(timestamp),
                EventType.Offer => AgentEvent.StateChanged(AgentState.Reserved, timestamp, reason, changedBy),
                EventType.Assigned => AgentEvent.StateChanged(AgentState.Engaged, timestamp, reason, changedBy),
                EventType.Wrapup => AgentEvent.StateChanged(AgentState.WrapUp, timestamp, reason, changedBy),
                EventType.Rona => (code is { Length: > 0 } && code != AgentState.AvailableCodeId ? code : ronaCodeId) is { Length: > 0 } rona
                    ? AgentEvent.StateChanged(AgentState.Idle(rona), timestamp, reason, changedBy)
                    : null,
                EventType.Ended => ResolveState(stateName, code) is { } s && s.Kind != AgentStateKind.LoggedOut
                    ? AgentEvent.StateChanged(s, timestamp, reason, changedBy)
                    : null,
                _ => null,
            };

            if (agentEvent is null)
            {
                return kind == EventType.Ended
                    ? ParsedMessage.Ignore($"{Clip(inner)} without the resulting state")
                    : ParsedMessage.Reject($"{Clip(inner)} without a state that can be understood");
            }

            return new ParsedMessage(ParsedKind.Agent, new AgentFeedEvent(agentId, agentEvent.Value, trackingId, receivedAt), agentId, trackingId);
        }
    }

    /// <summary>Parses the envelope of a webhook delivery (v1 <c>agent:state_change</c> or v2 <c>agent:channel_state_change</c>).</summary>
    public static ParsedMessage FromWebhook(JsonElement root, DateTimeOffset receivedAt)
    {
        var type = Str(root, "type") ?? string.Empty;
        var data = root.TryGetProperty("data", out var d) && d.ValueKind == JsonValueKind.Object ? d : default;
        var kind = type.ToUpperInvariant() switch
        {
            "AGENT:STATE_CHANGE" or "AGENT:CHANNEL_STATE_CHANGE" or "AGENT:STATECHANGE" => EventType.StateChange,
            "AGENT:LOGIN" => EventType.Login,
            "AGENT:LOGOUT" => EventType.Logout,
            _ => EventType.Other,
        };
        if (kind == EventType.Other)
        {
            return ParsedMessage.Ignore("event type " + Clip(type));
        }

        if (data.ValueKind != JsonValueKind.Object)
        {
            return ParsedMessage.Reject(Clip(type) + " without data");
        }

        var agentId = Str(data, "agentId");
        if (string.IsNullOrWhiteSpace(agentId) || agentId.Length > 128)
        {
            return ParsedMessage.Reject(Clip(type) + " without a valid agentId");
        }

        var envelopeTime = Time(root, receivedAt, "comciscotimestamp");
        var timestamp = Time(data, envelopeTime, "lastStateChangeTimestamp", "createdTime", "timestamp", "eventTime");
        var stateName = Str(data, "currentState") ?? Str(data, "subStatus") ?? Str(data, "state");
        var code = Str(data, "idleCodeId") ?? Str(data, "auxCodeId") ?? Str(data, "idleCode");

        // v2 reports each channel's state: only the voice channel is the state the connector syncs. A digital channel's
        // state is tracked apart (one contact per channel: busy while Reserved, Engaged or WrapUp). No channelType: an
        // agent-wide event (v1).
        if (kind == EventType.StateChange && Str(data, "channelType") is { } channel && !IsVoiceChannel(channel))
        {
            return ChannelState(type, channel, stateName, code, agentId, Str(data, "trackingId") ?? Str(root, "trackingId"), timestamp, receivedAt);
        }
        var reason = Str(data, "lastStateChangeReason") ?? Str(data, "reason");
        var changedBy = Str(data, "changedById");
        var trackingId = Str(data, "trackingId") ?? Str(root, "trackingId");
        AgentEvent? agentEvent = kind switch
        {
            EventType.Logout => AgentEvent.LoggedOut(timestamp),
            EventType.Login => AgentEvent.LoggedIn(ResolveState(stateName, code) ?? AgentState.From(AgentStateKind.Idle, code), timestamp),
            _ => ResolveState(stateName, code) is { } s
                ? s.Kind == AgentStateKind.LoggedOut ? AgentEvent.LoggedOut(timestamp) : AgentEvent.StateChanged(s, timestamp, reason, changedBy)
                : null,
        };
        return agentEvent is null
            ? ParsedMessage.Reject($"{Clip(type)} with an unknown state '{Clip(stateName)}'")
            : new ParsedMessage(ParsedKind.Agent, new AgentFeedEvent(agentId, agentEvent.Value, trackingId, receivedAt), agentId, trackingId);
    }

    private static bool IsVoiceChannel(string channel) =>
        channel.Equals("telephony", StringComparison.OrdinalIgnoreCase) || channel.Equals("voice", StringComparison.OrdinalIgnoreCase);

    /// <summary>An agent's current state from one <c>/v1/agents/activities</c> record, or <see langword="null"/> when not current.</summary>
    public static AgentFeedEvent? FromActivity(JsonElement record, DateTimeOffset receivedAt)
    {
        var agentId = Str(record, "agentId");
        if (string.IsNullOrWhiteSpace(agentId))
        {
            return null;
        }

        if (Str(record, "channelType") is { } channel && !IsVoiceChannel(channel))
        {
            // A digital channel's activity is not the agent's voice state.
            return null;
        }

        var active = record.TryGetProperty("active", out var a) && a.ValueKind == JsonValueKind.True;
        var ended = record.TryGetProperty("endTime", out var end) && end.TryGetInt64(out var endMs) && endMs > 0;
        if (!active && ended)
        {
            return null;
        }

        var state = ResolveState(Str(record, "currentState"), Str(record, "idleCode") ?? Str(record, "idleCodeId"));
        if (state is not { } s)
        {
            return null;
        }

        var startTime = Time(record, receivedAt, "startTime");
        var agentEvent = s.Kind == AgentStateKind.LoggedOut
            ? AgentEvent.Reconciled(AgentState.LoggedOut, startTime)
            : AgentEvent.Reconciled(s, startTime, Str(record, "reason"), Str(record, "changedById"));
        return new AgentFeedEvent(agentId, agentEvent, null, receivedAt);
    }

    /// <summary>The state a wire state name and idle code mean; <see langword="null"/> when the name is unknown.</summary>
    public static AgentState? ResolveState(string? stateName, string? idleCodeId)
    {
        if (string.IsNullOrWhiteSpace(stateName))
        {
            return null;
        }

        var name = stateName.Replace("_", string.Empty, StringComparison.Ordinal).Replace("-", string.Empty, StringComparison.Ordinal).Trim().ToUpperInvariant();
        return name switch
        {
            "AVAILABLE" => AgentState.Available,
            "IDLE" => string.IsNullOrEmpty(idleCodeId) || idleCodeId == AgentState.AvailableCodeId ? AgentState.Available : AgentState.Idle(idleCodeId),
            "RESERVED" or "RINGING" or "OFFERED" => AgentState.Reserved,
            "ENGAGED" or "ENGAGEDOTHER" or "CONNECTED" or "CONSULTING" or "CONFERENCING" or "HOLD" => AgentState.Engaged,
            "WRAPUP" or "WRAPPINGUP" => AgentState.WrapUp,
            "LOGGEDOUT" or "LOGOUT" or "OFFLINE" => AgentState.LoggedOut,
            _ => null,
        };
    }

    private enum EventType
    {
        Other = 0,
        StateChange,
        Login,
        Logout,
        Offer,
        Assigned,
        Wrapup,
        Rona,
        Ended,
    }

    private static EventType Classify(string inner) => inner switch
    {
        "AgentStateChangeSuccess" or "AgentStateChange" => EventType.StateChange,
        "AgentStationLoginSuccess" or "AgentReloginSuccess" or "AgentLoginSuccess" => EventType.Login,
        "AgentLogoutSuccess" => EventType.Logout,
        "AgentOfferContact" or "AgentOfferConsult" => EventType.Offer,
        "AgentContactAssigned" or "AgentConsultContactAssigned" => EventType.Assigned,
        "AgentWrapup" => EventType.Wrapup,
        "AgentOfferContactRona" => EventType.Rona,
        "AgentWrappedUp" or "AgentContactEnded" or "ContactEnded" => EventType.Ended,
        _ => EventType.Other,
    };

    private static DateTimeOffset Time(JsonElement element, DateTimeOffset fallback, params ReadOnlySpan<string> names)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            return fallback;
        }

        foreach (var name in names)
        {
            if (element.TryGetProperty(name, out var value))
            {
                long ms;
                if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out ms)
                    || value.ValueKind == JsonValueKind.String && long.TryParse(value.GetString(), System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out ms))
                {
                    if (ms > 0 && ms < 253_402_300_799_999)
                    {
                        return DateTimeOffset.FromUnixTimeMilliseconds(ms);
                    }
                }
            }
        }

        return fallback;
    }

    private static string? Str(JsonElement element, string name) => ContactCenterDirectory.Str(element, name);

    private static string Clip(string? text) => text is null ? string.Empty : text.Length > 64 ? text[..64] : text;
}
