namespace Webex.TeamsConnector.Tests.Sync;

/// <summary>
/// The decisions that used to live in the host and the adapters: withdrawing a queued write, the event clock window,
/// reading a state back before writing over it, write confirmation, and retrying a refused write.
/// </summary>
public class ConfirmationTests
{
    private static Harness Verifying() => new(Harness.DefaultRules() with { VerifyBeforeOverwrite = true });

    private static SyncDecision Reconciled(Harness h, AgentState state, DateTimeOffset at, string? reason = null, string? changedBy = null) =>
        h.Event(AgentEvent.Reconciled(state, at, reason, changedBy));

    [Fact]
    public void AgentActs_WhileOurWriteIsQueued_EmitsWithdraw()
    {
        var h = new Harness();
        h.Available();
        h.TeamsCall().ShouldWrite(AgentState.Idle(Harness.CallCode), SyncRule.Engage);

        var withdraw = h.AgentSets(AgentState.Idle(Harness.LunchCode)).ShouldBeSingle(SyncCommandKind.Withdraw);

        withdraw.Reason.Should().Be(new SyncReason(SyncRule.Withdraw, SyncTrigger.AgentStateChanged));
        withdraw.ToString().Should().Be("Withdraw agent a1: Withdraw (AgentStateChanged)");
    }

    [Fact]
    public void AgentActs_AfterOurWriteWasConfirmed_NoWithdraw()
    {
        var h = new Harness();
        h.IdleBySync(() => h.TeamsCall(), Harness.CallCode);

        h.AgentSets(AgentState.Idle(Harness.LunchCode)).ShouldBeNone();
    }

    [Fact]
    public void AgentEvent_DatedADayAhead_IsRejectedAndLaterEventsStillApply()
    {
        var h = new Harness();
        h.Available();
        var before = h.Snapshot;

        var future = h.Event(AgentEvent.StateChanged(AgentState.Idle(Harness.LunchCode), h.Time.GetUtcNow().AddDays(1), "agent-choice", Harness.Agent));

        future.Outcome.Should().Be(SyncOutcome.ClockSkew);
        future.IsEmpty.Should().BeTrue();
        h.Snapshot.Should().Be(before);
        h.AgentSets(AgentState.Idle(Harness.MeetingCode)).Outcome.Should().Be(SyncOutcome.Applied);
        h.Snapshot.State.Should().Be(AgentState.Idle(Harness.MeetingCode));
    }

    [Fact]
    public void AgentEvent_AheadWithinTheSkew_AReconciliationRecordStillCorrectsIt()
    {
        var h = new Harness();
        var now = h.Time.GetUtcNow();
        h.Event(AgentEvent.StateChanged(AgentState.Idle(Harness.LunchCode), now.AddMinutes(4), "agent-choice", Harness.Agent)).Outcome.Should().Be(SyncOutcome.Applied);

        // A live event dated before it is older...
        h.Event(AgentEvent.StateChanged(AgentState.Available, now, "agent-choice", Harness.Agent)).Outcome.Should().Be(SyncOutcome.Stale);

        // ...but the state read from WxCC corrects it.
        Reconciled(h, AgentState.Available, now).Outcome.Should().Be(SyncOutcome.Applied);
        h.Snapshot.State.Should().Be(AgentState.Available);
    }

    [Fact]
    public void Release_AskedBeforeOurWriteLanded_TheLandingAnswersTheReadBack_AndReleases()
    {
        // Found by AuditSecretsEndToEndTests: Teams went back to Available between WxCC accepting our Idle write and
        // WxCC's event for it. The release asked for a read-back; the event then answered it (the state was fresh) but
        // decided nothing, and the read-back's own answer came as a duplicate: the agent stayed Idle.
        var h = Verifying();
        h.Available();
        h.TeamsCall().ShouldWrite(AgentState.Idle(Harness.CallCode), SyncRule.Engage);
        h.TeamsFree().ShouldBeSingle(SyncCommandKind.Verify).Reason.Should().Be(new SyncReason(SyncRule.Release, SyncTrigger.TeamsPresenceChanged));

        var landed = h.NextEventTime();
        var decision = h.Event(AgentEvent.StateChanged(AgentState.Idle(Harness.CallCode), landed, Harness.Marker, Harness.Agent));

        decision.ShouldWrite(AgentState.Available, SyncRule.Release);
        h.Engine.TryGetAgent(Harness.Agent, out var agent).Should().BeTrue();
        agent.PendingWrite.Should().Be(AgentState.Available);

        // The read-back's answer, the same record again, changes nothing more.
        Reconciled(h, AgentState.Idle(Harness.CallCode), landed, Harness.Marker, Harness.Agent).ShouldBeNone();
    }

    [Fact]
    public void Release_OverAConfirmedState_ReadsItBackFirst_ThenWritesWhenUnchanged()
    {
        var h = Verifying();
        h.Available();
        h.TeamsCall();
        var landed = h.NextEventTime();
        h.Event(AgentEvent.StateChanged(AgentState.Idle(Harness.CallCode), landed, Harness.Marker, Harness.Agent));

        var verify = h.TeamsFree().ShouldBeSingle(SyncCommandKind.Verify);
        verify.Reason.Should().Be(new SyncReason(SyncRule.Release, SyncTrigger.TeamsPresenceChanged));
        h.Engine.TryGetAgent(Harness.Agent, out _).Should().BeTrue();

        var answer = Reconciled(h, AgentState.Idle(Harness.CallCode), landed, Harness.Marker, Harness.Agent);

        answer.Outcome.Should().Be(SyncOutcome.Duplicate);
        answer.ShouldWrite(AgentState.Available, SyncRule.Release);
        answer[0].Reason.Trigger.Should().Be(SyncTrigger.StateVerified);
    }

    [Fact]
    public void Release_ReadBackShowsTheAgentsLunch_NeverWritesOverIt()
    {
        var h = Verifying();
        h.IdleBySync(() => h.TeamsCall(), Harness.CallCode);
        h.TeamsFree().ShouldBeSingle(SyncCommandKind.Verify);

        // The agent's Lunch event was lost on the way; the read shows it.
        Reconciled(h, AgentState.Idle(Harness.LunchCode), h.NextEventTime()).ShouldBeNone();

        h.Snapshot.State.Should().Be(AgentState.Idle(Harness.LunchCode));
        h.Snapshot.Origin.Should().Be(StateOrigin.Agent);
        h.Advance(TimeSpan.FromMinutes(10)).Should().BeEmpty();
    }

    [Fact]
    public void Remap_OverAConfirmedState_ReadsItBackFirst()
    {
        var h = Verifying();
        h.IdleBySync(() => h.TeamsCall(), Harness.CallCode);

        h.TeamsDnd().ShouldBeSingle(SyncCommandKind.Verify).Reason.Rule.Should().Be(SyncRule.Remap);
        Reconciled(h, AgentState.Idle(Harness.CallCode), h.NextEventTime(), Harness.Marker).ShouldWrite(AgentState.Idle(Harness.DndCode), SyncRule.Remap);
    }

    [Fact]
    public void Verify_Unanswered_IsAskedAgainWithADoublingBackOff()
    {
        var h = Verifying();
        h.IdleBySync(() => h.TeamsCall(), Harness.CallCode);
        h.TeamsFree().ShouldBeSingle(SyncCommandKind.Verify);
        // A verify is already out: its answer decides with the presence current then.
        h.TeamsDnd().ShouldBeNone();

        h.Advance(TimeSpan.FromSeconds(9)).Should().BeEmpty();
        h.Advance(TimeSpan.FromSeconds(1)).Should().ContainSingle().Which.Reason.Should().Be(new SyncReason(SyncRule.Release, SyncTrigger.VerifyDue));
        h.Advance(TimeSpan.FromSeconds(19)).Should().BeEmpty();
        h.Advance(TimeSpan.FromSeconds(1)).Should().ContainSingle().Which.Kind.Should().Be(SyncCommandKind.Verify);
    }

    [Fact]
    public void Verify_AnsweredByANewerLiveEvent_IsNotAskedAgain()
    {
        var h = Verifying();
        h.IdleBySync(() => h.TeamsCall(), Harness.CallCode);
        h.TeamsFree().ShouldBeSingle(SyncCommandKind.Verify);

        h.SupervisorSets(AgentState.Idle(Harness.MeetingCode));

        h.Advance(TimeSpan.FromMinutes(10)).Should().BeEmpty();
    }

    [Fact]
    public void PendingWrite_NotConfirmedInTime_IsReadBackBeforeDecidingAgain()
    {
        var h = Verifying();
        h.Available();
        h.TeamsCall().ShouldWrite(AgentState.Idle(Harness.CallCode), SyncRule.Engage);

        var verify = h.Advance(TimeSpan.FromMinutes(1));

        verify.Should().ContainSingle().Which.Reason.Should().Be(new SyncReason(SyncRule.ConfirmWrite, SyncTrigger.PendingWriteExpired));
        h.Snapshot.PendingWrite.Should().BeNull();

        // The write never took effect: WxCC still shows Available, and the rules still want Idle.
        var answer = Reconciled(h, AgentState.Available, DateTimeOffset.FromUnixTimeMilliseconds(1_100), "agent-choice", Harness.Agent);
        answer.ShouldWrite(AgentState.Idle(Harness.CallCode), SyncRule.Engage);
    }

    [Fact]
    public void PendingWrite_ReadBackShowsItLanded_NothingMoreToDo()
    {
        var h = Verifying();
        h.Available();
        h.TeamsCall();
        h.Advance(TimeSpan.FromMinutes(1)).Should().ContainSingle();

        Reconciled(h, AgentState.Idle(Harness.CallCode), h.NextEventTime(), Harness.Marker).ShouldBeNone();

        h.Snapshot.Class.Should().Be(AgentSyncClass.IdleBySync);
        h.Advance(TimeSpan.FromMinutes(10)).Should().BeEmpty();
    }

    [Fact]
    public void Rules_InvalidConfirmationSettings_AreListed()
    {
        var rules = Harness.DefaultRules() with
        {
            MaxEventClockSkew = TimeSpan.Zero,
            VerifyTimeout = TimeSpan.Zero,
            WriteRetryDelay = TimeSpan.FromMinutes(10),
        };

        rules.Validate().Should().HaveCount(3).And.Contain(e => e.Contains("MaxEventClockSkew")).And.Contain(e => e.Contains("VerifyTimeout")).And.Contain(e => e.Contains("WriteRetryDelay"));
    }
}
