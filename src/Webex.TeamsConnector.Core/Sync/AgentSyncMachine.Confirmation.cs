namespace Webex.TeamsConnector;

/// <summary>
/// The machine's write confirmation: reading a state back before writing over it (<see cref="SyncCommandKind.Verify"/>),
/// withdrawing a queued write, re-deciding a refused or failed write after a back-off, and the stale session an
/// earlier run may have left in Teams.
/// </summary>
internal sealed partial class AgentSyncMachine
{
    // A write was emitted and no event has settled it: someone else's change withdraws it.
    private bool _outstanding;

    // A Verify is out: the next reconciliation record (or any newer event) answers it.
    private bool _verifying;
    private int _verifyAttempts;
    private long _verifyDue;
    private SyncReason _verifyReason;

    // Refused or failed writes in a row, and when the rules decide again.
    private int _failures;
    private long _retryAt;

    /// <summary>Whether a <see cref="SyncCommandKind.Verify"/> is waiting for its answer.</summary>
    public bool Verifying => _verifying;

    /// <summary>Refused or failed writes in a row.</summary>
    public int Failures => _failures;

    private long ConfirmationDue
    {
        get
        {
            var due = _verifying ? _verifyDue : long.MaxValue;
            return _retryAt != 0 && _retryAt < due ? _retryAt : due;
        }
    }

    /// <summary>
    /// A state write was refused or failed (a 4xx, retries exhausted, or <c>AgentStateChangeFailed</c> when
    /// <paramref name="remote"/>): forget it, and decide again after a back-off while the rules still want it.
    /// </summary>
    public SyncDecision OnWriteFailed(in AgentState attempted, long now, bool remote = false)
    {
        if (_hasPending && (remote || _pending == attempted))
        {
            _hasPending = false;
            Reclassify();
            _outstanding = false;
            _failures++;
            _retryAt = Math.Max(1, now + _rules.BackoffTicks(_rules.WriteRetryDelay, _failures));
        }

        return SyncDecision.Of(SyncOutcome.Applied, SyncRule.WriteBackoff);
    }

    /// <summary>A reconciliation record that changes nothing still answers the open verify: the held state is current.</summary>
    private SyncDecision Verified(SyncOutcome outcome, long now)
    {
        _verifying = false;
        ref var decision = ref Begin(outcome);
        Decide(ref decision, SyncTrigger.StateVerified, now, verified: true);
        return Build();
    }

    private void Verify(ref DecisionBuilder decision, SyncReason reason, long now)
    {
        if (_verifying)
        {
            // Already asked: the answer decides again with the presence current then.
            decision.LeaveAlone(SyncRule.AwaitingVerify);
            return;
        }

        _verifying = true;
        _verifyAttempts = 1;
        _verifyReason = reason;
        _verifyDue = now + _rules.VerifyTimeout.Ticks;
        decision.Add(SyncCommandKind.Verify, (int)CommandStateSource.Confirmed, PublishedPresence.None, reason);
    }

    /// <summary>Asks again for a state read that was not answered in time (the back-off doubles each time).</summary>
    private void AskAgainIfDue(ref DecisionBuilder decision, long now)
    {
        if (!_verifying || now < _verifyDue || decision.Count == 2)
        {
            return;
        }

        _verifyAttempts++;
        _verifyDue = now + _rules.BackoffTicks(_rules.VerifyTimeout, _verifyAttempts);
        decision.Add(SyncCommandKind.Verify, (int)CommandStateSource.Confirmed, PublishedPresence.None, new(_verifyReason.Rule, SyncTrigger.VerifyDue));
    }

    /// <summary>
    /// Teams shows the contact presence before the connector published anything: it may be a session an earlier run
    /// left behind.
    /// </summary>
    private bool IsStaleSession(PresenceValue presence) =>
        _rules.ClearStaleSessionAtStart
        && _published == PublishedPresence.None
        && _rules.EchoGracePeriod > TimeSpan.Zero
        && _rules.ContactPresence != PublishedPresence.None
        && _rules.ContactPresence.Matches(presence.Availability, presence.Activity)
        && !_confirmed.IsOnContact;

    /// <summary>Clears the possibly stale session, and takes it as an echo for one grace period; still shown after it, it is real.</summary>
    private SyncDecision ClearStaleSession(PresenceValue presence, long now)
    {
        _observed = presence;
        _echoPair = _rules.ContactPresence;
        _echoGraceUntil = Math.Max(1, now + _rules.EchoGracePeriod.Ticks);
        ref var decision = ref Begin(SyncOutcome.Echo);
        decision.Add(SyncCommandKind.ClearPresence, (int)CommandStateSource.None, _rules.ContactPresence, new(SyncRule.ClearStaleSession, SyncTrigger.TeamsPresenceChanged));
        return Build();
    }
}
