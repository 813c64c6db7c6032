using System.Runtime.CompilerServices;

namespace Webex.TeamsConnector;

/// <summary>
/// The sync machine of one agent. It keeps the agent's WxCC state and origin, the connector's pending and recent
/// writes, the last Teams presence seen and the effective one (echoes removed), and what is published to Teams,
/// and turns each event into at most two commands.
/// </summary>
/// <remarks>
/// Concurrency: one machine is single-threaded and runs each event to completion; the <see cref="SyncEngine"/>
/// that owns it must not be called concurrently. Time is passed in as UTC ticks; the machine never reads a clock.
/// A transition allocates nothing.
/// </remarks>
internal sealed partial class AgentSyncMachine
{
    // A power of two: the ring index wraps with a mask.
    private const int RecentWriteCapacity = 4;

    /// <summary>How many distinct states one agent may take at one event timestamp (the rest are dropped as stale).</summary>
    internal const int SameTimestampCapacity = RecentWriteCapacity;

    private SyncRules _rules;
    private AgentSyncClass _class;
    private AgentSyncClass _confirmedClass;

    // WxCC side.
    private AgentState _confirmed;
    private StateOrigin _origin;
    private long _lastEventTicks;
    private bool _hasEvent;
    private int _seenAtLastTicksCount;
    private AgentState _pending;
    private bool _hasPending;
    private long _pendingSince;
    private int _recentCount;
    private int _recentNext;

    // Teams side.
    // The default value is "none seen yet" (PresenceValue.IsKnown).
    private PresenceValue _observed;
    private PresenceValue _effective;
    private SequenceStamp _lastSequence;

    // Publishing.
    private PublishedPresence _published;
    private long _refreshDue;
    private PublishedPresence _echoPair;
    private long _echoGraceUntil;

    private AgentIdentity _identity;

    // The decision being built or last built: its commands are read through SyncDecision until the next event.
    private DecisionBuilder _decision;
    private int _decisionSerial;

    // Read on agent events only. The runtime lays value-type fields out after the others, in the order declared:
    // declared last, these 128 bytes come after everything a presence event reads, which then fits in fewer cache lines.
    private RecentWrites _seenAtLastTicks;
    private RecentWrites _recent;

    public AgentSyncMachine(string agentId, string? teamsUserId, SyncRules rules)
    {
        _identity = new AgentIdentity(agentId, teamsUserId);
        _rules = rules;
        ConfirmedChanged();
    }

    public string AgentId => _identity.AgentId;

    /// <summary>Follows other rules from now on (the engine swaps the idle-code mapping at run time).</summary>
    internal void UseRules(SyncRules rules)
    {
        _rules = rules;
        ConfirmedChanged();
    }

    public string? TeamsUserId
    {
        get => _identity.TeamsUserId;
        set
        {
            _identity = new AgentIdentity(_identity.AgentId, value);
            TeamsLink++;
        }
    }

    /// <summary>
    /// Counts the changes of <see cref="TeamsUserId"/>: an <see cref="AgentHandle"/> taken for a Teams user is honoured only
    /// while the link it saw is still the machine's.
    /// </summary>
    internal int TeamsLink { get; private set; }

    /// <summary>Set by the engine: the due time last put in its timer queue.</summary>
    internal long QueuedDue { get; set; } = long.MaxValue;

    internal bool Removed { get; set; }

    /// <summary>
    /// A slot the host keeps per agent (the audit recorder's in-flight writes), so that it finds them through the machine
    /// the engine just ran instead of a map keyed by agent id. Never read by the machine.
    /// </summary>
    internal object? HostSlot { get; set; }

    public AgentState State => _confirmed;

    public StateOrigin Origin => _origin;

    public AgentState? PendingWrite => _hasPending ? _pending : null;

    public TeamsPresence? ObservedPresence => _observed.IsKnown ? _observed.ToPresence() : null;

    public TeamsPresence? EffectivePresence => _effective.IsKnown ? _effective.ToPresence() : null;

    public PublishedPresence Published => _published;

    public DateTimeOffset? LastEventAt => _hasEvent ? new DateTimeOffset(_lastEventTicks, TimeSpan.Zero) : null;

    /// <summary>The class the rules see now: the pending write (by presence sync) if any, else the confirmed state.</summary>
    /// <remarks>Kept in a field, set by <see cref="Reclassify"/> after every change of what it depends on.</remarks>
    public AgentSyncClass Class => _class;

    /// <summary>
    /// Sets <see cref="Class"/> from the pending write if any (presence sync's own Available or idle code: what
    /// <see cref="AgentSyncTable.ClassOf(in AgentState, StateOrigin, EngageFrom)"/> gives for it), else from the class
    /// of the confirmed state, kept by <see cref="ConfirmedChanged"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Reclassify() => _class = !_hasPending
        ? _confirmedClass
        : _pending.Kind == AgentStateKind.Available ? AgentSyncClass.Available : AgentSyncClass.IdleBySync;

    /// <summary>The confirmed state, its origin or the rules changed: their class, then <see cref="Class"/>.</summary>
    private void ConfirmedChanged()
    {
        _confirmedClass = AgentSyncTable.ClassOf(_confirmed, _origin, _rules.EngageFrom);
        Reclassify();
    }

    /// <summary>The earliest time at which <see cref="OnTimer"/> has work, in UTC ticks; <see cref="long.MaxValue"/> for none.</summary>
    public long DueAt
    {
        get
        {
            var due = long.MaxValue;
            if (_hasPending)
            {
                due = _pendingSince + _rules.PendingWriteTimeout.Ticks;
            }

            if (_echoGraceUntil != 0 && _echoGraceUntil < due)
            {
                due = _echoGraceUntil;
            }

            if (_published != PublishedPresence.None && _refreshDue < due)
            {
                due = _refreshDue;
            }

            return Math.Min(due, ConfirmationDue);
        }
    }

    /// <summary>A Teams presence was read or notified.</summary>
    public SyncDecision OnPresence(in TeamsPresence teamsPresence, string? sequenceNumber, long now)
    {
        var presence = new PresenceValue(teamsPresence, previousInactive: _observed.Inactive);
        if (sequenceNumber is not null)
        {
            if (_lastSequence.IsSet)
            {
                var order = _lastSequence.CompareFrom(sequenceNumber);
                if (order < 0)
                {
                    return SyncDecision.Of(SyncOutcome.Stale);
                }

                if (order == 0)
                {
                    return SyncDecision.Of(SyncOutcome.Duplicate);
                }
            }

            _lastSequence.Set(sequenceNumber);
        }

        if (_observed.Equals(presence))
        {
            return SyncDecision.Of(SyncOutcome.Unchanged);
        }

        if (!_observed.IsKnown && IsStaleSession(presence))
        {
            return ClearStaleSession(presence, now);
        }

        _observed = presence;

        if (_published != PublishedPresence.None && _published.Matches(presence.Availability, presence.Activity))
        {
            return SyncDecision.Of(SyncOutcome.Echo);
        }

        if (_echoGraceUntil != 0)
        {
            if (now < _echoGraceUntil && _echoPair.Matches(presence.Availability, presence.Activity))
            {
                return SyncDecision.Of(SyncOutcome.Echo);
            }

            // Teams shows something else than the stale echo: the grace is over.
            _echoGraceUntil = 0;
            _echoPair = PublishedPresence.None;
        }

        if (_effective.Equals(presence))
        {
            return SyncDecision.Of(SyncOutcome.Unchanged);
        }

        _effective = presence;
        var cell = CellForEffective(out var code);
        return LeavesAlone(cell, code)
            ? SyncDecision.Of(SyncOutcome.Applied, cell.LeftAlone)
            : ActOnPresence(cell.Action, code, now);
    }

    /// <summary>A WxCC agent event arrived.</summary>
    public SyncDecision OnAgentEvent(in AgentEvent agentEvent, long now)
    {
        if (agentEvent.Kind == AgentEventKind.StateChangeFailed)
        {
            return OnWriteFailed(_pending, now, remote: true);
        }

        var ticks = agentEvent.Timestamp.UtcTicks;
        var answer = agentEvent.Kind == AgentEventKind.Reconciliation && _verifying;
        if (_hasEvent)
        {
            // A reconciliation record corrects a state that an event dated ahead of the clock (within the skew) set.
            if (ticks < _lastEventTicks && !(agentEvent.Kind == AgentEventKind.Reconciliation && _lastEventTicks > now))
            {
                return answer ? Verified(SyncOutcome.Stale, now) : SyncDecision.Of(SyncOutcome.Stale);
            }

            if (ticks == _lastEventTicks)
            {
                // Events with the same timestamp: a state already applied at this timestamp is a replay, never a
                // change back. Up to SameTimestampCapacity distinct states are applied per timestamp; more are stale.
                if (_seenAtLastTicks.AsSpan(_seenAtLastTicksCount).Contains(agentEvent.State))
                {
                    return answer ? Verified(SyncOutcome.Duplicate, now) : SyncDecision.Of(SyncOutcome.Duplicate);
                }

                if (_seenAtLastTicksCount == SameTimestampCapacity)
                {
                    return answer ? Verified(SyncOutcome.Stale, now) : SyncDecision.Of(SyncOutcome.Stale);
                }
            }
            else
            {
                _seenAtLastTicksCount = 0;
            }
        }

        _seenAtLastTicks[_seenAtLastTicksCount++] = agentEvent.State;

        var origin = _rules.Classifier.Classify(AgentId, agentEvent, _recent.AsSpan(_recentCount), _recentCount > 0);
        var previous = _confirmed.Kind;
        var wasSignedOut = !_hasEvent || previous == AgentStateKind.LoggedOut;
        var landedOwnWrite = false;

        _confirmed = agentEvent.State;
        _origin = origin;
        _lastEventTicks = ticks;
        _hasEvent = true;

        var withdraw = false;
        if (origin == StateOrigin.PresenceSync)
        {
            if (_hasPending && _pending == agentEvent.State)
            {
                _hasPending = false;
                _outstanding = false;
                _failures = 0;
            }
            else if (!_hasPending)
            {
                // An earlier write of ours landed after a newer decision, or after a restart: reconcile.
                landedOwnWrite = true;
            }
        }
        else
        {
            // Someone else acted: their state is what the rules now see, and a queued write of ours is not wanted.
            _hasPending = false;
            withdraw = _outstanding;
            _outstanding = false;
            _failures = 0;
            _retryAt = 0;
        }

        ConfirmedChanged();

        // The state is fresh now: an open verify is answered by it, whichever event brought it (our own write landing
        // after a release asked for the read-back included), and the rules decide again below.
        var answered = _verifying;
        _verifying = false;
        ref var decision = ref Begin(SyncOutcome.Applied);
        decision.LeaveAlone(SyncRule.StateRecorded);
        Publish(ref decision, SyncTrigger.AgentStateChanged, now);

        var kind = _confirmed.Kind;
        if (kind is AgentStateKind.Available or AgentStateKind.Idle)
        {
            if (previous is AgentStateKind.Reserved or AgentStateKind.Engaged or AgentStateKind.WrapUp && !wasSignedOut)
            {
                Decide(ref decision, SyncTrigger.ContactEnded, now, verified: true);
            }
            else if (wasSignedOut)
            {
                Decide(ref decision, SyncTrigger.AgentSignedIn, now, verified: true);
            }
            else if (landedOwnWrite)
            {
                Decide(ref decision, SyncTrigger.OwnWriteLanded, now, verified: true);
            }
            else if (answered)
            {
                Decide(ref decision, SyncTrigger.StateVerified, now, verified: true);
            }
        }

        if (withdraw && !decision.HasStateWrite)
        {
            decision.Add(SyncCommandKind.Withdraw, (int)CommandStateSource.None, PublishedPresence.None, new(SyncRule.Withdraw, SyncTrigger.AgentStateChanged));
        }

        return Build();
    }

    /// <summary>Runs the timers that are due at <paramref name="now"/>.</summary>
    public SyncDecision OnTimer(long now)
    {
        var decide = false;
        var confirm = false;
        var trigger = SyncTrigger.WriteRetryDue;
        if (_hasPending && now >= _pendingSince + _rules.PendingWriteTimeout.Ticks)
        {
            // Not confirmed in time: read the state back before deciding again (or decide again at once).
            _hasPending = false;
            Reclassify();
            confirm = _rules.VerifyBeforeOverwrite;
            if (!confirm)
            {
                decide = true;
                trigger = SyncTrigger.PendingWriteExpired;
            }
        }

        if (_retryAt != 0 && now >= _retryAt)
        {
            _retryAt = 0;
            decide = true;
        }

        if (_echoGraceUntil != 0 && now >= _echoGraceUntil)
        {
            _echoGraceUntil = 0;
            _echoPair = PublishedPresence.None;
            if (_observed.IsKnown && !_effective.Equals(_observed) && InactivityRule.CodeFor(_rules, _observed.State, _observed.Inactive) is not null)
            {
                // Teams still shows a mapped state after the grace: take it as a real Teams state.
                _effective = _observed;
                trigger = SyncTrigger.EchoGraceExpired;
                decide = true;
            }
        }

        ref var decision = ref Begin(SyncOutcome.Applied);
        if (decide)
        {
            Decide(ref decision, trigger, now, verified: false);
        }
        else if (confirm)
        {
            Verify(ref decision, new(SyncRule.ConfirmWrite, SyncTrigger.PendingWriteExpired), now);
        }

        if (_published != PublishedPresence.None && now >= _refreshDue)
        {
            _refreshDue = now + _rules.PublishExpiration.Ticks - _rules.PublishRefreshMargin.Ticks;
            decision.Add(SyncCommandKind.PublishPresence, (int)CommandStateSource.None, _published, new(SyncRule.RefreshPublish, SyncTrigger.RefreshDue));
        }

        AskAgainIfDue(ref decision, now);
        return Build();
    }

    /// <summary>Clears what is published, for an agent that stops being tracked.</summary>
    public SyncDecision OnRemoved()
    {
        if (_published == PublishedPresence.None)
        {
            return SyncDecision.Of(SyncOutcome.Applied);
        }

        ref var decision = ref Begin(SyncOutcome.Applied);
        decision.Add(SyncCommandKind.ClearPresence, (int)CommandStateSource.None, _published, new(SyncRule.ClearPublish, SyncTrigger.AgentStateChanged));
        _published = PublishedPresence.None;
        return Build();
    }

    /// <summary>
    /// Starts the decision on an event: the machine's one builder, reset. It holds no references, so filling it costs
    /// no write barrier, and the decision handed out reads its commands from it. The serial makes an older decision's
    /// read fail instead of returning this event's commands.
    /// </summary>
    private ref DecisionBuilder Begin(SyncOutcome outcome)
    {
        _decisionSerial++;
        _decision.Reset(outcome);
        return ref _decision;
    }

    /// <summary>The decision started by <see cref="Begin"/>, its commands kept in the machine.</summary>
    private SyncDecision Build()
    {
        var count = _decision.Count;
        return new(_decision.Outcome, _decision.Rule, count, count == 0 ? null : this, _decisionSerial);
    }

    /// <summary>A command of the machine's last decision, with its agent and state.</summary>
    internal SyncCommand CommandOf(int serial, int index)
    {
        if (serial != _decisionSerial)
        {
            throw new InvalidOperationException(
                $"The commands of a decision for agent {AgentId} were read after the agent's next event; read them before giving the engine another event for the same agent.");
        }

        var slot = index == 0 ? _decision.First : _decision.Second;
        var source = slot.StateSource;
        var state = source switch
        {
            (int)CommandStateSource.None => default,
            (int)CommandStateSource.Confirmed => _confirmed,
            _ => _recent[source - (int)CommandStateSource.RecentWrite],
        };
        var kind = slot.Kind;
        return new(kind, _identity.AgentId, _identity.TeamsUserId, state, slot.Presence, kind == SyncCommandKind.PublishPresence ? _rules.PublishExpiration : TimeSpan.Zero, slot.Reason);
    }
}
