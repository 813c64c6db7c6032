using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Webex.TeamsConnector.Testing;

/// <summary>Agent state writes: <c>PUT /v1/agents/session/state</c>.</summary>
public sealed partial class ContactCenterEmulator
{
    private async Task<(int, JsonNode?)> StateAsync(HttpContext context)
    {
        var trackingId = context.Request.Headers["TrackingId"].ToString();
        JsonElement root;
        try
        {
            using var doc = await JsonDocument.ParseAsync(context.Request.Body, default, context.RequestAborted).ConfigureAwait(false);
            root = doc.RootElement.Clone();
        }
        catch (JsonException)
        {
            return Record(null, null, null, null, 400, "body is not JSON");
        }

        var agentId = Text(root, "agentId");
        var state = Text(root, "state");
        var code = Text(root, "auxCodeId");
        var reason = Text(root, "lastStateChangeReason");
        string? problem = null;
        if (root.ValueKind != JsonValueKind.Object)
        {
            problem = "body is not a JSON object";
        }
        else if (ContactCenterRequestBodyRules.Undocumented(root, ContactCenterRequestBodyRules.AgentState, "agent state") is { } undocumented)
        {
            problem = undocumented;
        }
        else if (string.IsNullOrEmpty(agentId) || agentId.Length > 36)
        {
            problem = "agentId is required (at most 36 characters)";
        }
        else if (state is not ("Available" or "Idle"))
        {
            problem = "state must be Available or Idle";
        }
        else if (string.IsNullOrEmpty(code) || code.Length > 36)
        {
            problem = "auxCodeId is required (at most 36 characters)";
        }
        else if (reason is { Length: > 128 })
        {
            problem = "lastStateChangeReason is at most 128 characters";
        }
        else if (state == "Available" != (code == "0"))
        {
            problem = "auxCodeId must be \"0\" exactly when state is Available";
        }

        lock (_gate)
        {
            if (problem is null && !_agents.ContainsKey(agentId!))
            {
                problem = "no such agent";
            }

            if (problem is null && state == "Idle")
            {
                var found = _codes.FirstOrDefault(c => c.Id == code);
                problem = found is null ? "no such idle code"
                    : !found.Active ? "the idle code is not active"
                    : !found.Idle ? "the code is not an idle code"
                    : found.IsSystem ? "a system idle code cannot be set"
                    : null;
            }

            if (problem is not null)
            {
                return Record(agentId, state, code, reason, 400, problem, trackingId);
            }

            var agent = _agents[agentId!];
            string? failure = null;
            if (agent.State.Kind == AgentStateKind.LoggedOut)
            {
                failure = "agent is not logged in";
            }
            else if (agent.State.IsOnContact)
            {
                failure = "agent is on a contact";
            }
            else if (Faults.TakeFailStateChange())
            {
                failure = "state change failed (fault)";
            }

            _writes.Add(new EmulatedStateWrite(agentId, state, code, reason, trackingId, 202, _time.GetUtcNow()));
            if (failure is not null)
            {
                var message = new JsonObject
                {
                    ["type"] = "AgentStateChange",
                    ["orgId"] = OrgId,
                    ["trackingId"] = trackingId,
                    ["data"] = new JsonObject
                    {
                        ["eventType"] = "AgentDesktopMessage",
                        ["type"] = "AgentStateChangeFailed",
                        ["agentId"] = agentId,
                        ["trackingId"] = trackingId,
                        ["reasonCode"] = 1001,
                        ["reason"] = failure,
                    },
                };
                var bytes = System.Text.Encoding.UTF8.GetBytes(message.ToJsonString());
                // The failure answers the writer's request: the token user's websocket gets it, as does the agent's.
                foreach (var socket in _sockets.Where(s => Carries(s, agentId) || s.UserId == _options.ApiUserId))
                {
                    socket.Outgoing.Writer.TryWrite(bytes);
                }

                return (202, null);
            }

            ApplyLocked(agent, state == "Available" ? AgentState.Available : AgentState.Idle(code!), reason, _options.ApiUserId);
            PublishLocked(agent, EventKind.State, "AgentStateChangeSuccess", string.IsNullOrEmpty(trackingId) ? null : trackingId);
        }

        return (202, null);
    }

    private (int, JsonNode?) Record(string? agentId, string? state, string? code, string? reason, int status, string problem, string? trackingId = null)
    {
        lock (_gate)
        {
            _writes.Add(new EmulatedStateWrite(agentId, state, code, reason, trackingId, status, _time.GetUtcNow()));
        }

        return (status, Error(problem));
    }
}
