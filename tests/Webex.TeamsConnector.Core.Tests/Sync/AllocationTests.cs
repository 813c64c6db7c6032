using System.Globalization;
using Microsoft.Extensions.Time.Testing;

namespace Webex.TeamsConnector.Tests.Sync;

/// <summary>The engine allocates nothing per event once warmed up (the benchmark measures the same at scale).</summary>
public class AllocationTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void MixedStream_SteadyState_AllocatesNothing(bool byHandle)
    {
        const int agents = 500;
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 24, 8, 0, 0, TimeSpan.Zero));
        var engine = new SyncEngine(Harness.DefaultRules(), time, agents);
        var agentIds = Enumerable.Range(0, agents).Select(i => "agent-" + i.ToString(CultureInfo.InvariantCulture)).ToArray();
        var teamsIds = Enumerable.Range(0, agents).Select(i => "teams-" + i.ToString(CultureInfo.InvariantCulture)).ToArray();
        for (var i = 0; i < agents; i++)
        {
            engine.AddAgent(agentIds[i], teamsIds[i]);
        }

        var presences = new[] { TeamsPresence.Parse("Busy", "InACall"), TeamsPresence.Parse("Available", "Available"), TeamsPresence.Parse("DoNotDisturb", "DoNotDisturb") };
        var sequences = Enumerable.Range(0, 40_000).Select(i => i.ToString("D9", CultureInfo.InvariantCulture)).ToArray();
        var states = new[] { AgentState.Available, AgentState.Reserved, AgentState.Engaged, AgentState.WrapUp, AgentState.Idle(Harness.LunchCode) };
        var timestamps = Enumerable.Range(0, 40_000).Select(i => DateTimeOffset.FromUnixTimeMilliseconds(1_740_000_000_000 + i)).ToArray();
        var sink = new CountingSink();
        var edge = engine.EdgeIndex;
        var random = new Random(7);
        var script = Enumerable.Range(0, 40_000).Select(_ => (Agent: random.Next(agents), Roll: random.Next(100))).ToArray();

        void Play(int from, int to)
        {
            for (var i = from; i < to; i++)
            {
                var (agent, roll) = script[i];
                if (roll < 60)
                {
                    if (byHandle)
                    {
                        // As a feed does: the handle taken from the edge index as the event is read.
                        engine.OnPresence(edge.ByTeamsUserId(teamsIds[agent]), teamsIds[agent], presences[roll % 3], sequences[i]);
                    }
                    else
                    {
                        engine.OnPresence(teamsIds[agent], presences[roll % 3], sequences[i]);
                    }
                }
                else if (roll < 95)
                {
                    var state = roll < 75 ? AgentState.Idle(Harness.CallCode) : states[roll % states.Length];
                    var reason = roll < 75 ? Harness.Marker : "manual";
                    var agentEvent = AgentEvent.StateChanged(state, timestamps[i], reason, agentIds[agent]);
                    if (byHandle)
                    {
                        engine.OnAgentEvent(edge.ByAgentId(agentIds[agent]), agentIds[agent], agentEvent);
                    }
                    else
                    {
                        engine.OnAgentEvent(agentIds[agent], agentEvent);
                    }
                }
                else
                {
                    time.Advance(TimeSpan.FromSeconds(3));
                    engine.AdvanceTime(sink);
                }
            }
        }

        engine.TimerSlack = 16;
        Play(0, 20_000);
        engine.TimerCompactions.Should().BeGreaterThan(0, "the warm-up reaches the timer queue's steady size");
        var before = GC.GetAllocatedBytesForCurrentThread();
        var compactions = engine.TimerCompactions;
        Play(20_000, 40_000);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        allocated.Should().Be(0);
        sink.Count.Should().BeGreaterThan(0, "the stream exercises timers too");
        engine.TimerCompactions.Should().BeGreaterThan(compactions, "superseded timer entries keep being dropped");
        engine.TimerQueueLength.Should().BeLessThanOrEqualTo((2 * agents) + 16 + 1, "the queue stays within two entries per agent plus the slack");
    }

    private sealed class CountingSink : ISyncCommandSink
    {
        public int Count { get; private set; }

        public void OnCommand(in SyncCommand command) => Count++;
    }
}
