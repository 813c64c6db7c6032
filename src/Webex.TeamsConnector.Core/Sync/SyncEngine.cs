namespace Webex.TeamsConnector;

/// <summary>A read-only view of one agent's sync state.</summary>
/// <param name="AgentId">The WxCC agent id.</param>
/// <param name="TeamsUserId">The Teams user object id, when known.</param>
/// <param name="State">The agent's confirmed WxCC state.</param>
/// <param name="Origin">Who made the last state change.</param>
/// <param name="Class">How the rules see the agent now (a pending write counts).</param>
/// <param name="PendingWrite">The connector's state write not yet confirmed, if any.</param>
/// <param name="ObservedPresence">The last Teams presence read (may be the connector's own echo).</param>
/// <param name="EffectivePresence">The Teams presence the rules use (echoes removed).</param>
/// <param name="Published">What the connector publishes to Teams for this agent.</param>
/// <param name="LastEventAt">The timestamp of the last agent event applied.</param>
public readonly record struct AgentSyncSnapshot(
    string AgentId,
    string? TeamsUserId,
    AgentState State,
    StateOrigin Origin,
    AgentSyncClass Class,
    AgentState? PendingWrite,
    TeamsPresence? ObservedPresence,
    TeamsPresence? EffectivePresence,
    PublishedPresence Published,
    DateTimeOffset? LastEventAt);

/// <summary>
/// Holds the sync machines of many agents, finds them by WxCC agent id or Teams user id, and turns a stream of
/// Teams presences, agent events and timer ticks into commands. Synchronous, with no threads of its own.
/// </summary>
/// <remarks>
/// Not thread-safe: drive one engine from one thread at a time (for example a single channel reader). Each call
/// runs to completion. Events for unknown agents are reported as <see cref="SyncOutcome.UnknownAgent"/>. Time
/// comes from the <see cref="TimeProvider"/> given to the constructor. In steady state no call allocates.
/// </remarks>
internal sealed partial class SyncEngine
{
    private readonly Dictionary<string, AgentSyncMachine> _byAgent;
    private readonly Dictionary<string, AgentSyncMachine> _byTeamsUser;
    private const int MinTimerCapacity = 1024;
    private readonly PriorityQueue<AgentSyncMachine, long> _timers = new();
    private (AgentSyncMachine Machine, long Due)[] _timerBuffer = [];
    private readonly TimeProvider _time;
    private AgentEdgeIndex? _edge;

    /// <summary>Creates an engine.</summary>
    /// <param name="rules">The sync rules; validated here.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <param name="capacity">The number of agents to size for.</param>
    /// <exception cref="ArgumentException">The rules are invalid; the message lists every problem.</exception>
    public SyncEngine(SyncRules rules, TimeProvider? timeProvider = null, int capacity = 0)
    {
        ArgumentNullException.ThrowIfNull(rules);
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        rules.EnsureValid();
        Rules = rules;
        _time = timeProvider ?? TimeProvider.System;
        _byAgent = new(capacity, StringComparer.Ordinal);
        _byTeamsUser = new(capacity, TeamsUserIdComparer.Instance);
    }

    /// <summary>The rules every machine follows.</summary>
    public SyncRules Rules { get; private set; }

    /// <summary>
    /// Replaces the idle-code mapping of every tracked agent and of agents added later, at once: the next Teams change
    /// is decided with it. Nothing is written now; an agent idled by presence sync with an old code is remapped on its
    /// next Teams change.
    /// </summary>
    /// <param name="mapping">The new mapping (checked against the idle-code catalogue by the caller).</param>
    public void ReplaceMapping(IdleCodeMapping mapping)
    {
        ArgumentNullException.ThrowIfNull(mapping);
        Rules = Rules with { Mapping = mapping };
        foreach (var machine in _byAgent.Values)
        {
            machine.UseRules(Rules);
        }
    }

    /// <summary>The number of agents tracked.</summary>
    public int Count => _byAgent.Count;

    /// <summary>When <see cref="AdvanceTime"/> next has work, or <see langword="null"/>.</summary>
    public DateTimeOffset? NextDueAt
    {
        get
        {
            while (_timers.TryPeek(out var machine, out var due))
            {
                if (!machine.Removed && due == machine.QueuedDue)
                {
                    return new DateTimeOffset(due, TimeSpan.Zero);
                }

                _timers.Dequeue();
            }

            return null;
        }
    }

    /// <summary>Starts tracking an agent.</summary>
    /// <param name="agentId">The WxCC agent id (<c>ciUserId</c>).</param>
    /// <param name="teamsUserId">The Teams user object id, if already resolved.</param>
    /// <returns><see langword="false"/> when the agent is already tracked (its Teams id is then updated).</returns>
    /// <exception cref="ArgumentException">An id is empty, or the Teams user already belongs to another agent.</exception>
    public bool AddAgent(string agentId, string? teamsUserId = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(agentId);
        if (_byAgent.ContainsKey(agentId))
        {
            SetTeamsUserId(agentId, teamsUserId);
            return false;
        }

        EnsureTeamsUserFree(agentId, teamsUserId);
        var machine = new AgentSyncMachine(agentId, string.IsNullOrWhiteSpace(teamsUserId) ? null : teamsUserId, Rules);
        _byAgent.Add(agentId, machine);
        if (machine.TeamsUserId is { } teams)
        {
            _byTeamsUser.Add(teams, machine);
        }

        _edge?.Added(machine);
        return true;
    }

    /// <summary>Sets or changes the Teams user of a tracked agent.</summary>
    /// <param name="agentId">The agent.</param>
    /// <param name="teamsUserId">The Teams user id, or <see langword="null"/> to unlink.</param>
    /// <returns><see langword="false"/> when the agent is not tracked (or <paramref name="agentId"/> is <see langword="null"/>).</returns>
    /// <exception cref="ArgumentException">The Teams user already belongs to another agent.</exception>
    public bool SetTeamsUserId(string? agentId, string? teamsUserId)
    {
        if (agentId is null || !_byAgent.TryGetValue(agentId, out var machine))
        {
            return false;
        }

        teamsUserId = string.IsNullOrWhiteSpace(teamsUserId) ? null : teamsUserId;
        if (string.Equals(machine.TeamsUserId, teamsUserId, StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        EnsureTeamsUserFree(agentId, teamsUserId);
        var old = machine.TeamsUserId;
        if (old is not null)
        {
            _byTeamsUser.Remove(old);
        }

        machine.TeamsUserId = teamsUserId;
        if (teamsUserId is not null)
        {
            _byTeamsUser.Add(teamsUserId, machine);
        }

        _edge?.Linked(machine, old);
        return true;
    }

    /// <summary>Stops tracking an agent; a presence the connector published for it is cleared.</summary>
    /// <param name="agentId">The agent.</param>
    /// <returns>
    /// The clear command, if one is needed; <see cref="SyncOutcome.UnknownAgent"/> when not tracked (or
    /// <paramref name="agentId"/> is <see langword="null"/>).
    /// </returns>
    public SyncDecision RemoveAgent(string? agentId)
    {
        if (agentId is null || !_byAgent.Remove(agentId, out var machine))
        {
            return SyncDecision.Of(SyncOutcome.UnknownAgent);
        }

        if (machine.TeamsUserId is { } teams)
        {
            _byTeamsUser.Remove(teams);
        }

        machine.Removed = true;
        _edge?.Removed(machine);
        return machine.OnRemoved();
    }

    /// <summary>
    /// A thread-safe index of the tracked agents' handles, kept from now on as agents are added, linked and removed, for
    /// the threads that read events off the wire (see <see cref="AgentHandle"/>). Created on first use.
    /// </summary>
    public AgentEdgeIndex EdgeIndex
    {
        get
        {
            if (_edge is null)
            {
                var edge = new AgentEdgeIndex(_byAgent.Count);
                foreach (var machine in _byAgent.Values)
                {
                    edge.Added(machine);
                }

                _edge = edge;
            }

            return _edge;
        }
    }

    /// <summary>Whether an agent is tracked.</summary>
    /// <param name="agentId">The agent id.</param>
    /// <returns><see langword="true"/> when tracked.</returns>
    public bool Contains(string agentId) => agentId is not null && _byAgent.ContainsKey(agentId);

    /// <summary>Looks an agent up by WxCC agent id.</summary>
    /// <param name="agentId">The agent id.</param>
    /// <param name="snapshot">Its state.</param>
    /// <returns><see langword="true"/> when tracked.</returns>
    public bool TryGetAgent(string agentId, out AgentSyncSnapshot snapshot)
    {
        if (agentId is not null && _byAgent.TryGetValue(agentId, out var machine))
        {
            snapshot = Snapshot(machine);
            return true;
        }

        snapshot = default;
        return false;
    }

    /// <summary>Looks an agent up by Teams user id.</summary>
    /// <param name="teamsUserId">The Teams user object id.</param>
    /// <param name="snapshot">Its state.</param>
    /// <returns><see langword="true"/> when tracked.</returns>
    public bool TryGetAgentByTeamsUserId(string teamsUserId, out AgentSyncSnapshot snapshot)
    {
        if (teamsUserId is not null && _byTeamsUser.TryGetValue(teamsUserId, out var machine))
        {
            snapshot = Snapshot(machine);
            return true;
        }

        snapshot = default;
        return false;
    }

    /// <summary>The state of every tracked agent (allocates a list).</summary>
    /// <returns>The snapshots.</returns>
    public IReadOnlyList<AgentSyncSnapshot> GetAgents() => _byAgent.Values.Select(Snapshot).ToList();

    /// <summary>The ids of the Teams users of tracked agents.</summary>
    /// <returns>The ids (allocates a list).</returns>
    public IReadOnlyList<string> GetTeamsUserIds() => [.. _byTeamsUser.Keys];

    /// <summary>A Teams presence was read or notified for a user.</summary>
    /// <param name="teamsUserId">The Teams user object id.</param>
    /// <param name="availability">Graph's <c>availability</c> string.</param>
    /// <param name="activity">Graph's <c>activity</c> string.</param>
    /// <param name="sequenceNumber">Graph's <c>sequenceNumber</c>, if present.</param>
    /// <returns>The outcome and commands.</returns>
    public SyncDecision OnPresence(string? teamsUserId, string? availability, string? activity, string? sequenceNumber) =>
        OnPresence(teamsUserId, TeamsPresence.Parse(availability, activity), sequenceNumber);

    /// <summary>A Teams presence was read or notified for a user.</summary>
    /// <param name="teamsUserId">The Teams user object id.</param>
    /// <param name="presence">The parsed presence.</param>
    /// <param name="sequenceNumber">Graph's <c>sequenceNumber</c>, if present.</param>
    /// <returns>The outcome and commands.</returns>
    public SyncDecision OnPresence(string? teamsUserId, in TeamsPresence presence, string? sequenceNumber) =>
        OnPresence(default, teamsUserId, presence, sequenceNumber);

    /// <summary>A Teams presence was read or notified for a user whose agent was found at the edge.</summary>
    /// <param name="agent">
    /// The handle taken for <paramref name="teamsUserId"/> (see <see cref="AgentEdgeIndex.ByTeamsUserId"/>); used when it
    /// still names the agent linked to that user, else <paramref name="teamsUserId"/> is looked up.
    /// </param>
    /// <param name="teamsUserId">The Teams user object id.</param>
    /// <param name="presence">The parsed presence.</param>
    /// <param name="sequenceNumber">Graph's <c>sequenceNumber</c>, if present.</param>
    /// <returns>The outcome and commands.</returns>
    public SyncDecision OnPresence(in AgentHandle agent, string? teamsUserId, in TeamsPresence presence, string? sequenceNumber)
    {
        var machine = agent.TeamsUser;
        if (machine is null && (teamsUserId is null || !_byTeamsUser.TryGetValue(teamsUserId, out machine)))
        {
            _lastDecided = null;
            return SyncDecision.Of(SyncOutcome.UnknownAgent);
        }

        var decision = machine.OnPresence(presence, sequenceNumber, Now());
        Schedule(machine);
        return decision;
    }

    /// <summary>A WxCC agent event arrived.</summary>
    /// <param name="agentId">The agent id (<c>ciUserId</c>).</param>
    /// <param name="agentEvent">The event.</param>
    /// <returns>
    /// The outcome and commands; <see cref="SyncOutcome.Rejected"/>, with no command and no change, for a malformed
    /// event (an undefined event or state kind, or no timestamp; a digital contact event without a digital channel or
    /// contact id), or a digital contact beyond what one agent may hold. A
    /// <see cref="AgentEventKind.DigitalContact"/> event is tracked apart from the voice state.
    /// </returns>
    public SyncDecision OnAgentEvent(string? agentId, in AgentEvent agentEvent) => OnAgentEvent(default, agentId, agentEvent);

    /// <summary>A WxCC agent event arrived for an agent found at the edge.</summary>
    /// <param name="agent">
    /// The handle taken for <paramref name="agentId"/> (see <see cref="AgentEdgeIndex.ByAgentId"/>); used when the agent
    /// is still tracked, else <paramref name="agentId"/> is looked up.
    /// </param>
    /// <param name="agentId">The agent id (<c>ciUserId</c>).</param>
    /// <param name="agentEvent">The event.</param>
    /// <returns>As <see cref="OnAgentEvent(string?, in AgentEvent)"/>.</returns>
    public SyncDecision OnAgentEvent(in AgentHandle agent, string? agentId, in AgentEvent agentEvent)
    {
        var machine = agent.Agent;
        if (machine is null && (agentId is null || !_byAgent.TryGetValue(agentId, out machine)))
        {
            _lastDecided = null;
            return SyncDecision.Of(SyncOutcome.UnknownAgent);
        }

        // Rejected and clock-skewed events are decisions about this agent too (see LastRun).
        _lastDecided = machine;
        if (!IsWellFormed(agentEvent))
        {
            return SyncDecision.Of(SyncOutcome.Rejected);
        }

        var now = Now();
        if (agentEvent.Timestamp.UtcTicks - now > Rules.MaxEventClockSkew.Ticks)
        {
            // Dated too far ahead: applied, it would make every later real event look older.
            return SyncDecision.Of(SyncOutcome.ClockSkew);
        }

        var decision = agentEvent.Kind == AgentEventKind.DigitalContact ? machine.OnDigitalContact(agentEvent, now) : machine.OnAgentEvent(agentEvent, now);
        Schedule(machine);
        return decision;
    }

    /// <summary>
    /// A state write produced by the engine was refused or failed for good (a 4xx, or retries exhausted;
    /// <c>AgentStateChangeFailed</c> comes as an <see cref="AgentEventKind.StateChangeFailed"/> event). The engine
    /// forgets it and decides again after a back-off (<see cref="SyncRules.WriteRetryDelay"/>, doubling up to
    /// <see cref="SyncRules.WriteRetryMaxDelay"/>) while the rules still want that state.
    /// </summary>
    /// <param name="agentId">The agent.</param>
    /// <param name="attempted">The state that was to be written.</param>
    /// <returns>The outcome.</returns>
    public SyncDecision OnWriteFailed(string? agentId, AgentState attempted)
    {
        if (agentId is null || !_byAgent.TryGetValue(agentId, out var machine))
        {
            _lastDecided = null;
            return SyncDecision.Of(SyncOutcome.UnknownAgent);
        }

        var decision = machine.OnWriteFailed(attempted, Now());
        Schedule(machine);
        return decision;
    }

    /// <summary>Runs every timer due now (publish refresh, echo grace end, write confirmation, verify and retry back-offs).</summary>
    /// <param name="sink">Receives the commands.</param>
    /// <returns>The number of commands produced.</returns>
    public int AdvanceTime(ISyncCommandSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        var now = Now();
        var produced = 0;
        while (_timers.TryPeek(out var machine, out var due) && due <= now)
        {
            _timers.Dequeue();
            if (machine.Removed || due != machine.QueuedDue)
            {
                continue;
            }

            machine.QueuedDue = long.MaxValue;
            if (machine.DueAt <= now)
            {
                // The sink reads the timer's agent as the last run machine (see LastDecided), as after an event.
                _lastDecided = machine;
                var decision = machine.OnTimer(now);
                for (var i = 0; i < decision.Count; i++)
                {
                    sink.OnCommand(decision[i]);
                    produced++;
                }
            }

            Schedule(machine);
        }

        return produced;
    }

    private long Now() => _time.GetUtcNow().UtcTicks;

    private static bool IsWellFormed(in AgentEvent agentEvent) =>
        agentEvent.Timestamp != default
        && agentEvent.Kind is >= AgentEventKind.StateChange and <= AgentEventKind.DigitalContact
        && agentEvent.State.Kind is >= AgentStateKind.LoggedOut and <= AgentStateKind.WrapUp
        && (agentEvent.Kind != AgentEventKind.DigitalContact
            || agentEvent.Channel is ContactChannel.Chat or ContactChannel.Email or ContactChannel.Social
                && !string.IsNullOrEmpty(agentEvent.ContactId)
                && agentEvent.State.Kind is AgentStateKind.Reserved or AgentStateKind.Engaged or AgentStateKind.WrapUp or AgentStateKind.Available);

    /// <summary>How often the timer queue was compacted (for tests and benchmarks).</summary>
    internal int TimerCompactions { get; private set; }

    /// <summary>Entries the timer queue may hold beyond two per agent before it is compacted (tests lower it).</summary>
    internal int TimerSlack { get; set; } = MinTimerCapacity;

    /// <summary>The entries in the timer queue, superseded ones included.</summary>
    internal int TimerQueueLength => _timers.Count;

    private void Schedule(AgentSyncMachine machine)
    {
        _lastDecided = machine;
        var due = machine.DueAt;
        if (due < machine.QueuedDue)
        {
            machine.QueuedDue = due;
            if (_timers.Count >= 2 * _byAgent.Count + TimerSlack)
            {
                CompactTimers();
            }

            _timers.Enqueue(machine, due);
        }
    }

    /// <summary>
    /// Drops the timer entries that a nearer due time superseded (each machine has at most one live entry), so that the
    /// queue stays within a few entries per agent and, once warm, never grows again: no allocation in steady state.
    /// </summary>
    private void CompactTimers()
    {
        if (_timerBuffer.Length < _timers.Count)
        {
            // Once, sized for every entry the queue holds at the threshold: later compactions reuse it.
            _timerBuffer = new (AgentSyncMachine, long)[_timers.Count];
        }

        var live = 0;
        foreach (var (machine, due) in _timers.UnorderedItems)
        {
            if (!machine.Removed && due == machine.QueuedDue)
            {
                _timerBuffer[live++] = (machine, due);
            }
        }

        TimerCompactions++;

        _timers.Clear();
        for (var i = 0; i < live; i++)
        {
            _timers.Enqueue(_timerBuffer[i].Machine, _timerBuffer[i].Due);
            _timerBuffer[i] = default;
        }
    }

    private void EnsureTeamsUserFree(string agentId, string? teamsUserId)
    {
        if (!string.IsNullOrWhiteSpace(teamsUserId)
            && _byTeamsUser.TryGetValue(teamsUserId, out var other)
            && !string.Equals(other.AgentId, agentId, StringComparison.Ordinal))
        {
            throw new ArgumentException($"Teams user {teamsUserId} is already linked to agent {other.AgentId}.", nameof(teamsUserId));
        }
    }

    private static AgentSyncSnapshot Snapshot(AgentSyncMachine machine) => new(
        machine.AgentId,
        machine.TeamsUserId,
        machine.State,
        machine.Origin,
        machine.Class,
        machine.PendingWrite,
        machine.ObservedPresence,
        machine.EffectivePresence,
        machine.Published,
        machine.LastEventAt);
}
