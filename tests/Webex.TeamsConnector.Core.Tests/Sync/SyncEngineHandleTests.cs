using Microsoft.Extensions.Time.Testing;

namespace Webex.TeamsConnector.Tests.Sync;

/// <summary>
/// Handles taken at the edge: the engine applies an event to the handle's agent without looking its id up, and never
/// honours a handle whose agent was removed or relinked; it then looks the id up as if there were no handle.
/// </summary>
public class SyncEngineHandleTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 30, 9, 0, 0, TimeSpan.Zero));
    private long _eventClock = 1_000;

    private DateTimeOffset NextEventTime() => DateTimeOffset.FromUnixTimeMilliseconds(_eventClock += 100);

    private SyncEngine NewEngine() => Harness.TwoSignedInAgents(_time, NextEventTime);

    [Fact]
    public void OnPresence_ValidHandle_DecidesForItsAgentWithoutTheId()
    {
        var engine = NewEngine();
        var handle = engine.EdgeIndex.ByTeamsUserId("T1");

        var decision = engine.OnPresence(handle, null, TeamsPresence.Parse("Busy", "InACall"), null);

        decision.ToList().Should().ContainSingle(c => c.Kind == SyncCommandKind.SetIdle).Which.AgentId.Should().Be("a1");
    }

    [Fact]
    public void OnAgentEvent_ValidHandle_AppliesToItsAgentWithoutTheId()
    {
        var engine = NewEngine();
        var handle = engine.EdgeIndex.ByAgentId("a2");

        engine.OnAgentEvent(handle, null, AgentEvent.StateChanged(AgentState.Idle(Harness.LunchCode), NextEventTime(), "manual", "a2"))
            .Outcome.Should().NotBe(SyncOutcome.UnknownAgent);

        engine.TryGetAgent("a2", out var a2).Should().BeTrue();
        a2.State.Should().Be(AgentState.Idle(Harness.LunchCode));
    }

    [Fact]
    public void DefaultHandle_LooksTheIdUp()
    {
        var engine = NewEngine();

        engine.OnPresence(default, "t2", TeamsPresence.Parse("Busy", "InACall"), null).ToList()
            .Should().ContainSingle(c => c.Kind == SyncCommandKind.SetIdle).Which.AgentId.Should().Be("a2");
        engine.OnPresence(default, "t9", TeamsPresence.Parse("Busy", "InACall"), null).Outcome.Should().Be(SyncOutcome.UnknownAgent);
        engine.OnAgentEvent(default, null, AgentEvent.LoggedIn(AgentState.Available, NextEventTime())).Outcome.Should().Be(SyncOutcome.UnknownAgent);
    }

    [Fact]
    public void HandleOfARemovedAgent_IsNotHonoured_AndTheIdDecides()
    {
        var engine = NewEngine();
        var stale = engine.EdgeIndex.ByAgentId("a1");
        engine.RemoveAgent("a1");

        engine.OnAgentEvent(stale, "a1", AgentEvent.StateChanged(AgentState.Idle(Harness.LunchCode), NextEventTime(), "manual", "a1"))
            .Outcome.Should().Be(SyncOutcome.UnknownAgent, "a1 is no longer tracked, whatever the handle says");
        engine.EdgeIndex.ByAgentId("a1").HasValue.Should().BeFalse();
        engine.EdgeIndex.ByTeamsUserId("t1").HasValue.Should().BeFalse();

        engine.AddAgent("a1", "t1");
        engine.OnAgentEvent(stale, "a1", AgentEvent.LoggedIn(AgentState.Idle(Harness.LunchCode), NextEventTime()))
            .Outcome.Should().NotBe(SyncOutcome.UnknownAgent);
        engine.TryGetAgent("a1", out var a1).Should().BeTrue();
        a1.State.Should().Be(AgentState.Idle(Harness.LunchCode), "the event reached a1's new machine through its id");
        engine.EdgeIndex.ByAgentId("a1").HasValue.Should().BeTrue();
    }

    [Fact]
    public void HandleOfARelinkedTeamsUser_IsNotHonoured_AndTheIdDecides()
    {
        var engine = NewEngine();
        var stale = engine.EdgeIndex.ByTeamsUserId("t1");
        engine.SetTeamsUserId("a1", "t5");

        engine.OnPresence(stale, "t1", TeamsPresence.Parse("Busy", "InACall"), null).Outcome
            .Should().Be(SyncOutcome.UnknownAgent, "t1 is no longer a1's Teams user");
        engine.EdgeIndex.ByTeamsUserId("t1").HasValue.Should().BeFalse();
        engine.EdgeIndex.ByTeamsUserId("t5").HasValue.Should().BeTrue();

        engine.SetTeamsUserId("a2", "t1");
        engine.OnPresence(stale, "t1", TeamsPresence.Parse("Busy", "InACall"), null).ToList()
            .Should().ContainSingle(c => c.Kind == SyncCommandKind.SetIdle).Which.AgentId.Should().Be("a2", "t1 now belongs to a2");
        engine.TryGetAgent("a1", out var a1).Should().BeTrue();
        a1.PendingWrite.Should().BeNull("no presence of t1 may reach a1 after it was relinked");
    }

    [Fact]
    public void EdgeIndex_TakenAfterAgentsWereAdded_HoldsThemAll_AndFollowsLaterChanges()
    {
        var engine = NewEngine();
        var edge = engine.EdgeIndex;

        edge.Count.Should().Be(2);
        edge.ByAgentId("a2").HasValue.Should().BeTrue();
        edge.ByAgentId("A2").HasValue.Should().BeFalse("agent ids compare ordinally, as the engine's");
        edge.ByTeamsUserId("T2").HasValue.Should().BeTrue("Teams ids compare ignoring case, as the engine's");
        edge.ByAgentId(null).HasValue.Should().BeFalse();

        engine.AddAgent("a3");
        edge.ByAgentId("a3").HasValue.Should().BeTrue();
        engine.AddAgent("a3", "t3");
        edge.ByTeamsUserId("t3").HasValue.Should().BeTrue("adding a tracked agent again links its Teams user");
        engine.EdgeIndex.Should().BeSameAs(edge);
    }

    [Fact]
    public async Task EdgeIndex_ReadFromAnotherThreadWhileAgentsAreAddedRelinkedAndRemoved_GivesOnlyTheIdsOwnAgent_AndEndsWithEveryAgent()
    {
        var engine = new SyncEngine(Harness.DefaultRules(), _time);
        var edge = engine.EdgeIndex;
        const int Agents = 5_000;
        var done = 0;
        long reads = 0, found = 0;
        var wrong = new System.Collections.Concurrent.ConcurrentQueue<string>();

        // Each Teams id only ever belongs to one agent (teams-i and other-i to agent-i): a handle read while the loop
        // adds, relinks and removes may be stale (the engine refuses those), but never another id's agent.
        var reader = Task.Run(() =>
        {
            var random = new Random(7);
            while (Volatile.Read(ref done) == 0)
            {
                var i = random.Next(Agents);
                var agentId = "agent-" + i;
                Check(edge.ByAgentId(agentId).Agent, agentId, "agent id");
                Check(edge.ByTeamsUserId("TEAMS-" + i).TeamsUser, agentId, "teams id");
                Check(edge.ByTeamsUserId("other-" + i).TeamsUser, agentId, "other teams id");
                Interlocked.Increment(ref reads);
            }
        });

        void Check(AgentSyncMachine? machine, string agentId, string by)
        {
            if (machine is not null)
            {
                found++;
                if (!string.Equals(machine.AgentId, agentId, StringComparison.Ordinal))
                {
                    wrong.Enqueue($"{by} of {agentId} gave {machine.AgentId}");
                }
            }
        }

        // Each phase of changes starts once the reader has read since the last one, so reads and changes overlap.
        var seen = 0L;
        void AfterMoreReads()
        {
            var spin = default(SpinWait);
            while (Interlocked.Read(ref reads) <= seen + 100 && !reader.IsCompleted)
            {
                spin.SpinOnce();
            }

            seen = Interlocked.Read(ref reads);
        }

        for (var round = 0; round < 3; round++)
        {
            AfterMoreReads();
            for (var i = 0; i < Agents; i++)
            {
                engine.AddAgent("agent-" + i, "teams-" + i);
                if (i % 500 == 0)
                {
                    AfterMoreReads();
                }
            }

            AfterMoreReads();
            for (var i = 0; i < Agents; i++)
            {
                engine.SetTeamsUserId("agent-" + i, "other-" + i);
            }

            AfterMoreReads();
            for (var i = 0; i < Agents; i++)
            {
                engine.SetTeamsUserId("agent-" + i, "teams-" + i);
            }

            AfterMoreReads();
            for (var i = round; i < Agents; i += 3)
            {
                engine.RemoveAgent("agent-" + i);
            }
        }

        AfterMoreReads();

        for (var i = 0; i < Agents; i++)
        {
            engine.AddAgent("agent-" + i, "teams-" + i);
        }

        Volatile.Write(ref done, 1);
        await reader;

        wrong.Should().BeEmpty();
        found.Should().BeGreaterThan(0, "the reader saw agents while the loop changed the index");
        edge.Count.Should().Be(Agents);
        Enumerable.Range(0, Agents).Should().OnlyContain(i =>
            edge.ByTeamsUserId("teams-" + i).TeamsUser!.AgentId == "agent-" + i
            && edge.ByAgentId("agent-" + i).Agent!.AgentId == "agent-" + i
            && !edge.ByTeamsUserId("other-" + i).HasValue);
    }
}
