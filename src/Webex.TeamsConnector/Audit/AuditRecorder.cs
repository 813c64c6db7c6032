namespace Webex.TeamsConnector;

/// <summary>
/// The engine loop's side of the audit trail: copies each decision into a small <see cref="AuditEntry"/> in a
/// buffer of its own and hands full buffers (and, when the loop goes idle, partial ones) to the
/// <see cref="AuditTrail"/>. Used by the loop thread only; it never waits and never formats. Reads the agent's state from
/// the machine the engine just ran (no second lookup by id), and the time once per loop pass (<see cref="Tick"/>).
/// </summary>
internal sealed class AuditRecorder
{
    private readonly AuditTrail _trail;
    private readonly string _orgId;
    private readonly TimeProvider _time;
    private AuditEntry[] _buffer;
    private int _count;
    private long _now;

    public AuditRecorder(AuditTrail trail, string orgId, TimeProvider time)
    {
        _trail = trail;
        _orgId = orgId;
        _time = time;
        _buffer = trail.Rent();
        Tick();
    }

    /// <summary>
    /// Reads the clock for the records that follow (the loop calls it once per pass): a record's time is the later of
    /// that and its trigger's arrival, so a pass's records share one clock read.
    /// </summary>
    public void Tick() => _now = _time.GetUtcNow().UtcTicks;

    /// <summary>
    /// An engine decision on a Teams presence, read right after it from the machine the engine ran (no lookup, no id
    /// compared): a presence changes no WxCC state, so the agent's state after the decision is the one before it.
    /// Nothing for a Teams user not tracked (the engine then names no machine).
    /// </summary>
    public void OnPresence(in TeamsPresenceUpdate update, in SyncDecision decision, SyncEngine engine)
    {
        if (engine.LastRun is { Removed: false } machine)
        {
            NextSlot().SetPresence(_now, update.ReceivedAt.UtcTicks, machine, update.Availability, update.Activity, decision);
        }
    }

    /// <summary>
    /// An engine decision on a WxCC agent event, read right after it from the machine the engine ran: the state after it
    /// is read here, the state before it is the one the agent's previous record left (filled in by the background
    /// writer); nothing for an agent not tracked.
    /// </summary>
    public void OnAgentEvent(in AgentFeedEvent feedEvent, in SyncDecision decision, SyncEngine engine)
    {
        if (engine.LastRun is { Removed: false } machine)
        {
            NextSlot().SetAgentEvent(_now, feedEvent.ReceivedAt.UtcTicks, machine, feedEvent.Event.Kind, decision);
        }
    }

    /// <summary>A write's result: a follow-up record, and for a failure the engine's decision on it.</summary>
    public void OnWriteResult(in AgentWriteResult result, in SyncDecision decision, SyncEngine engine)
    {
        var write = new InFlightWrite(result.State, SyncRule.None, 0);
        if (WritesOf(engine, result.AgentId, create: false) is { IsEmpty: false } writes)
        {
            if (writes.Current.State == result.State)
            {
                // The newest write's result: an older one without a result was merged into it by the outbox.
                write = writes.Current;
                var previous = writes.Previous;
                writes.Clear();
                Coalesced(result.AgentId, previous, engine);
            }
            else if (writes.Previous.Started != 0 && writes.Previous.State == result.State)
            {
                // An older write that was already on the wire: the newest still waits for its result.
                write = writes.Previous;
                writes.Previous = default;
            }
        }

        var outcome = result.Succeeded ? AuditOutcome.Written
            : result.Reason is { } reason && reason.StartsWith("WxCC refused", StringComparison.Ordinal) ? AuditOutcome.Refused
            : AuditOutcome.Failed;
        FollowUp(result.AgentId, write, outcome, result.Succeeded ? null : result.Reason, engine);
        if (!result.Succeeded)
        {
            TryGetState(engine, result.AgentId, out var state, out var origin);
            ref var entry = ref Next(AuditEntryKind.WriteFailed, result.AgentId, 0);
            entry.Text1 = result.Reason;
            entry.State = state;
            entry.Origin = origin;
            entry.SetDecision(decision);
        }
    }

    /// <summary>A command handed to its adapter: tracks writes for their results, and records timer commands.</summary>
    public void OnCommand(in SyncCommand command, bool fromTimer, SyncEngine engine, bool withdrawn)
    {
        if (fromTimer)
        {
            TryGetState(engine, command.AgentId, out var state, out var origin);
            ref var entry = ref Next(AuditEntryKind.Timer, command.AgentId, 0);
            entry.First = new AuditCommand(command);
            entry.Rule = command.Reason.Rule;
            entry.Trigger = command.Reason.Trigger;
            entry.State = state;
            entry.Origin = origin;
        }

        if (command.IsStateWrite)
        {
            // The agent's slot in the machine the engine just ran: no lookup by id.
            if (WritesOf(engine, command.AgentId, create: true) is { } writes)
            {
                var previous = writes.Previous;
                writes.Previous = writes.Current;
                writes.Current = new InFlightWrite(command.State, command.Reason.Rule, Math.Max(_now, 1));
                Coalesced(command.AgentId, previous, engine);
            }
        }
        else if (withdrawn && WritesOf(engine, command.AgentId, create: false) is { IsEmpty: false } writes)
        {
            var current = writes.Current;
            writes.Clear();
            FollowUp(command.AgentId, current, AuditOutcome.Withdrawn, "the state was changed by someone else before the write was sent", engine);
        }
    }

    /// <summary>
    /// The in-flight writes of an agent, kept in its machine's host slot (found through the machine the engine just ran,
    /// else by a lookup); <see langword="null"/> for an agent not tracked, or without any when not <paramref name="create"/>.
    /// </summary>
    private static InFlightWrites? WritesOf(SyncEngine engine, string agentId, bool create)
    {
        if (!engine.TryGetHostSlotOwner(agentId, out var machine))
        {
            return null;
        }

        if (machine.HostSlot is InFlightWrites writes)
        {
            return writes;
        }

        if (!create)
        {
            return null;
        }

        // Once per agent, at its first write.
        writes = new InFlightWrites();
        machine.HostSlot = writes;
        return writes;
    }

    private void Coalesced(string agentId, in InFlightWrite write, SyncEngine engine)
    {
        if (write.Started != 0)
        {
            FollowUp(agentId, write, AuditOutcome.Coalesced, "merged into a later write of the same agent", engine);
        }
    }

    /// <summary>Hands what is buffered to the trail (the loop calls it before it waits).</summary>
    public void Flush()
    {
        if (_count == 0)
        {
            return;
        }

        _trail.Post(_orgId, _buffer, _count);
        _buffer = _trail.Rent();
        _count = 0;
    }

    private void FollowUp(string agentId, in InFlightWrite write, AuditOutcome outcome, string? detail, SyncEngine engine)
    {
        TryGetState(engine, agentId, out var state, out var origin);
        ref var entry = ref Next(AuditEntryKind.FollowUp, agentId, write.Started);
        entry.First = new AuditCommand(write.State.Kind == AgentStateKind.Available ? SyncCommandKind.SetAvailable : SyncCommandKind.SetIdle, write.State, PublishedPresence.None);
        entry.Rule = write.Rule;
        entry.Outcome = outcome;
        entry.Text1 = detail;
        entry.State = state;
        entry.Origin = origin;
    }

    /// <summary>The agent's state from the machine the engine just ran, else by a lookup (a timer's or a result's agent).</summary>
    private static bool TryGetState(SyncEngine engine, string agentId, out AgentState state, out StateOrigin origin)
    {
        if (engine.TryGetLastDecided(agentId, out state, out origin))
        {
            return true;
        }

        var tracked = engine.TryGetAgent(agentId, out var agent);
        (state, origin) = (agent.State, agent.Origin);
        return tracked;
    }

    private ref AuditEntry Next(AuditEntryKind kind, string agentId, long receivedTicks)
    {
        ref var entry = ref NextSlot();
        entry.Start(kind, agentId, Math.Max(_now, receivedTicks), receivedTicks);
        return ref entry;
    }

    /// <summary>The next entry of the buffer, as the last use left it (the caller writes every field a record reads).</summary>
    private ref AuditEntry NextSlot()
    {
        if (_count == _buffer.Length)
        {
            Flush();
        }

        return ref _buffer[_count++];
    }

    private readonly record struct InFlightWrite(AgentState State, SyncRule Rule, long Started);

    /// <summary>
    /// The connector's writes of one agent handed to the outbox and still without a result: the newest, and the one
    /// before it if it was already on the wire. Empty when the newest has none.
    /// </summary>
    private sealed class InFlightWrites
    {
        public InFlightWrite Current;
        public InFlightWrite Previous;

        public bool IsEmpty => Current.Started == 0;

        public void Clear()
        {
            Current = default;
            Previous = default;
        }
    }
}
