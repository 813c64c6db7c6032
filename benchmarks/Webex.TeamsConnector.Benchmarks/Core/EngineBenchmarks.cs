using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Webex.TeamsConnector.Benchmarks.Graph;

namespace Webex.TeamsConnector.Benchmarks.Core;

/// <summary>
/// The <see cref="SyncEngine"/> with 10,000 agents fed a realistic mixed stream: Teams presence changes (with
/// sequence numbers and unchanged repeats, as polling delivers them), confirmations of the connector's writes,
/// agents' and supervisors' own changes, contacts (offer, engage, wrap-up, end), RONA, and timer ticks.
/// </summary>
/// <remarks>
/// BenchmarkDotNet rounds <c>Allocated</c> to whole bytes per operation, so a fraction of a byte per event shows as
/// 0 B or 1 B. The <c>Allocated/1k ops</c> column gives the same measurement (all bytes allocated in the measured
/// invocations over the number of operations) per 1,000 operations, to one decimal.
/// </remarks>
[MemoryDiagnoser]
[Config(typeof(ExactAllocationColumns))]
public class EngineBenchmarks
{
    private const int Agents = 10_000;
    private const int WarmUpEvents = 1_000_000;
    internal const int MeasuredEvents = 1_000_000;

    private static readonly TeamsPresence[] s_presences =
    [
        TeamsPresence.Parse("Available", "Available"),
        TeamsPresence.Parse("Busy", "InACall"),
        TeamsPresence.Parse("DoNotDisturb", "DoNotDisturb"),
        TeamsPresence.Parse("DoNotDisturb", "Presenting"),
        TeamsPresence.Parse("Away", "Away"),
        TeamsPresence.Parse("Busy", "InAMeeting"),
    ];

    private StreamEvent[] _stream = null!;
    private string[] _agentIds = null!;
    private string[] _teamsIds = null!;
    private SyncRules _rules = null!;
    private SyncEngine _engine = null!;
    private FixedTimeProvider _time = null!;
    private CountingSink _sink = null!;
    private AgentHandle[] _agentHandles = null!;
    private AgentHandle[] _teamsHandles = null!;
    private readonly AgentHandle[] _noHandles = new AgentHandle[Agents];

    private enum Kind : byte
    {
        Presence,
        Agent,
        Tick,
    }

    [GlobalSetup]
    public void Setup()
    {
        _rules = new SyncRules
        {
            Mapping = IdleCodeMapping.Create(new Dictionary<string, string?> { ["InACall"] = "c-call", ["DoNotDisturb"] = "c-dnd", ["Presenting"] = "c-present" }),
            Classifier = new OriginClassifier(OriginClassifier.DefaultReasonMarker, ["rona"], ["sys"]),
        };
        _agentIds = Enumerable.Range(0, Agents).Select(i => $"{i:x8}-194b-49af-9b93-074b3ecc852a").ToArray();
        _teamsIds = Enumerable.Range(0, Agents).Select(i => $"fa8bf3dc-eca7-46b7-bad1-{i:x12}").ToArray();
        _stream = Generate(WarmUpEvents + MeasuredEvents);
    }

    [IterationSetup(Targets = [nameof(MixedStream), nameof(MixedStreamById)])]
    public void BuildEngine()
    {
        _time = new FixedTimeProvider(new DateTimeOffset(2026, 11, 24, 8, 0, 0, TimeSpan.Zero));
        _engine = NewEngine(_time);
        _sink = new CountingSink();

        // What the host's feeds do as they read each event off the wire, on their own threads: take the agent's handle
        // from the engine's edge index, so that the engine's loop does not hash the id again.
        var edge = _engine.EdgeIndex;
        _agentHandles = _agentIds.Select(edge.ByAgentId).ToArray();
        _teamsHandles = _teamsIds.Select(edge.ByTeamsUserId).ToArray();
        Play(_engine, _time, _sink, 0, WarmUpEvents, byHandle: true);

        // Steady state: the timer queue has reached its size and dropped superseded entries at least once.
        if (_engine.TimerCompactions == 0)
        {
            throw new InvalidOperationException("The warm-up did not reach the engine's steady state (no timer-queue compaction yet).");
        }
    }

    /// <summary>
    /// One million events through 10,000 agents, each event carrying the handle its feed took at the edge, as the host
    /// runs the engine (per-event time and allocation are reported per operation).
    /// </summary>
    [Benchmark(OperationsPerInvoke = MeasuredEvents)]
    public int MixedStream() => Play(_engine, _time, _sink, WarmUpEvents, MeasuredEvents, byHandle: true);

    /// <summary>The same stream with every id looked up by the engine (no handle): the cost the edge index moves out of the loop.</summary>
    [Benchmark(OperationsPerInvoke = MeasuredEvents)]
    public int MixedStreamById() => Play(_engine, _time, _sink, WarmUpEvents, MeasuredEvents, byHandle: false);

    /// <summary>Memory per tracked agent: engine indexes plus machine (ids are the caller's strings).</summary>
    [Benchmark(OperationsPerInvoke = Agents)]
    public object TrackAgents()
    {
        var engine = new SyncEngine(_rules, TimeProvider.System, Agents);
        for (var i = 0; i < Agents; i++)
        {
            engine.AddAgent(_agentIds[i], _teamsIds[i]);
        }

        return engine;
    }

    /// <summary>Memory per tracked agent as the host keeps it: <see cref="TrackAgents"/> plus the edge index's two entries.</summary>
    [Benchmark(OperationsPerInvoke = Agents)]
    public object TrackAgentsWithEdgeIndex()
    {
        var engine = new SyncEngine(_rules, TimeProvider.System, Agents);
        _ = engine.EdgeIndex;
        for (var i = 0; i < Agents; i++)
        {
            engine.AddAgent(_agentIds[i], _teamsIds[i]);
        }

        return engine;
    }

    private SyncEngine NewEngine(TimeProvider time)
    {
        var engine = new SyncEngine(_rules, time, Agents);
        for (var i = 0; i < Agents; i++)
        {
            engine.AddAgent(_agentIds[i], _teamsIds[i]);
        }

        return engine;
    }

    private int Play(SyncEngine engine, FixedTimeProvider time, CountingSink sink, int start, int count, bool byHandle)
    {
        var commands = 0;
        var stream = _stream;
        var agentHandles = byHandle ? _agentHandles : _noHandles;
        var teamsHandles = byHandle ? _teamsHandles : _noHandles;
        for (var i = start; i < start + count; i++)
        {
            ref readonly var e = ref stream[i];
            time.Now = e.At;
            switch (e.Kind)
            {
                case Kind.Presence:
                    commands += engine.OnPresence(teamsHandles[e.Agent], _teamsIds[e.Agent], e.Presence, e.Sequence).Count;
                    break;
                case Kind.Agent:
                    commands += engine.OnAgentEvent(agentHandles[e.Agent], _agentIds[e.Agent], e.AgentEvent).Count;
                    break;
                default:
                    commands += engine.AdvanceTime(sink);
                    break;
            }
        }

        return commands;
    }

    /// <summary>
    /// Builds the stream by simulating a contact-center day against a reference engine, so that confirmations
    /// answer real writes and the measured engine sees exactly the same decisions.
    /// </summary>
    private StreamEvent[] Generate(int count)
    {
        var random = new Random(42);
        var time = new FixedTimeProvider(new DateTimeOffset(2026, 11, 24, 8, 0, 0, TimeSpan.Zero));
        var engine = NewEngine(time);
        var sink = new CountingSink();
        var sequences = new int[Agents];
        var lastWrite = new AgentState?[Agents];
        var stream = new StreamEvent[count];
        var clock = time.Now.ToUnixTimeMilliseconds();
        var marker = OriginClassifier.DefaultReasonMarker;

        for (var i = 0; i < count; i++)
        {
            time.Now = time.Now.AddTicks(TimeSpan.TicksPerMillisecond / 4);
            var agent = random.Next(Agents);
            var roll = random.Next(100);
            StreamEvent e;
            if (i < Agents)
            {
                // Everyone signs in first.
                agent = i;
                e = AgentEventOf(agent, AgentEvent.LoggedIn(AgentState.Available, At(ref clock)));
            }
            else if (roll < 60)
            {
                // Polling: mostly unchanged presences, some changes, each with a newer sequence number.
                var presence = roll < 35 ? engine.TryGetAgent(_agentIds[agent], out var s) && s.ObservedPresence is { } seen ? seen : s_presences[0] : s_presences[random.Next(s_presences.Length)];
                e = new StreamEvent(Kind.Presence, agent, presence, (++sequences[agent]).ToString("D10", CultureInfo.InvariantCulture), default, time.Now);
            }
            else if (roll < 75 && lastWrite[agent] is { } written)
            {
                e = AgentEventOf(agent, AgentEvent.StateChanged(written, At(ref clock), marker, _agentIds[agent]));
                lastWrite[agent] = null;
            }
            else if (roll < 85)
            {
                var state = random.Next(3) switch { 0 => AgentState.Available, 1 => AgentState.Idle("lunch"), _ => AgentState.Idle("break") };
                var by = random.Next(4) == 0 ? "supervisor-1" : _agentIds[agent];
                e = AgentEventOf(agent, AgentEvent.StateChanged(state, At(ref clock), "manual", by));
            }
            else if (roll < 97)
            {
                var state = random.Next(5) switch
                {
                    0 => AgentState.Reserved,
                    1 => AgentState.Engaged,
                    2 => AgentState.WrapUp,
                    3 => AgentState.Available,
                    _ => AgentState.Idle("rona"),
                };
                e = AgentEventOf(agent, AgentEvent.StateChanged(state, At(ref clock)));
            }
            else
            {
                e = new StreamEvent(Kind.Tick, agent, default, null, default, time.Now);
            }

            stream[i] = e;
            var decision = e.Kind switch
            {
                Kind.Presence => engine.OnPresence(_teamsIds[e.Agent], e.Presence, e.Sequence),
                Kind.Agent => engine.OnAgentEvent(_agentIds[e.Agent], e.AgentEvent),
                _ => default,
            };
            if (e.Kind == Kind.Tick)
            {
                engine.AdvanceTime(sink);
            }

            for (var c = 0; c < decision.Count; c++)
            {
                if (decision[c].IsStateWrite)
                {
                    lastWrite[e.Agent] = decision[c].State;
                }
            }
        }

        return stream;

        StreamEvent AgentEventOf(int agent, AgentEvent agentEvent) => new(Kind.Agent, agent, default, null, agentEvent, time.Now);
    }

    private static DateTimeOffset At(ref long clock) => DateTimeOffset.FromUnixTimeMilliseconds(clock += 1);

    private readonly record struct StreamEvent(Kind Kind, int Agent, TeamsPresence Presence, string? Sequence, AgentEvent AgentEvent, DateTimeOffset At);

    private sealed class ExactAllocationColumns : ManualConfig
    {
        public ExactAllocationColumns()
        {
            AddColumn(new PerUserColumn("Allocated/1k ops", (summary, benchmark) =>
            {
                var stats = summary[benchmark]?.GcStats;
                return stats is { TotalOperations: > 0 } gc && gc.GetTotalAllocatedBytes(excludeAllocationQuantumSideEffects: false) is { } bytes
                    ? string.Create(CultureInfo.InvariantCulture, $"{bytes * 1000.0 / gc.TotalOperations:N1} B")
                    : "-";
            }));
        }
    }

    private sealed class CountingSink : ISyncCommandSink
    {
        public int Count { get; private set; }

        public void OnCommand(in SyncCommand command) => Count++;
    }
}
