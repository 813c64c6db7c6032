using Microsoft.Extensions.Time.Testing;

namespace Webex.TeamsConnector.Tests.Sync;

/// <summary>
/// The engine's last run machine, read by the audit recorder instead of a second lookup: it answers only for the agent
/// (or Teams user) the last call was about, with the same state and origin a lookup gives.
/// </summary>
public class SyncEngineLastDecidedTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 30, 9, 0, 0, TimeSpan.Zero));
    private long _eventClock = 1_000;

    private SyncEngine NewEngine() => Harness.TwoSignedInAgents(_time, NextEventTime, firstTeamsUserId: "T1");

    private DateTimeOffset NextEventTime() => DateTimeOffset.FromUnixTimeMilliseconds(_eventClock += 100);

    [Fact]
    public void TryGetLastDecided_AfterAnAgentEvent_GivesThatAgentsStateAndOriginAfterIt()
    {
        var engine = NewEngine();

        engine.OnAgentEvent("a1", AgentEvent.StateChanged(AgentState.Idle(Harness.LunchCode), NextEventTime(), "manual", Harness.Supervisor));

        engine.TryGetLastDecided("a1", out var state, out var origin).Should().BeTrue();
        engine.TryGetAgent("a1", out var looked).Should().BeTrue();
        state.Should().Be(AgentState.Idle(Harness.LunchCode));
        (state, origin).Should().Be((looked.State, looked.Origin));
        origin.Should().Be(StateOrigin.Supervisor);
        engine.TryGetLastDecided("a2", out _, out _).Should().BeFalse("the last call was about a1");
    }

    [Fact]
    public void LastRun_AfterAPresence_IsItsAgentsMachine_WithTheStateBeforeIt()
    {
        var engine = NewEngine();
        engine.OnAgentEvent("a1", AgentEvent.StateChanged(AgentState.Available, NextEventTime(), "manual", "a1"));
        engine.TryGetAgentByTeamsUserId("t1", out var before).Should().BeTrue();

        var decision = engine.OnPresence("t1", "DoNotDisturb", "DoNotDisturb", null);

        decision.ToList().Should().Contain(c => c.Kind == SyncCommandKind.SetIdle, "the presence engages the agent");
        engine.LastRun!.AgentId.Should().Be("a1", "Teams ids compare case-insensitively");
        (engine.LastRun.State, engine.LastRun.Origin).Should().Be((before.State, before.Origin), "a presence changes no WxCC state: the write is only sent");
    }

    [Fact]
    public void TryGetLastDecided_UnknownOrRemovedAgent_IsFalse()
    {
        var engine = NewEngine();
        engine.OnAgentEvent("a1", AgentEvent.StateChanged(AgentState.Available, NextEventTime(), "manual", "a1"));
        engine.TryGetLastDecided("a1", out _, out _).Should().BeTrue();

        engine.OnPresence("t9", "Busy", "InACall", null).Outcome.Should().Be(SyncOutcome.UnknownAgent);
        engine.TryGetLastDecided("a1", out _, out _).Should().BeFalse("the last call was about no tracked agent");

        engine.OnPresence("t1", "Away", "Away", null);
        engine.SetTeamsUserId("a1", "t5");
        engine.TryGetLastDecided("a1", out _, out _).Should().BeTrue("a relink keeps the agent's machine");

        engine.RemoveAgent("a1");
        engine.AddAgent("a1", "t1");
        engine.TryGetLastDecided("a1", out _, out _).Should().BeFalse("the machine last run was removed; a1 now has a new one");
    }

    [Fact]
    public void LastDecidedAwaitsState_AfterAPresenceOfAnAgentWithoutState_NamesIt_AndNotOnceAStateArrived()
    {
        var engine = new SyncEngine(Harness.DefaultRules(), _time);
        engine.AddAgent("a1", "T1");
        engine.AddAgent("a2", "t2");
        engine.OnAgentEvent("a2", AgentEvent.LoggedIn(AgentState.Available, NextEventTime()));

        engine.OnPresence("t1", TeamsPresence.Parse("Busy", "InACall"), null);
        engine.LastDecidedAwaitsState("t1", out var agentId).Should().BeTrue("a1's state was never read");
        agentId.Should().Be("a1");
        engine.LastDecidedAwaitsState("t2", out _).Should().BeFalse("the last presence was t1's");

        engine.OnPresence("t2", TeamsPresence.Parse("Busy", "InACall"), null);
        engine.LastDecidedAwaitsState("t2", out _).Should().BeFalse("a2's state is known");

        engine.OnPresence("not-tracked", TeamsPresence.Parse("Busy", "InACall"), null);
        engine.LastDecidedAwaitsState("not-tracked", out _).Should().BeFalse("an untracked user runs no machine");

        engine.OnAgentEvent("a1", AgentEvent.LoggedIn(AgentState.Available, NextEventTime()));
        engine.OnPresence("T1", TeamsPresence.Parse("DoNotDisturb", "DoNotDisturb"), null);
        engine.LastDecidedAwaitsState("T1", out _).Should().BeFalse("a1's state has arrived");
    }

    [Fact]
    public void TryGetLastDecided_WhileATimersCommandsAreHandedOut_GivesThatTimersAgent()
    {
        var engine = NewEngine();
        engine.OnPresence("t1", "DoNotDisturb", "DoNotDisturb", null).ToList().Should().Contain(c => c.Kind == SyncCommandKind.SetIdle);
        engine.OnAgentEvent("a2", AgentEvent.StateChanged(AgentState.Idle(Harness.LunchCode), NextEventTime(), "manual", "a2"));

        // a1's write is never confirmed: its timer decides again, while the last event was a2's.
        _time.Advance(engine.Rules.PendingWriteTimeout + TimeSpan.FromSeconds(1));
        var sink = new LastDecidedSink(engine);
        engine.AdvanceTime(sink).Should().BeGreaterThan(0);

        sink.Seen.Should().NotBeEmpty().And.OnlyContain(seen => seen.Agent == "a1" && seen.LastDecided, "the sink reads the timer's agent without a lookup");
        engine.TryGetHostSlotOwner("a1", out var a1).Should().BeTrue();
        engine.TryGetHostSlotOwner("a2", out var a2).Should().BeTrue("another tracked agent is looked up");
        a2.Should().NotBeSameAs(a1);
        a2!.AgentId.Should().Be("a2");
        engine.TryGetHostSlotOwner("a9", out _).Should().BeFalse();
    }

    [Fact]
    public void LastRun_IsTheMachineOfTheLastCallsAgentWhateverTheOutcome_AndNullForAnUntrackedOne()
    {
        var engine = NewEngine();
        engine.TryGetAgent("a1", out _).Should().BeTrue();

        engine.OnAgentEvent("a1", AgentEvent.StateChanged(AgentState.Idle(Harness.LunchCode), NextEventTime(), "manual", "a1"));
        engine.LastRun!.AgentId.Should().Be("a1");

        engine.OnAgentEvent("a2", AgentEvent.StateChanged(AgentState.Available, default, "manual", "a2")).Outcome.Should().Be(SyncOutcome.Rejected);
        engine.LastRun!.AgentId.Should().Be("a2", "a rejected event is a decision about its agent");

        engine.OnAgentEvent("a1", AgentEvent.StateChanged(AgentState.Available, _time.GetUtcNow().AddHours(1), "manual", "a1")).Outcome.Should().Be(SyncOutcome.ClockSkew);
        engine.LastRun!.AgentId.Should().Be("a1", "so is a clock-skewed one");
        engine.LastRun.State.Should().Be(AgentState.Idle(Harness.LunchCode), "and it changed nothing");

        engine.OnPresence("T2", "Away", "Away", null);
        engine.LastRun!.AgentId.Should().Be("a2");

        engine.OnAgentEvent("a9", AgentEvent.StateChanged(AgentState.Available, NextEventTime(), "manual", "a9")).Outcome.Should().Be(SyncOutcome.UnknownAgent);
        engine.LastRun.Should().BeNull();
        engine.OnPresence("t1", "Away", "Away", null);
        engine.OnPresence("t9", "Away", "Away", null).Outcome.Should().Be(SyncOutcome.UnknownAgent);
        engine.LastRun.Should().BeNull();
        engine.OnWriteFailed("a1", AgentState.Available);
        engine.LastRun!.AgentId.Should().Be("a1");
        engine.OnWriteFailed("a9", AgentState.Available).Outcome.Should().Be(SyncOutcome.UnknownAgent);
        engine.LastRun.Should().BeNull();
    }

    private sealed class LastDecidedSink(SyncEngine engine) : ISyncCommandSink
    {
        public List<(string Agent, bool LastDecided)> Seen { get; } = [];

        public void OnCommand(in SyncCommand command) => Seen.Add((command.AgentId, engine.TryGetLastDecided(command.AgentId, out _, out _)));
    }
}
