namespace Webex.TeamsConnector.Tests.Sync;

/// <summary><see cref="SyncRules.EngageFrom"/> (the seed's strict rule) and <see cref="SyncRules.IgnoreInactivity"/>.</summary>
public class EngageFromAndInactivityTests
{
    private static Harness Strict() => new(Harness.DefaultRules() with { EngageFrom = EngageFrom.PresenceSyncOrigin });

    private static Harness AwayAndBusyMapped(bool ignoreInactivity = true) => new(Harness.DefaultRules() with
    {
        Mapping = IdleCodeMapping.Create(new Dictionary<string, string?>
        {
            ["InACall"] = Harness.CallCode,
            ["Away"] = "c-away",
            ["Busy"] = "c-busy",
        }),
        IgnoreInactivity = ignoreInactivity,
    });

    [Fact]
    public void StrictEngage_AvailableSetByAgentThenTeamsCall_WritesNothing()
    {
        var h = Strict();
        h.AgentSets(AgentState.Available);

        h.TeamsCall().ShouldBeNone();
        h.Snapshot.Class.Should().Be(AgentSyncClass.AvailableByOthers);
    }

    [Theory]
    [InlineData("login")]
    [InlineData("supervisor")]
    [InlineData("contact end")]
    public void StrictEngage_AvailableSetByOthersThenTeamsCall_WritesNothing(string cause)
    {
        var h = Strict();
        switch (cause)
        {
            case "login": h.LogIn(AgentState.Available); break;
            case "supervisor": h.SupervisorSets(AgentState.Available); break;
            default: h.LogIn(AgentState.Available); h.Offer(); h.Answer(); h.SystemSets(AgentState.Available); break;
        }

        h.TeamsCall().ShouldBeNone();
    }

    [Fact]
    public void StrictEngage_AvailableSetByPresenceSyncThenTeamsCall_Engages()
    {
        var h = Strict();
        h.Confirm(AgentState.Available);
        h.TeamsCall().ShouldWrite(AgentState.Idle(Harness.CallCode), SyncRule.Engage);
        h.Confirm(AgentState.Idle(Harness.CallCode));
        h.TeamsFree().ShouldWrite(AgentState.Available, SyncRule.Release);
        h.Confirm(AgentState.Available);

        h.TeamsCall().ShouldWrite(AgentState.Idle(Harness.CallCode), SyncRule.Engage);
    }

    [Fact]
    public void DefaultEngage_AvailableSetByAgentThenTeamsCall_Engages()
    {
        var h = new Harness();
        h.AgentSets(AgentState.Available);

        h.TeamsCall().ShouldWrite(AgentState.Idle(Harness.CallCode), SyncRule.Engage);
    }

    [Theory]
    [InlineData("BusyIdle", "Inactive")]
    [InlineData("BusyIdle", "Busy")]
    [InlineData("AvailableIdle", "Inactive")]
    public void IgnoreInactivity_IdlePresenceWithBusyMapped_NeverEngages(string availability, string activity)
    {
        var h = AwayAndBusyMapped();
        h.AgentSets(AgentState.Available);

        h.Teams_(availability, activity).ShouldBeNone();
    }

    [Fact]
    public void IgnoreInactivity_AwayAfterIdleWithAwayMapped_NeverEngages()
    {
        var h = AwayAndBusyMapped();
        h.AgentSets(AgentState.Available);
        h.Teams_("AvailableIdle", "Inactive");

        h.TeamsAway().ShouldBeNone();
        h.Teams_("Away", "Away").ShouldBeNone();
    }

    [Fact]
    public void IgnoreInactivity_AwayChosenAfterBeingActive_Engages()
    {
        var h = AwayAndBusyMapped();
        h.AgentSets(AgentState.Available);
        h.Teams_("AvailableIdle", "Inactive");
        h.TeamsFree();

        h.TeamsAway().ShouldWrite(AgentState.Idle("c-away"), SyncRule.Engage);
    }

    [Fact]
    public void IgnoreInactivity_EngagedByCallThenIdle_Releases()
    {
        var h = AwayAndBusyMapped();
        h.AgentSets(AgentState.Available);
        h.Confirm(h.TeamsCall());

        h.Teams_("BusyIdle", "Inactive").ShouldWrite(AgentState.Available, SyncRule.Release);
    }

    [Fact]
    public void IgnoreInactivityOff_AwayAfterIdleWithAwayMapped_Engages()
    {
        var h = AwayAndBusyMapped(ignoreInactivity: false);
        h.AgentSets(AgentState.Available);
        h.Teams_("AvailableIdle", "Inactive");

        h.TeamsAway().ShouldWrite(AgentState.Idle("c-away"), SyncRule.Engage);
    }

    [Fact]
    public void SyncRules_UndefinedEngageFrom_IsReported()
    {
        var rules = Harness.DefaultRules() with { EngageFrom = (EngageFrom)7 };

        rules.Validate().Should().ContainSingle().Which.Should().Contain("EngageFrom");
    }
}
