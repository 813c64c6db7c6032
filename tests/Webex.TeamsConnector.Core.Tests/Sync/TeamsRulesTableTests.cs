namespace Webex.TeamsConnector.Tests.Sync;

/// <summary>One test per row of DESIGN.md's Teams -> WxCC table.</summary>
public class TeamsRulesTableTests
{
    [Theory]
    [InlineData("Busy", "InACall")]
    [InlineData("Available", "Available")]
    public void LoggedOut_AnyTeamsPresence_DoesNothing(string availability, string activity)
    {
        var h = new Harness();
        h.LogIn(AgentState.Available);
        h.LogOut();

        h.Teams_(availability, activity).ShouldBeNone();
        h.Snapshot.State.Should().Be(AgentState.LoggedOut);
    }

    [Fact]
    public void NeverSignedIn_TeamsCall_DoesNothing()
    {
        var h = new Harness();
        h.TeamsCall().ShouldBeNone();
    }

    [Theory]
    [InlineData("reserved")]
    [InlineData("engaged")]
    [InlineData("wrapup")]
    public void OnContact_TeamsMapped_DoesNothingNow(string contactState)
    {
        var h = new Harness();
        h.Available();
        h.Offer();
        if (contactState != "reserved")
        {
            h.Answer();
        }

        if (contactState == "wrapup")
        {
            h.WrapUp();
        }

        var decision = h.TeamsDnd();

        decision.ShouldBeNone();
        decision.Outcome.Should().Be(SyncOutcome.Applied);
        h.Snapshot.EffectivePresence.Should().Be(new TeamsPresence(TeamsAvailability.DoNotDisturb, TeamsActivity.DoNotDisturb), "it is remembered for when the contact ends");
    }

    [Fact]
    public void Available_TeamsMapped_EngagesMappedIdleCode()
    {
        var h = new Harness();
        h.Available();

        h.TeamsCall().ShouldWrite(AgentState.Idle(Harness.CallCode), SyncRule.Engage);
        h.Snapshot.Class.Should().Be(AgentSyncClass.IdleBySync);
    }

    [Theory]
    [InlineData(StateOrigin.Agent)]
    [InlineData(StateOrigin.Supervisor)]
    [InlineData(StateOrigin.PresenceSync)]
    [InlineData(StateOrigin.System)]
    public void Available_SetByAnyone_TeamsMapped_Engages(StateOrigin origin)
    {
        var h = new Harness();
        switch (origin)
        {
            case StateOrigin.Agent: h.AgentSets(AgentState.Available); break;
            case StateOrigin.Supervisor: h.SupervisorSets(AgentState.Available); break;
            case StateOrigin.System: h.LogIn(AgentState.Available); break;
            default: h.IdleBySync(() => h.TeamsDnd(), Harness.DndCode); h.TeamsFree(); h.Confirm(AgentState.Available); break;
        }

        h.Snapshot.Origin.Should().Be(origin);
        h.TeamsPresenting().ShouldWrite(AgentState.Idle(Harness.PresentingCode), SyncRule.Engage);
    }

    [Fact]
    public void IdleBySync_TeamsMappedToOtherCode_Remaps()
    {
        var h = new Harness();
        h.IdleBySync(() => h.TeamsCall(), Harness.CallCode);

        h.TeamsPresenting().ShouldWrite(AgentState.Idle(Harness.PresentingCode), SyncRule.Remap);
    }

    [Fact]
    public void IdleBySync_TeamsMappedToSameCode_DoesNothing()
    {
        var h = new Harness();
        h.IdleBySync(() => h.TeamsDnd(), Harness.DndCode);

        // Another presence that shows the same Teams state (Do Not Disturb).
        h.Teams_("DoNotDisturb", "UrgentInterruptionsOnly").ShouldBeNone();
    }

    [Theory]
    [InlineData(StateOrigin.Agent)]
    [InlineData(StateOrigin.Supervisor)]
    [InlineData(StateOrigin.Rona)]
    [InlineData(StateOrigin.System)]
    public void IdleNotBySync_AnyTeamsPresence_DoesNothing(StateOrigin origin)
    {
        var h = new Harness();
        h.IdleBySync(() => h.TeamsCall(), Harness.CallCode);
        switch (origin)
        {
            case StateOrigin.Agent: h.AgentSets(AgentState.Idle(Harness.LunchCode)); break;
            case StateOrigin.Supervisor: h.SupervisorSets(AgentState.Idle(Harness.LunchCode)); break;
            case StateOrigin.Rona: h.Offer(); h.Rona(); break;
            default: h.SystemSets(AgentState.Idle(Harness.SystemCode)); break;
        }

        h.Snapshot.Origin.Should().Be(origin);
        h.TeamsFree().ShouldBeNone();
        h.TeamsDnd().ShouldBeNone();
        h.TeamsFree().ShouldBeNone();
    }

    [Fact]
    public void IdleBySync_TeamsFree_ReleasesToAvailable()
    {
        var h = new Harness();
        h.IdleBySync(() => h.TeamsCall(), Harness.CallCode);

        h.TeamsFree().ShouldWrite(AgentState.Available, SyncRule.Release);
        h.Snapshot.Class.Should().Be(AgentSyncClass.Available);
    }

    [Theory]
    [InlineData("Available", "Available")]
    [InlineData("Away", "Away")]
    [InlineData("Busy", "InAMeeting")]
    public void Available_TeamsFree_DoesNothing(string availability, string activity)
    {
        var h = new Harness();
        h.Available();

        h.Teams_(availability, activity).ShouldBeNone();
    }

    [Fact]
    public void AgentSetsAvailableDuringTeamsCall_IsRespectedUntilTeamsChanges()
    {
        var h = new Harness();
        h.IdleBySync(() => h.TeamsCall(), Harness.CallCode);
        h.AgentSets(AgentState.Available).ShouldBeNone();

        h.TeamsCall().ShouldBeNone();
        h.Snapshot.Class.Should().Be(AgentSyncClass.Available);

        h.TeamsPresenting().ShouldWrite(AgentState.Idle(Harness.PresentingCode), SyncRule.Engage);
    }

    [Fact]
    public void RepeatedPresence_IsNoEvent()
    {
        var h = new Harness();
        h.Available();
        h.TeamsFree();

        var decision = h.TeamsFree();

        decision.ShouldBeNone();
        decision.Outcome.Should().Be(SyncOutcome.Unchanged);
    }

    [Theory]
    [InlineData(AgentSyncClass.LoggedOut, false, TeamsAction.None)]
    [InlineData(AgentSyncClass.LoggedOut, true, TeamsAction.None)]
    [InlineData(AgentSyncClass.Available, false, TeamsAction.None)]
    [InlineData(AgentSyncClass.Available, true, TeamsAction.Engage)]
    [InlineData(AgentSyncClass.IdleBySync, false, TeamsAction.Release)]
    [InlineData(AgentSyncClass.IdleBySync, true, TeamsAction.Remap)]
    [InlineData(AgentSyncClass.IdleByOthers, false, TeamsAction.None)]
    [InlineData(AgentSyncClass.IdleByOthers, true, TeamsAction.None)]
    [InlineData(AgentSyncClass.OnContact, false, TeamsAction.Defer)]
    [InlineData(AgentSyncClass.OnContact, true, TeamsAction.Defer)]
    [InlineData(AgentSyncClass.AvailableByOthers, false, TeamsAction.None)]
    [InlineData(AgentSyncClass.AvailableByOthers, true, TeamsAction.None)]
    public void RulesTable_MatchesDesign(AgentSyncClass agent, bool mapped, object action)
    {
        AgentSyncTable.ActionFor(agent, mapped).Should().Be((TeamsAction)action);
        AgentSyncTable.TeamsRules.Should().HaveCount(12);
    }

    [Fact]
    public void CellFor_EveryRow_IsTheRowsActionAndLeftAloneRule()
    {
        foreach (var row in AgentSyncTable.TeamsRules)
        {
            var cell = AgentSyncTable.CellFor(row.Agent, row.TeamsMapped);

            cell.Action.Should().Be(row.Action, "row {0}, mapped {1}", row.Agent, row.TeamsMapped);
            cell.LeftAlone.Should().Be(AgentSyncTable.LeftAloneRule(row.Agent, row.TeamsMapped), "row {0}, mapped {1}", row.Agent, row.TeamsMapped);
            cell.Acts.Should().Be(row.Action is TeamsAction.Engage or TeamsAction.Remap or TeamsAction.Release);
        }

        AgentSyncTable.TeamsRules.Select(r => (r.Agent, r.TeamsMapped)).Should()
            .BeEquivalentTo(Enum.GetValues<AgentSyncClass>().SelectMany(c => new[] { (c, false), (c, true) }), "every class and Teams class has exactly one row");
    }
}
