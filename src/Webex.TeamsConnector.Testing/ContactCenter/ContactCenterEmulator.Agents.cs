using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Webex.TeamsConnector.Testing;

/// <summary>Agents and their activities: the people surface (sign-in, state, contacts, RONA, wrap-up) and <c>GET /v1/agents/activities</c>.</summary>
public sealed partial class ContactCenterEmulator
{
    private const long DayMs = 24 * 60 * 60 * 1000;

    /// <summary>The most records one <c>GET /v1/agents/activities</c> answers (also its <c>pageSize</c> when none is given).</summary>
    private const int MaxActivityRecords = 10_000;

    /// <summary>Adds a contact-center user (an agent), signed out.</summary>
    /// <param name="agentId">The agent id (<c>ciUserId</c>); generated when <see langword="null"/>.</param>
    /// <param name="email">The e-mail address.</param>
    /// <param name="desktopProfileId">The desktop profile.</param>
    /// <param name="contactCenterEnabled">Whether the user is a contact-center user.</param>
    /// <returns>The agent id.</returns>
    public string AddAgent(string? agentId = null, string? email = null, string? desktopProfileId = null, bool contactCenterEnabled = true)
    {
        lock (_gate)
        {
            agentId ??= Guid.NewGuid().ToString();
            if (_agents.ContainsKey(agentId))
            {
                throw new ArgumentException($"Agent {agentId} already exists.", nameof(agentId));
            }

            var agent = new AgentRecord(agentId, Guid.NewGuid().ToString(), email ?? agentId + "@example.com", desktopProfileId, contactCenterEnabled, NowMs());
            _agents.Add(agentId, agent);
            agent.Activities.Add(new ActivityRecord("LoggedOut", null, null, agent.LastChangeMs));
        }

        Changed();
        return agentId;
    }

    /// <summary>The agent as the emulator holds it.</summary>
    /// <param name="agentId">The agent id.</param>
    /// <returns>The agent.</returns>
    public EmulatedAgent GetAgent(string agentId)
    {
        lock (_gate)
        {
            var a = Agent(agentId);
            return new EmulatedAgent(a.AgentId, a.UserId, a.Email, a.DesktopProfileId, a.State, DateTimeOffset.FromUnixTimeMilliseconds(a.LastChangeMs), a.Reason, a.ChangedById, a.ContactId);
        }
    }

    /// <summary>The agent's current state.</summary>
    /// <param name="agentId">The agent id.</param>
    /// <returns>The state.</returns>
    public AgentState GetState(string agentId) => GetAgent(agentId).State;

    /// <summary>Signs the agent in (<c>AgentStationLoginSuccess</c>, webhook <c>agent:login</c>).</summary>
    /// <param name="agentId">The agent id.</param>
    /// <param name="state">The state after sign-in; Available when <see langword="null"/>.</param>
    public void SignIn(string agentId, AgentState? state = null)
    {
        var target = state ?? AgentState.Available;
        EnsureSettable(target);
        lock (_gate)
        {
            var agent = Agent(agentId);
            agent.SessionId = Guid.NewGuid().ToString();
            ApplyLocked(agent, target, reason: null, changedById: null);
            PublishLocked(agent, EventKind.Login, "AgentStationLoginSuccess", trackingId: null);
        }

        Changed();
    }

    /// <summary>Signs the agent out (<c>AgentLogoutSuccess</c>, webhook <c>agent:logout</c>).</summary>
    /// <param name="agentId">The agent id.</param>
    public void SignOut(string agentId)
    {
        lock (_gate)
        {
            var agent = Agent(agentId);
            CancelRonaLocked(agent);
            agent.ContactId = null;
            ApplyLocked(agent, AgentState.LoggedOut, reason: null, changedById: null);
            PublishLocked(agent, EventKind.Logout, "AgentLogoutSuccess", trackingId: null);
            agent.SessionId = null;
        }

        Changed();
    }

    /// <summary>The agent changes their own state on the desktop (Available, or Idle with a code).</summary>
    /// <param name="agentId">The agent id.</param>
    /// <param name="state">Available or Idle.</param>
    /// <param name="reason">The <c>lastStateChangeReason</c>, if any.</param>
    public void SetStateAsAgent(string agentId, AgentState state, string? reason = null) => SetState(agentId, state, reason, changedById: null);

    /// <summary>A supervisor changes the agent's state ("Change Agent States"): <c>changedById</c> names the supervisor.</summary>
    /// <param name="agentId">The agent id.</param>
    /// <param name="state">Available or Idle.</param>
    /// <param name="supervisorId">The supervisor's id.</param>
    /// <param name="reason">The <c>lastStateChangeReason</c>, if any.</param>
    public void SetStateAsSupervisor(string agentId, AgentState state, string supervisorId = "supervisor-1", string? reason = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(supervisorId);
        SetState(agentId, state, reason, supervisorId);
    }

    /// <summary>Offers a contact to the agent (Reserved, <c>AgentOfferContact</c>); it rings into RONA after <see cref="ContactCenterEmulatorOptions.RonaTimeout"/>.</summary>
    /// <param name="agentId">The agent id; must be Available.</param>
    /// <returns>The contact (interaction) id.</returns>
    public string OfferContact(string agentId)
    {
        string contactId;
        lock (_gate)
        {
            var agent = Agent(agentId);
            if (agent.State.Kind != AgentStateKind.Available)
            {
                throw new InvalidOperationException($"A contact can be offered only to an Available agent; {agentId} is {agent.State}.");
            }

            contactId = Guid.NewGuid().ToString();
            agent.ContactId = contactId;
            ApplyLocked(agent, AgentState.Reserved, reason: null, changedById: null);
            PublishLocked(agent, EventKind.Contact, "AgentOfferContact", trackingId: null);
            if (_options.RonaTimeout is { } timeout)
            {
                agent.RonaTimer = _time.CreateTimer(static state => ((RonaState)state!).Fire(), new RonaState(this, agentId, contactId), timeout, Timeout.InfiniteTimeSpan);
            }
        }

        Changed();
        return contactId;
    }

    /// <summary>The offered contact is not answered: the agent goes to Idle with the RONA code (<c>AgentOfferContactRona</c>).</summary>
    /// <param name="agentId">The agent id; must be Reserved.</param>
    public void RingIntoRona(string agentId)
    {
        lock (_gate)
        {
            RonaLocked(Agent(agentId), contactId: null);
        }

        Changed();
    }

    /// <summary>The agent answers the offered contact (Engaged, <c>AgentContactAssigned</c>).</summary>
    /// <param name="agentId">The agent id; must be Reserved.</param>
    public void AssignContact(string agentId)
    {
        lock (_gate)
        {
            var agent = Agent(agentId);
            Require(agent, AgentStateKind.Reserved, "assign a contact");
            CancelRonaLocked(agent);
            ApplyLocked(agent, AgentState.Engaged, reason: null, changedById: null);
            PublishLocked(agent, EventKind.Contact, "AgentContactAssigned", trackingId: null);
        }

        Changed();
    }

    /// <summary>The contact ends: with wrap-up the agent goes to WrapUp (<c>AgentWrapup</c>); without, straight to <paramref name="next"/>.</summary>
    /// <param name="agentId">The agent id; must be Engaged.</param>
    /// <param name="wrapUp">Whether the agent wraps up.</param>
    /// <param name="next">The state after the contact when there is no wrap-up; Available when <see langword="null"/>.</param>
    public void EndContact(string agentId, bool wrapUp = true, AgentState? next = null)
    {
        lock (_gate)
        {
            var agent = Agent(agentId);
            Require(agent, AgentStateKind.Engaged, "end a contact");
            if (wrapUp)
            {
                ApplyLocked(agent, AgentState.WrapUp, reason: null, changedById: null);
                PublishLocked(agent, EventKind.Contact, "AgentWrapup", trackingId: null);
            }
            else
            {
                var target = next ?? AgentState.Available;
                EnsureSettable(target);
                agent.ContactId = null;
                ApplyLocked(agent, target, reason: null, changedById: null);
                PublishLocked(agent, EventKind.Contact, "AgentContactEnded", trackingId: null);
            }
        }

        Changed();
    }

    /// <summary>The agent finishes wrap-up (<c>AgentWrappedUp</c>) and goes to <paramref name="next"/>.</summary>
    /// <param name="agentId">The agent id; must be in WrapUp.</param>
    /// <param name="next">Available (the default) or Idle with a code.</param>
    public void WrapUp(string agentId, AgentState? next = null)
    {
        var target = next ?? AgentState.Available;
        EnsureSettable(target);
        lock (_gate)
        {
            var agent = Agent(agentId);
            Require(agent, AgentStateKind.WrapUp, "finish wrap-up");
            agent.ContactId = null;
            ApplyLocked(agent, target, reason: null, changedById: null);
            PublishLocked(agent, EventKind.Contact, "AgentWrappedUp", trackingId: null);
        }

        Changed();
    }

    private void SetState(string agentId, AgentState state, string? reason, string? changedById)
    {
        EnsureSettable(state);
        lock (_gate)
        {
            var agent = Agent(agentId);
            if (agent.State.Kind == AgentStateKind.LoggedOut || agent.State.IsOnContact)
            {
                throw new InvalidOperationException($"Agent {agentId} is {agent.State}; only a signed-in agent who is not on a contact can change state.");
            }

            ApplyLocked(agent, state, reason, changedById);
            PublishLocked(agent, EventKind.State, "AgentStateChangeSuccess", trackingId: null);
        }

        Changed();
    }

    private void EnsureSettable(AgentState state)
    {
        if (state.Kind is not (AgentStateKind.Available or AgentStateKind.Idle))
        {
            throw new ArgumentException($"Only Available or Idle can be set; got {state}.", nameof(state));
        }

        if (state.Kind == AgentStateKind.Idle)
        {
            lock (_gate)
            {
                if (!_codes.Any(c => c.Id == state.IdleCodeId && c.Idle))
                {
                    throw new ArgumentException($"Idle code {state.IdleCodeId} does not exist; add it with AddIdleCode first.", nameof(state));
                }
            }
        }
    }

    private static void Require(AgentRecord agent, AgentStateKind kind, string what)
    {
        if (agent.State.Kind != kind)
        {
            throw new InvalidOperationException($"Cannot {what}: agent {agent.AgentId} is {agent.State}, not {kind}.");
        }
    }

    private void RonaLocked(AgentRecord agent, string? contactId)
    {
        if (agent.State.Kind != AgentStateKind.Reserved || contactId is not null && agent.ContactId != contactId)
        {
            if (contactId is null)
            {
                throw new InvalidOperationException($"Cannot ring into RONA: agent {agent.AgentId} is {agent.State}, not Reserved.");
            }

            return;
        }

        CancelRonaLocked(agent);
        agent.ContactId = null;
        ApplyLocked(agent, AgentState.Idle(RonaCodeId), reason: "RONA", changedById: null);
        PublishLocked(agent, EventKind.Contact, "AgentOfferContactRona", trackingId: null);
    }

    private static void CancelRonaLocked(AgentRecord agent)
    {
        agent.RonaTimer?.Dispose();
        agent.RonaTimer = null;
    }

    private void ApplyLocked(AgentRecord agent, AgentState state, string? reason, string? changedById)
    {
        var now = Math.Max(NowMs(), agent.LastChangeMs + 1);
        agent.Activities[^1] = agent.Activities[^1] with { EndMs = now };
        agent.State = state;
        agent.LastChangeMs = now;
        agent.Reason = reason;
        agent.ChangedById = changedById;
        agent.Activities.Add(new ActivityRecord(StateName(state), state.IdleCodeId, reason, now));
    }

    private sealed class RonaState(ContactCenterEmulator emulator, string agentId, string contactId)
    {
        public void Fire()
        {
            lock (emulator._gate)
            {
                if (emulator._agents.TryGetValue(agentId, out var agent))
                {
                    emulator.RonaLocked(agent, contactId);
                }
            }

            emulator.Changed();
        }
    }

    private (int, JsonNode?) Activities(IQueryCollection query)
    {
        if (!long.TryParse(query["from"], NumberStyles.Integer, CultureInfo.InvariantCulture, out var from)
            || !long.TryParse(query["to"], NumberStyles.Integer, CultureInfo.InvariantCulture, out var to))
        {
            return (400, Error("from and to (epoch milliseconds) are required"));
        }

        if (to <= from || to - from >= DayMs)
        {
            return (400, Error("the window must be positive and under 24 hours"));
        }

        var ids = query["agentIds"].ToString().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (ids.Length > 100)
        {
            return (400, Error("at most 100 agentIds"));
        }

        var pageSize = MaxActivityRecords;
        if (query.ContainsKey("pageSize"))
        {
            if (!int.TryParse(query["pageSize"], NumberStyles.Integer, CultureInfo.InvariantCulture, out pageSize) || pageSize < 1)
            {
                return (400, Error("pageSize must be a positive number"));
            }

            pageSize = Math.Min(pageSize, MaxActivityRecords);
        }

        var data = new JsonArray();
        lock (_gate)
        {
            // A time-ordered query: the oldest records first, cut at pageSize, so a window holding too many records
            // loses its newest ones (there is no next page).
            var matches = (ids.Length == 0 ? _agents.Keys.ToArray() : ids)
                .Distinct(StringComparer.Ordinal)
                .Select(id => _agents.GetValueOrDefault(id))
                .OfType<AgentRecord>()
                .SelectMany(agent => agent.Activities.Where(a => a.StartMs <= to && (a.EndMs < 0 || a.EndMs >= from)).Select(a => (Agent: agent, Activity: a)))
                .OrderBy(static m => m.Activity.StartMs)
                .ThenBy(static m => m.Agent.AgentId, StringComparer.Ordinal)
                .Take(pageSize);
            foreach (var (agent, a) in matches)
            {
                data.Add((JsonNode)new JsonObject
                {
                    ["agentId"] = agent.AgentId,
                    ["currentState"] = a.State,
                    ["idleCode"] = a.IdleCode ?? (a.State == "Available" ? "0" : null),
                    ["idleCodeName"] = a.IdleCode is null ? null : _codes.FirstOrDefault(c => c.Id == a.IdleCode)?.Name,
                    ["reason"] = a.Reason,
                    ["startTime"] = a.StartMs,
                    ["endTime"] = a.EndMs,
                    ["active"] = a.EndMs < 0,
                    ["channelType"] = "telephony",
                });
            }
        }

        return (200, new JsonObject { ["meta"] = new JsonObject { ["orgId"] = OrgId }, ["data"] = data });
    }
}
