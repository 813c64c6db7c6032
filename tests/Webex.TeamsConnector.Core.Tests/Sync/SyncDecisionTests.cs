using Microsoft.Extensions.Time.Testing;

namespace Webex.TeamsConnector.Tests.Sync;

/// <summary>
/// A decision is two machine words: its commands stay in the agent's machine until the agent's next event. Reading them
/// in time gives the commands; reading them after the next event fails loudly instead of returning that event's.
/// </summary>
public class SyncDecisionTests
{
    private static readonly TeamsPresence s_call = TeamsPresence.Parse("Busy", "InACall");
    private static readonly TeamsPresence s_free = TeamsPresence.Parse("Available", "Available");

    [Fact]
    public void Indexer_ReadBeforeTheAgentsNextEvent_GivesTheCommandWithItsAgentAndState()
    {
        var engine = Engine();

        var decision = engine.OnPresence("teams-1", s_call, null);

        decision.Count.Should().Be(1);
        decision.Rule.Should().Be(SyncRule.Engage);
        var command = decision[0];
        command.Kind.Should().Be(SyncCommandKind.SetIdle);
        command.AgentId.Should().Be("agent-1");
        command.TeamsUserId.Should().Be("teams-1");
        command.State.Should().Be(AgentState.Idle(Harness.CallCode));
        command.Reason.Should().Be(new SyncReason(SyncRule.Engage, SyncTrigger.TeamsPresenceChanged));
    }

    [Fact]
    public void Indexer_ReadAfterTheAgentsNextDecision_Throws()
    {
        var engine = Engine();
        var engage = engine.OnPresence("teams-1", s_call, null);

        var release = engine.OnPresence("teams-1", s_free, null);

        release[0].State.Should().Be(AgentState.Available);
        var stale = () => engage[0];
        stale.Should().Throw<InvalidOperationException>().WithMessage("*agent-1*next event*");
    }

    [Fact]
    public void Indexer_AnotherAgentsEventBetween_StillGivesTheCommand()
    {
        var engine = Engine();
        var first = engine.OnPresence("teams-1", s_call, null);

        engine.OnPresence("teams-2", s_call, null).Count.Should().Be(1);

        first[0].AgentId.Should().Be("agent-1");
        first[0].State.Should().Be(AgentState.Idle(Harness.CallCode));
    }

    [Fact]
    public void Indexer_OutOfRange_Throws()
    {
        var engine = Engine();
        var decision = engine.OnPresence("teams-1", s_call, null);

        var beyond = () => decision[1];
        var negative = () => decision[-1];

        beyond.Should().Throw<ArgumentOutOfRangeException>();
        negative.Should().Throw<ArgumentOutOfRangeException>();
        var empty = SyncDecision.Of(SyncOutcome.Unchanged);
        var none = () => empty[0];
        none.Should().Throw<ArgumentOutOfRangeException>();
    }

    private static SyncEngine Engine()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 24, 8, 0, 0, TimeSpan.Zero));
        var engine = new SyncEngine(Harness.DefaultRules(), time, 2);
        foreach (var n in new[] { "1", "2" })
        {
            engine.AddAgent("agent-" + n, "teams-" + n);
            engine.OnAgentEvent("agent-" + n, AgentEvent.StateChanged(AgentState.Available, time.GetUtcNow(), "agent", "agent-" + n));
        }

        return engine;
    }
}
