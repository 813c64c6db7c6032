using FluentAssertions;
using Xunit;

namespace Webex.TeamsConnector.Tests.Sync;

/// <summary><see cref="SyncDecision.Rule"/>: every decision names the rule that decided, "left alone" included.</summary>
public class DecisionRuleTests
{
    [Fact]
    public void OnPresence_AvailableAndTeamsBusy_RuleIsEngage()
    {
        var h = new Harness();
        h.Available();
        h.TeamsCall().Rule.Should().Be(SyncRule.Engage);
    }

    [Fact]
    public void OnPresence_AvailableAndTeamsFree_RuleIsNoChange()
    {
        var h = new Harness();
        h.Available();
        var decision = h.TeamsFree();
        decision.IsEmpty.Should().BeTrue();
        decision.Rule.Should().Be(SyncRule.NoChange);
    }

    [Fact]
    public void OnPresence_IdleSetByAgent_RuleIsAgentOwned()
    {
        var h = new Harness();
        h.AgentSets(AgentState.Idle(Harness.LunchCode));
        h.TeamsCall().Rule.Should().Be(SyncRule.AgentOwned);
    }

    [Fact]
    public void OnPresence_SignedOut_RuleIsSignedOut()
    {
        var h = new Harness();
        h.LogOut();
        h.TeamsCall().Rule.Should().Be(SyncRule.SignedOut);
    }

    [Fact]
    public void OnPresence_OnContact_RuleIsDeferredOnContact()
    {
        var h = new Harness();
        h.Available();
        h.Offer();
        h.Answer();
        var decision = h.TeamsDnd();
        decision.IsEmpty.Should().BeTrue();
        decision.Rule.Should().Be(SyncRule.DeferredOnContact);
    }

    [Fact]
    public void OnPresence_StrictRuleAndAvailableByAgent_RuleIsStrictEngage()
    {
        var h = new Harness(Harness.DefaultRules() with { EngageFrom = EngageFrom.PresenceSyncOrigin });
        h.Available();
        h.TeamsCall().Rule.Should().Be(SyncRule.StrictEngage);
    }

    [Fact]
    public void OnPresence_IdleBySyncAndTeamsFree_RuleIsRelease()
    {
        var h = new Harness();
        h.IdleBySync(() => h.TeamsCall(), Harness.CallCode);
        h.TeamsFree().Rule.Should().Be(SyncRule.Release);
    }

    [Fact]
    public void OnAgentEvent_AgentSetsIdleWithTeamsUnknown_RuleIsStateRecorded()
    {
        var h = new Harness();
        h.Available();
        var decision = h.AgentSets(AgentState.Idle(Harness.LunchCode));
        decision.Rule.Should().Be(SyncRule.StateRecorded);
    }

    [Fact]
    public void OnAgentEvent_SignInWithoutTeamsPresence_RuleIsNoTeamsPresence()
    {
        var h = new Harness();
        h.LogIn(AgentState.Available).Rule.Should().Be(SyncRule.NoTeamsPresence);
    }

    [Fact]
    public void OnAgentEvent_ContactEndsWhileTeamsBusy_RuleIsEngageNotTheClear()
    {
        var h = new Harness();
        h.Available();
        h.Offer();
        h.Answer();
        h.TeamsDnd();
        var ended = h.AgentSets(AgentState.Available);
        ended.ToList().Should().Contain(c => c.Kind == SyncCommandKind.ClearPresence);
        ended.Rule.Should().Be(SyncRule.Engage);
    }

    [Fact]
    public void OnWriteFailed_PendingWrite_RuleIsWriteBackoff()
    {
        var h = new Harness();
        h.Available();
        h.TeamsCall();
        h.Engine.OnWriteFailed(Harness.Agent, AgentState.Idle(Harness.CallCode)).Rule.Should().Be(SyncRule.WriteBackoff);
    }

    [Fact]
    public void OnPresence_Duplicate_RuleIsNone()
    {
        var h = new Harness();
        h.Available();
        var sequence = h.NextSequence();
        h.Engine.OnPresence(Harness.Teams, "Busy", "InACall", sequence);
        var repeat = h.Engine.OnPresence(Harness.Teams, "Busy", "InACall", sequence);
        repeat.Outcome.Should().Be(SyncOutcome.Duplicate);
        repeat.Rule.Should().Be(SyncRule.None);
    }

    [Theory]
    [InlineData(AgentSyncClass.LoggedOut, true, "SignedOut")]
    [InlineData(AgentSyncClass.OnContact, false, "DeferredOnContact")]
    [InlineData(AgentSyncClass.IdleByOthers, true, "AgentOwned")]
    [InlineData(AgentSyncClass.AvailableByOthers, true, "StrictEngage")]
    [InlineData(AgentSyncClass.AvailableByOthers, false, "NoChange")]
    [InlineData(AgentSyncClass.Available, false, "NoChange")]
    [InlineData(AgentSyncClass.IdleBySync, true, "NoChange")]
    public void LeftAloneRule_EachClass_NamesWhy(AgentSyncClass agent, bool mapped, string expected) =>
        AgentSyncTable.LeftAloneRule(agent, mapped).ToString().Should().Be(expected);
}
