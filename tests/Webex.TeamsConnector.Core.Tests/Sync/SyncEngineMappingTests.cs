using Microsoft.Extensions.Time.Testing;

namespace Webex.TeamsConnector.Tests.Sync;

/// <summary>The idle-code mapping swapped at run time (the admin API's mapping change).</summary>
public class SyncEngineMappingTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 29, 9, 0, 0, TimeSpan.Zero));

    [Fact]
    public void ReplaceMapping_TrackedAndLaterAgents_UseItFromTheirNextTeamsChange()
    {
        var engine = new SyncEngine(Harness.DefaultRules(), _time);
        engine.AddAgent("a1", "t1");
        engine.OnAgentEvent("a1", AgentEvent.LoggedIn(AgentState.Available, _time.GetUtcNow()));

        engine.ReplaceMapping(IdleCodeMapping.Create([new KeyValuePair<TeamsState, string>(TeamsState.InACall, "c-lunch")]));
        engine.AddAgent("a2", "t2");
        engine.OnAgentEvent("a2", AgentEvent.LoggedIn(AgentState.Available, _time.GetUtcNow()));

        engine.Rules.Mapping.Resolve(TeamsState.InACall).Should().Be("c-lunch");
        engine.OnPresence("t1", "Busy", "InACall", null)[0].State.Should().Be(AgentState.Idle("c-lunch"));
        engine.OnPresence("t2", "Busy", "InACall", null)[0].State.Should().Be(AgentState.Idle("c-lunch"));
    }

    [Fact]
    public void ReplaceMapping_AStateNoLongerMapped_LeavesTheAgentFree()
    {
        var engine = new SyncEngine(Harness.DefaultRules(), _time);
        engine.AddAgent("a1", "t1");
        engine.OnAgentEvent("a1", AgentEvent.LoggedIn(AgentState.Available, _time.GetUtcNow()));

        engine.ReplaceMapping(IdleCodeMapping.Empty);

        engine.OnPresence("t1", "Busy", "InACall", null).Count.Should().Be(0);
    }
}
