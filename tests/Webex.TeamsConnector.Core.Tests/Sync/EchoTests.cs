namespace Webex.TeamsConnector.Tests.Sync;

/// <summary>Teams shows the connector's own published session: ignore it while publishing and for a grace after clearing.</summary>
public class EchoTests
{
    private static Harness OnContactWithTeamsFree()
    {
        var h = new Harness();
        h.Available();
        h.TeamsFree();
        h.Offer();
        h.Answer();
        return h;
    }

    [Fact]
    public void WhilePublishing_TeamsInACall_IsOurEcho()
    {
        var h = OnContactWithTeamsFree();

        var decision = h.TeamsCall();

        decision.Outcome.Should().Be(SyncOutcome.Echo);
        h.Snapshot.EffectivePresence!.Value.Activity.Should().Be(TeamsActivity.Available);
    }

    [Fact]
    public void AfterClear_EchoSeenDuringTheContactRepeatedWithinGrace_IsUnchanged()
    {
        var h = OnContactWithTeamsFree();
        h.TeamsCall().Outcome.Should().Be(SyncOutcome.Echo);
        h.WrapUp();
        h.AgentSets(AgentState.Available).ShouldBeSingle(SyncCommandKind.ClearPresence);

        h.Time.Advance(TimeSpan.FromSeconds(5));
        var decision = h.TeamsCall();

        // Teams already showed this echo during the contact: a repeat is no event at all.
        decision.ShouldBeNone();
        decision.Outcome.Should().Be(SyncOutcome.Unchanged);
        h.Snapshot.EffectivePresence!.Value.Activity.Should().Be(TeamsActivity.Available);
    }

    [Fact]
    public void AfterClear_StaleInACallFirstDeliveredWithinGrace_IsEcho_AndAfterGraceIsAFreshChange()
    {
        // Teams was free during the contact; the connector published Busy/InACall and Teams had not shown it yet.
        var h = OnContactWithTeamsFree();
        h.Snapshot.Published.Should().Be(PublishedPresence.InACall);
        h.WrapUp();
        h.AgentSets(AgentState.Available).ShouldBeSingle(SyncCommandKind.ClearPresence);

        // Teams delivers our session's InACall late, inside the grace period.
        h.Time.Advance(TimeSpan.FromSeconds(5));
        var decision = h.TeamsCall();

        decision.Outcome.Should().Be(SyncOutcome.Echo);
        decision.ShouldBeNone();
        h.Snapshot.EffectivePresence!.Value.Activity.Should().Be(TeamsActivity.Available);
        h.Snapshot.State.Should().Be(AgentState.Available);
        h.Snapshot.PendingWrite.Should().BeNull();

        // Still inside the grace: nothing.
        h.Advance(TimeSpan.FromSeconds(4.9)).Should().BeEmpty();

        // The grace ends and Teams still shows InACall: a real call, evaluated as a fresh change.
        var commands = h.Advance(TimeSpan.FromSeconds(0.1));
        var write = commands.Should().ContainSingle().Subject;
        write.Kind.Should().Be(SyncCommandKind.SetIdle);
        write.State.Should().Be(AgentState.Idle(Harness.CallCode));
        write.Reason.Should().Be(new SyncReason(SyncRule.Engage, SyncTrigger.EchoGraceExpired));
        h.Snapshot.EffectivePresence!.Value.Activity.Should().Be(TeamsActivity.InACall);
    }

    [Fact]
    public void AfterClear_EchoThenTeamsFree_EndsGraceWithoutAction()
    {
        var h = OnContactWithTeamsFree();
        h.TeamsCall();
        h.WrapUp();
        h.AgentSets(AgentState.Available);

        h.TeamsFree().ShouldBeNone();
        h.Advance(TimeSpan.FromSeconds(30)).Should().BeEmpty();

        // A real Teams call after that is not mistaken for an echo.
        h.TeamsCall().ShouldWrite(AgentState.Idle(Harness.CallCode), SyncRule.Engage);
    }

    [Fact]
    public void GraceEnds_TeamsStillInACall_IsEvaluatedAsAFreshChange()
    {
        var h = OnContactWithTeamsFree();
        h.TeamsCall();
        h.WrapUp();
        h.AgentSets(AgentState.Available);
        h.TeamsCall();

        h.Advance(TimeSpan.FromSeconds(9)).Should().BeEmpty();
        var commands = h.Advance(TimeSpan.FromSeconds(1));

        var write = commands.Should().ContainSingle().Subject;
        write.State.Should().Be(AgentState.Idle(Harness.CallCode));
        write.Reason.Should().Be(new SyncReason(SyncRule.Engage, SyncTrigger.EchoGraceExpired));
    }

    [Fact]
    public void GraceEnds_TeamsShowsFreeEcho_NothingHappens()
    {
        var rules = Harness.DefaultRules() with
        {
            IdleCodePresences = new Dictionary<string, PublishedPresence> { [Harness.LunchCode] = PublishedPresence.Available },
        };
        var h = new Harness(rules);
        h.Available();
        h.TeamsDnd();
        h.AgentSets(AgentState.Idle(Harness.LunchCode)).ToList().Select(c => c.Kind).Should().Equal(
            [SyncCommandKind.PublishPresence, SyncCommandKind.Withdraw], "the agent's change also withdraws the queued engage");
        h.TeamsFree().Outcome.Should().Be(SyncOutcome.Echo);
        h.AgentSets(AgentState.Idle(Harness.SystemCode)).ShouldBeSingle(SyncCommandKind.ClearPresence);

        h.Advance(TimeSpan.FromMinutes(1)).Should().BeEmpty();
    }

    [Fact]
    public void WhilePublishing_UserSetsDoNotDisturb_IsRealAndDeferred()
    {
        var h = OnContactWithTeamsFree();

        h.TeamsDnd().Outcome.Should().Be(SyncOutcome.Applied);
        h.WrapUp();

        h.AgentSets(AgentState.Available).ShouldWrite(AgentState.Idle(Harness.DndCode), SyncRule.Engage);
    }
}

public class StartupEchoTests
{
    [Fact]
    public void OnPresence_FirstPresenceIsTheContactPresence_ClearsTheStaleSessionAndIgnoresItWithinGrace()
    {
        var h = new Harness(Harness.DefaultRules() with { ClearStaleSessionAtStart = true });
        h.Available();

        var first = h.TeamsCall();

        first.Outcome.Should().Be(SyncOutcome.Echo);
        var clear = first.ShouldBeSingle(SyncCommandKind.ClearPresence);
        clear.Presence.Should().Be(PublishedPresence.InACall);
        clear.Reason.Should().Be(new SyncReason(SyncRule.ClearStaleSession, SyncTrigger.TeamsPresenceChanged));
        h.TeamsFree().ShouldBeNone();
        h.Advance(TimeSpan.FromSeconds(30)).Should().BeEmpty();
    }

    [Fact]
    public void OnPresence_ContactPresenceStillShownAfterGrace_IsARealCall()
    {
        var h = new Harness(Harness.DefaultRules() with { ClearStaleSessionAtStart = true });
        h.Available();
        h.TeamsCall();

        var commands = h.Advance(TimeSpan.FromSeconds(10));

        commands.Should().ContainSingle().Which.State.Should().Be(AgentState.Idle(Harness.CallCode));
    }

    [Fact]
    public void OnPresence_FirstPresenceIsAnotherState_IsRealAtOnce()
    {
        var h = new Harness(Harness.DefaultRules() with { ClearStaleSessionAtStart = true });
        h.Available();

        h.TeamsDnd().ShouldWrite(AgentState.Idle(Harness.DndCode), SyncRule.Engage);
        h.TeamsCall().ShouldWrite(AgentState.Idle(Harness.CallCode), SyncRule.Remap);
    }
}
