namespace Webex.TeamsConnector.Tests.Diagrams;

/// <summary>The exported diagrams are pinned: a change of the rules shows up here in review.</summary>
public class StateDiagramsTests
{
    [Fact]
    public void AgentSync_IsPinned()
    {
        const string expected = """
            stateDiagram-v2
                [*] --> LoggedOut
                Available --> IdleBySync : Teams mapped / engage, set Idle(mapped code)
                IdleBySync --> Available : Teams free / release, set Available
                IdleBySync --> IdleBySync : Teams mapped / remap, set Idle(mapped code) if it differs
                OnContact --> OnContact : Teams free / defer, remember; evaluate when the contact ends
                OnContact --> OnContact : Teams mapped / defer, remember; evaluate when the contact ends
                LoggedOut --> Available : login into Available / evaluate Teams once
                LoggedOut --> IdleByOthers : login into a system idle code
                Available --> IdleByOthers : agent, supervisor or system sets an idle code / publish the idle code if configured
                Available --> OnContact : contact offered
                IdleBySync --> IdleByOthers : agent, supervisor, RONA or system sets an idle code
                IdleBySync --> Available : agent or supervisor sets Available
                IdleByOthers --> Available : agent or supervisor sets Available / clear a published idle code
                OnContact --> OnContact : contact engaged / publish Busy/InACall and refresh it
                OnContact --> IdleByOthers : offer not answered (RONA)
                OnContact --> Available : contact ends into Available / clear; evaluate Teams once
                OnContact --> IdleByOthers : contact ends into an idle code / clear; evaluate Teams once
                Available --> LoggedOut : logout
                IdleBySync --> LoggedOut : logout
                IdleByOthers --> LoggedOut : logout / clear a published idle code
                LoggedOut --> AvailableByOthers : login into Available (EngageFrom=PresenceSyncOrigin)
                IdleBySync --> AvailableByOthers : agent or supervisor sets Available (EngageFrom=PresenceSyncOrigin)
                IdleByOthers --> AvailableByOthers : agent or supervisor sets Available (EngageFrom=PresenceSyncOrigin) / clear a published idle code
                OnContact --> AvailableByOthers : contact ends into Available (EngageFrom=PresenceSyncOrigin) / clear; evaluate Teams once
                AvailableByOthers --> IdleByOthers : agent, supervisor or system sets an idle code (EngageFrom=PresenceSyncOrigin) / publish the idle code if configured
                AvailableByOthers --> OnContact : contact offered (EngageFrom=PresenceSyncOrigin)
                AvailableByOthers --> LoggedOut : logout (EngageFrom=PresenceSyncOrigin)
                note right of AvailableByOthers : EngageFrom=PresenceSyncOrigin only; Teams never engages from it
                note right of Available : a Teams state counts as free while it shows inactivity (IgnoreInactivity)
            """;

        StateDiagrams.AgentSync().Should().Be(expected.ReplaceLineEndings("\n") + "\n");
    }

    [Fact]
    public void ConnectorLifecycle_IsPinned()
    {
        const string expected = """
            stateDiagram-v2
                [*] --> NotConfigured
                NotConfigured --> Active : authorize
                Deleted --> Active : authorize
                Active --> Inactive : deactivate
                Inactive --> Active : reactivate
                Inactive --> Deleted : delete
                note right of Active : degraded while the organization's presence-sync setting is off
            """;

        StateDiagrams.ConnectorLifecycle().Should().Be(expected.ReplaceLineEndings("\n") + "\n");
    }

    [Fact]
    public void AgentSync_HasAnEdgeForEveryRuleThatActs()
    {
        var text = StateDiagrams.AgentSync();
        foreach (var rule in AgentSyncTable.TeamsRules.Where(r => r.Action != TeamsAction.None))
        {
            text.Should().Contain($"{rule.Agent} --> {rule.Result} : Teams {(rule.TeamsMapped ? "mapped" : "free")} / {rule.Action.ToString().ToLowerInvariant()}");
        }
    }
}
