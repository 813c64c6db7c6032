using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;

namespace Webex.TeamsConnector.Testing;

/// <summary>Agent events: built from the model and sent to the websockets and the webhook subscriptions.</summary>
public sealed partial class ContactCenterEmulator
{
    private enum EventKind
    {
        State = 0,
        Login,
        Logout,
        Contact,
    }

    private void PublishLocked(AgentRecord agent, EventKind kind, string innerType, string? trackingId)
    {
        var pending = BuildEvent(agent, kind, innerType, trackingId);
        if (Faults.TakeDropEvent())
        {
            return;
        }

        if (Faults.ReorderEvents)
        {
            if (_heldBack is null)
            {
                _heldBack = pending;
                return;
            }

            EmitLocked(pending);
            EmitLocked(_heldBack);
            _heldBack = null;
            return;
        }

        if (_heldBack is { } held)
        {
            _heldBack = null;
            EmitLocked(held);
        }

        EmitLocked(pending);
        if (Faults.DuplicateEvents)
        {
            EmitLocked(pending);
        }
    }

    private PendingEvent BuildEvent(AgentRecord agent, EventKind kind, string innerType, string? trackingId)
    {
        var state = agent.State;
        var tracking = trackingId ?? "emulator_" + Guid.NewGuid().ToString("N");
        var data = new JsonObject
        {
            ["eventType"] = "AgentDesktopMessage",
            ["type"] = innerType,
            ["agentId"] = agent.AgentId,
            ["agentSessionId"] = agent.SessionId,
            ["trackingId"] = tracking,
            ["status"] = state.Kind == AgentStateKind.LoggedOut ? "LoggedOut" : "LoggedIn",
            ["subStatus"] = StateName(state),
            ["auxCodeId"] = state.Kind switch
            {
                AgentStateKind.Idle => state.IdleCodeId,
                AgentStateKind.Available => "0",
                _ => null,
            },
            ["lastStateChangeTimestamp"] = agent.LastChangeMs,
            ["lastIdleCodeChangeTimestamp"] = agent.LastChangeMs,
            ["lastStateChangeReason"] = agent.Reason,
            ["changedBy"] = agent.ChangedById is null ? null : "supervisor",
            ["changedById"] = agent.ChangedById,
            ["changedByName"] = agent.ChangedById,
            ["interactionId"] = agent.ContactId,
            ["eventTime"] = agent.LastChangeMs,
        };
        var outer = kind switch
        {
            EventKind.State => "AgentStateChange",
            EventKind.Contact => "RoutingMessage",
            _ => "AgentDesktopMessage",
        };
        var message = new JsonObject
        {
            ["type"] = outer,
            ["orgId"] = OrgId,
            ["trackingId"] = tracking,
            ["data"] = data,
        };
        var code = state.Kind == AgentStateKind.Idle ? _codes.FirstOrDefault(c => c.Id == state.IdleCodeId) : null;
        return new PendingEvent(
            Guid.NewGuid().ToString(),
            kind,
            Encoding.UTF8.GetBytes(message.ToJsonString()),
            agent.AgentId,
            StateName(state),
            state.IdleCodeId ?? (state.Kind == AgentStateKind.Available ? "0" : null),
            code?.Name,
            agent.Reason,
            agent.ChangedById,
            agent.LastChangeMs,
            tracking);
    }

    private void EmitLocked(PendingEvent pending)
    {
        foreach (var socket in _sockets)
        {
            if (Carries(socket, pending.AgentId))
            {
                socket.Outgoing.Writer.TryWrite(pending.WebSocketMessage);
            }
        }

        foreach (var subscription in _subscriptions.Values)
        {
            if (!subscription.Active)
            {
                continue;
            }

            var v2 = subscription.ResourceVersion.StartsWith("agent:2", StringComparison.OrdinalIgnoreCase);
            var type = pending.Kind switch
            {
                EventKind.Login => "agent:login",
                EventKind.Logout => "agent:logout",
                _ => v2 ? "agent:channel_state_change" : "agent:state_change",
            };
            if (!subscription.EventTypes.Contains(type, StringComparer.OrdinalIgnoreCase)
                && !(type == "agent:channel_state_change" && subscription.EventTypes.Contains("agent:state_change", StringComparer.OrdinalIgnoreCase)))
            {
                continue;
            }

            var data = new JsonObject
            {
                ["agentId"] = pending.AgentId,
                ["orgId"] = OrgId,
                ["currentState"] = v2 ? pending.State : pending.State.ToLowerInvariant(),
                ["idleCodeId"] = pending.IdleCodeId,
                ["idleCodeName"] = pending.IdleCodeName,
                ["lastStateChangeReason"] = pending.Reason,
                ["changedById"] = pending.ChangedById,
                ["channelType"] = "telephony",
                ["createdTime"] = pending.TimestampMs,
                ["trackingId"] = pending.TrackingId,
            };
            if (v2)
            {
                data["teamId"] = null;
            }

            var sentAt = NowMs();
            var envelope = new JsonObject
            {
                ["id"] = pending.Id,
                ["specversion"] = "1.0",
                ["type"] = type,
                ["source"] = "/com/cisco/wxcc/" + subscription.Id,
                ["comciscoorgid"] = OrgId,
                ["comciscotimestamp"] = sentAt,
                ["datacontenttype"] = "application/json",
                ["data"] = data,
            };
            var body = Encoding.UTF8.GetBytes(envelope.ToJsonString());
            string signature;
            string? timestamp = null;
            if (v2)
            {
                timestamp = Invariant(sentAt);
                var signed = Encoding.UTF8.GetBytes(timestamp + ".").Concat(body).ToArray();
                signature = Sign(subscription.Secret, signed);
            }
            else
            {
                signature = Sign(subscription.Secret, body);
            }

            subscription.Queue.Writer.TryWrite(new Delivery(body, signature, timestamp));
        }
    }

    private sealed record PendingEvent(
        string Id,
        EventKind Kind,
        byte[] WebSocketMessage,
        string AgentId,
        string State,
        string? IdleCodeId,
        string? IdleCodeName,
        string? Reason,
        string? ChangedById,
        long TimestampMs,
        string TrackingId);
}
