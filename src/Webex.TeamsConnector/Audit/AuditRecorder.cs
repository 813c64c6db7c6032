namespace Webex.TeamsConnector;

/// <summary>
/// The engine loop's side of the audit trail: copies each decision into a small <see cref="AuditEntry"/> in a
/// buffer of its own and hands full buffers (and, when the loop goes idle, partial ones) to the
/// <see cref="AuditTrail"/>. Used by the loop thread only; it never waits and never formats.
/// </summary>
internal sealed class AuditRecorder
{
    private readonly AuditTrail _trail;
    private readonly string _orgId;
    private readonly TimeProvider _time;
    private readonly Dictionary<string, (InFlightWrite Current, InFlightWrite Previous)> _writes = new(StringComparer.Ordinal);
    private AuditEntry[] _buffer;
    private int _count;

    public AuditRecorder(AuditTrail trail, string orgId, TimeProvider time)
    {
        _trail = trail;
        _orgId = orgId;
        _time = time;
        _buffer = trail.Rent();
    }

    /// <summary>An engine decision on a Teams presence (<paramref name="before"/> read before it; a presence changes no WxCC state).</summary>
    public void OnPresence(in TeamsPresenceUpdate update, in AgentSyncSnapshot before, in SyncDecision decision)
    {
        ref var entry = ref Next(AuditEntryKind.Presence, before.AgentId, update.ReceivedAt.UtcTicks);
        entry.Text1 = update.Availability;
        entry.Text2 = update.Activity;
        entry.Decision = decision;
        entry.Before = before.State;
        entry.OriginBefore = before.Origin;
        entry.After = before.State;
        entry.OriginAfter = before.Origin;
    }

    /// <summary>
    /// An engine decision on a WxCC agent event: the state after it is read here, the state before it is the one the
    /// agent's previous record left (filled in by the background writer); nothing for an agent not tracked.
    /// </summary>
    public void OnAgentEvent(in AgentFeedEvent feedEvent, in SyncDecision decision, SyncEngine engine)
    {
        if (!engine.TryGetAgent(feedEvent.AgentId, out var after))
        {
            return;
        }

        ref var entry = ref Next(AuditEntryKind.AgentEvent, feedEvent.AgentId, feedEvent.ReceivedAt.UtcTicks);
        entry.EventKind = feedEvent.Event.Kind;
        entry.Decision = decision;
        entry.After = after.State;
        entry.OriginAfter = after.Origin;
    }

    /// <summary>A write's result: a follow-up record, and for a failure the engine's decision on it.</summary>
    public void OnWriteResult(in AgentWriteResult result, in SyncDecision decision, SyncEngine engine)
    {
        var write = new InFlightWrite(result.State, SyncRule.None, 0);
        if (_writes.Remove(result.AgentId, out var writes))
        {
            if (writes.Current.Started != 0 && writes.Current.State == result.State)
            {
                // The newest write's result: an older one without a result was merged into it by the outbox.
                write = writes.Current;
                Coalesced(result.AgentId, writes.Previous, engine);
            }
            else if (writes.Previous.Started != 0 && writes.Previous.State == result.State)
            {
                // An older write that was already on the wire: the newest still waits for its result.
                write = writes.Previous;
                _writes[result.AgentId] = (writes.Current, default);
            }
            else
            {
                _writes[result.AgentId] = writes;
            }
        }

        var outcome = result.Succeeded ? AuditOutcome.Written
            : result.Reason is { } reason && reason.StartsWith("WxCC refused", StringComparison.Ordinal) ? AuditOutcome.Refused
            : AuditOutcome.Failed;
        FollowUp(result.AgentId, write, outcome, result.Succeeded ? null : result.Reason, engine);
        if (!result.Succeeded)
        {
            engine.TryGetAgent(result.AgentId, out var now);
            ref var entry = ref Next(AuditEntryKind.WriteFailed, result.AgentId, 0);
            entry.Text1 = result.Reason;
            Fill(ref entry, now, decision, engine);
        }
    }

    /// <summary>A command handed to its adapter: tracks writes for their results, and records timer commands.</summary>
    public void OnCommand(in SyncCommand command, bool fromTimer, SyncEngine engine, bool withdrawn)
    {
        if (fromTimer)
        {
            engine.TryGetAgent(command.AgentId, out var agent);
            ref var entry = ref Next(AuditEntryKind.Timer, command.AgentId, 0);
            entry.Command = command;
            entry.Before = agent.State;
            entry.After = agent.State;
            entry.OriginBefore = agent.Origin;
        }

        if (command.IsStateWrite)
        {
            _writes.TryGetValue(command.AgentId, out var writes);
            Coalesced(command.AgentId, writes.Previous, engine);
            _writes[command.AgentId] = (new InFlightWrite(command.State, command.Reason.Rule, _time.GetUtcNow().UtcTicks), writes.Current);
        }
        else if (withdrawn && _writes.Remove(command.AgentId, out var writes))
        {
            FollowUp(command.AgentId, writes.Current, AuditOutcome.Withdrawn, "the state was changed by someone else before the write was sent", engine);
        }
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
        engine.TryGetAgent(agentId, out var agent);
        ref var entry = ref Next(AuditEntryKind.FollowUp, agentId, write.Started);
        entry.Command = new SyncCommand(write.State.Kind == AgentStateKind.Available ? SyncCommandKind.SetAvailable : SyncCommandKind.SetIdle, agentId, null, write.State, PublishedPresence.None, TimeSpan.Zero, default);
        entry.Rule = write.Rule;
        entry.Outcome = outcome;
        entry.Text1 = detail;
        entry.Before = agent.State;
        entry.After = agent.State;
        entry.OriginBefore = agent.Origin;
    }

    private static void Fill(ref AuditEntry entry, in AgentSyncSnapshot before, in SyncDecision decision, SyncEngine engine)
    {
        entry.Before = before.State;
        entry.OriginBefore = before.Origin;
        entry.Decision = decision;
        if (engine.TryGetAgent(entry.AgentId, out var after))
        {
            entry.After = after.State;
            entry.OriginAfter = after.Origin;
        }
    }

    private ref AuditEntry Next(AuditEntryKind kind, string agentId, long receivedTicks)
    {
        if (_count == _buffer.Length)
        {
            Flush();
        }

        ref var entry = ref _buffer[_count++];
        entry = default;
        entry.Kind = kind;
        entry.AgentId = agentId;
        entry.Ticks = _time.GetUtcNow().UtcTicks;
        entry.ReceivedTicks = receivedTicks;
        return ref entry;
    }

    private readonly record struct InFlightWrite(AgentState State, SyncRule Rule, long Started);
}
