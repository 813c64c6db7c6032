using System.Globalization;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Webex.TeamsConnector.Benchmarks.Audit;

/// <summary>
/// The audit trail's cost on the engine loop, in one run: the same mixed stream (10,000 agents; Teams presences with
/// sequence numbers and unchanged repeats, confirmations of the connector's writes, agents' and supervisors' changes,
/// contacts) through the engine as the host drives it, with the audit trail off (baseline) and on (the state read
/// before each event, the entry handed to the recorder, each command tracked; the background writer formats and
/// stores into a store that keeps nothing, on the other core).
/// </summary>
[MemoryDiagnoser]
public class AuditBenchmarks
{
    private const int Agents = 10_000;
    internal const int WarmUpEvents = 500_000;
    internal const int MeasuredEvents = 1_000_000;
    internal const int LoopPass = 512;

    private static readonly (string Availability, string Activity)[] s_presences =
    [
        ("Available", "Available"), ("Busy", "InACall"), ("DoNotDisturb", "DoNotDisturb"), ("DoNotDisturb", "Presenting"), ("Away", "Away"), ("Busy", "InAMeeting"),
    ];

    private Event[] _stream = null!;
    private string[] _agentIds = null!;
    private string[] _teamsIds = null!;
    private SyncRules _rules = null!;
    private SyncEngine _engine = null!;
    private FixedTimeProvider _time = null!;
    private AuditTrail? _trail;
    private AuditRecorder? _recorder;
    private AgentHandle[] _agentHandles = null!;
    private AgentHandle[] _teamsHandles = null!;
    private FloorEntry[]? _floor;
    private int _floorCount;

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

    [IterationSetup(Target = nameof(AuditOff))]
    public void SetupOff() => Build(audit: false);

    [IterationSetup(Target = nameof(AuditOn))]
    public void SetupOn() => Build(audit: true);

    [IterationSetup(Target = nameof(AuditFloor))]
    public void SetupFloor()
    {
        Build(audit: false);
        _floor = new FloorEntry[256];
    }

    [IterationSetup(Target = nameof(AuditOnLoopOnly))]
    public void SetupLoopOnly() => Build(audit: true, loopOnly: true);

    [IterationCleanup]
    public void Cleanup()
    {
        _trail?.Dispose();
        _trail = null;
        _recorder = null;
        _floor = null;
    }

    /// <summary>One million events, the audit trail off.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = MeasuredEvents)]
    public int AuditOff() => Play(WarmUpEvents, MeasuredEvents);

    /// <summary>The same million events, every decision recorded.</summary>
    [Benchmark(OperationsPerInvoke = MeasuredEvents)]
    public int AuditOn()
    {
        var commands = Play(WarmUpEvents, MeasuredEvents);
        _recorder!.Flush();
        return commands;
    }

    /// <summary>
    /// A control, not an audit trail: the least a recorder on the loop can do per decision (the agent, the presence's
    /// two texts, the state after, and the outcome, rule and command count, written into a 256-entry ring that nothing
    /// reads; no commands, no follow-ups, no hand-over). What it costs over <see cref="AuditOff"/> is a floor under any
    /// design that records on the loop thread.
    /// </summary>
    [Benchmark(OperationsPerInvoke = MeasuredEvents)]
    public int AuditFloor() => Play(WarmUpEvents, MeasuredEvents);

    /// <summary>
    /// The same million events recorded by the loop, with the background writer kept out (every buffer handed over is
    /// dropped at once): the engine loop's own share of the cost, without the formatting that runs on the other core.
    /// </summary>
    [Benchmark(OperationsPerInvoke = MeasuredEvents)]
    public int AuditOnLoopOnly()
    {
        var commands = Play(WarmUpEvents, MeasuredEvents);
        _recorder!.Flush();
        return commands;
    }

    /// <summary>An audit trail into a store that keeps nothing (for the hot-path cost alone).</summary>
    internal static AuditTrail NewTrail(TimeProvider time, IAuditStore store, int capacity = 10_000_000)
    {
        var services = new ServiceCollection().AddSingleton(store).BuildServiceProvider();
        var options = Options.Create(new AuditOptions { Enabled = true, OrgId = "org-bench", BufferCapacity = capacity, LogRecords = false });
        return new AuditTrail(services, options, time, NullLoggerFactory.Instance, new TeamsConnectorTelemetry());
    }

    /// <summary>Records the first <paramref name="events"/> events of the stream into <paramref name="store"/>; returns the records stored.</summary>
    internal async Task<long> RecordAsync(IAuditStore store, int events)
    {
        _time = new FixedTimeProvider(new DateTimeOffset(2026, 11, 29, 8, 0, 0, TimeSpan.Zero));
        _engine = NewEngine(_time);
        await using var trail = NewTrail(_time, store);
        _trail = trail;
        _recorder = trail.CreateRecorder();
        for (var start = 0; start < events; start += 10_000)
        {
            Play(start, Math.Min(10_000, events - start));
            _recorder!.Flush();
        }

        await trail.WaitForAsync(t => t.Written + t.Dropped >= t.Posted, TimeSpan.FromMinutes(5));
        if (trail.Dropped > 0)
        {
            throw new InvalidOperationException($"{trail.Dropped} records were dropped ({trail.StoreFailures} store failures).");
        }

        _trail = null;
        _recorder = null;
        return trail.Written;
    }

    private void Build(bool audit, bool loopOnly = false)
    {
        _time = new FixedTimeProvider(new DateTimeOffset(2026, 11, 29, 8, 0, 0, TimeSpan.Zero));
        _engine = NewEngine(_time);
        if (audit)
        {
            // No room in the buffer: every buffer the loop hands over is dropped (counted) and reused at once.
            _trail = NewTrail(_time, new NullAuditStore(), loopOnly ? 0 : 10_000_000);
            _recorder = _trail.CreateRecorder();
        }

        Play(0, WarmUpEvents);
    }

    private SyncEngine NewEngine(TimeProvider time)
    {
        var engine = new SyncEngine(_rules, time, Agents);
        for (var i = 0; i < Agents; i++)
        {
            engine.AddAgent(_agentIds[i], _teamsIds[i]);
        }

        // As the host's feeds do on their own threads: each event's agent handle is taken at the edge.
        var edge = engine.EdgeIndex;
        _agentHandles = _agentIds.Select(edge.ByAgentId).ToArray();
        _teamsHandles = _teamsIds.Select(edge.ByTeamsUserId).ToArray();
        return engine;
    }

    /// <summary>
    /// What the host's loop does per event (<c>SyncSession.Handle</c>), with or without the recorder: the presence comes
    /// parsed and each event with its agent's handle, both done by the feed as it read the event.
    /// </summary>
    private int Play(int start, int count)
    {
        var commands = 0;
        var engine = _engine;
        var recorder = _recorder;
        var stream = _stream;
        for (var i = start; i < start + count; i++)
        {
            ref readonly var e = ref stream[i];
            _time.Now = e.At;
            if ((i & (LoopPass - 1)) == 0)
            {
                // The host's loop reads the clock for the records once per pass of up to 512 events a feed.
                recorder?.Tick();
            }

            SyncDecision decision;
            if (e.Presence)
            {
                decision = engine.OnPresence(_teamsHandles[e.Agent], e.Update.TeamsUserId, e.Parsed, e.Update.SequenceNumber);
                recorder?.OnPresence(e.Update, decision, engine);
                if (_floor is not null)
                {
                    Floor(engine, e.Update.Availability, e.Update.Activity, decision);
                }
            }
            else
            {
                decision = engine.OnAgentEvent(_agentHandles[e.Agent], e.AgentEvent.AgentId, e.AgentEvent.Event);
                recorder?.OnAgentEvent(e.AgentEvent, decision, engine);
                if (_floor is not null)
                {
                    Floor(engine, null, null, decision);
                }
            }

            for (var c = 0; c < decision.Count; c++)
            {
                var command = decision[c];
                recorder?.OnCommand(command, false, engine, false);
                commands++;
            }
        }

        return commands;
    }

    /// <summary>The <see cref="AuditFloor"/> control's record: a dozen fields, four references.</summary>
    private void Floor(SyncEngine engine, string? text1, string? text2, in SyncDecision decision)
    {
        if (engine.LastRun is not { } machine)
        {
            return;
        }

        if (_floorCount == _floor!.Length)
        {
            _floorCount = 0;
        }

        ref var entry = ref _floor[_floorCount++];
        entry.Ticks = _time.Now.UtcTicks;
        entry.AgentId = machine.AgentId;
        entry.Text1 = text1;
        entry.Text2 = text2;
        entry.State = machine.State;
        entry.Outcome = decision.Outcome;
        entry.Rule = decision.Rule;
        entry.Commands = (byte)decision.Count;
    }

    /// <summary>A contact-center day: the connector's writes are confirmed, agents and supervisors act, contacts come and go.</summary>
    private Event[] Generate(int count)
    {
        var random = new Random(42);
        var time = new FixedTimeProvider(new DateTimeOffset(2026, 11, 29, 8, 0, 0, TimeSpan.Zero));
        var engine = NewEngine(time);
        var sequences = new int[Agents];
        var lastPresence = new int[Agents];
        var lastWrite = new AgentState?[Agents];
        var stream = new Event[count];
        var clock = time.Now.ToUnixTimeMilliseconds();
        for (var i = 0; i < count; i++)
        {
            time.Now = time.Now.AddTicks(TimeSpan.TicksPerMillisecond / 4);
            var agent = i < Agents ? i : random.Next(Agents);
            var roll = random.Next(100);
            Event e;
            if (i < Agents)
            {
                e = Agent(agent, AgentEvent.LoggedIn(AgentState.Available, DateTimeOffset.FromUnixTimeMilliseconds(clock += 1)), time.Now);
            }
            else if (roll < 60)
            {
                var presence = roll < 35 ? lastPresence[agent] : lastPresence[agent] = random.Next(s_presences.Length);
                var (availability, activity) = s_presences[presence];
                e = new Event(true, agent, new TeamsPresenceUpdate(_teamsIds[agent], availability, activity, (++sequences[agent]).ToString("D10", CultureInfo.InvariantCulture), time.Now), default, time.Now, TeamsPresence.Parse(availability, activity));
            }
            else if (roll < 75 && lastWrite[agent] is { } written)
            {
                e = Agent(agent, AgentEvent.StateChanged(written, DateTimeOffset.FromUnixTimeMilliseconds(clock += 1), OriginClassifier.DefaultReasonMarker, _agentIds[agent]), time.Now);
                lastWrite[agent] = null;
            }
            else if (roll < 85)
            {
                var state = random.Next(3) switch { 0 => AgentState.Available, 1 => AgentState.Idle("lunch"), _ => AgentState.Idle("break") };
                e = Agent(agent, AgentEvent.StateChanged(state, DateTimeOffset.FromUnixTimeMilliseconds(clock += 1), "manual", random.Next(4) == 0 ? "supervisor-1" : _agentIds[agent]), time.Now);
            }
            else
            {
                var state = random.Next(5) switch { 0 => AgentState.Reserved, 1 => AgentState.Engaged, 2 => AgentState.WrapUp, 3 => AgentState.Available, _ => AgentState.Idle("rona") };
                e = Agent(agent, AgentEvent.StateChanged(state, DateTimeOffset.FromUnixTimeMilliseconds(clock += 1)), time.Now);
            }

            stream[i] = e;
            var decision = e.Presence
                ? engine.OnPresence(_teamsIds[agent], e.Parsed, e.Update.SequenceNumber)
                : engine.OnAgentEvent(_agentIds[agent], e.AgentEvent.Event);
            for (var c = 0; c < decision.Count; c++)
            {
                if (decision[c].IsStateWrite)
                {
                    lastWrite[agent] = decision[c].State;
                }
            }
        }

        return stream;

        Event Agent(int agent, AgentEvent agentEvent, DateTimeOffset at) => new(false, agent, default, new AgentFeedEvent(_agentIds[agent], agentEvent, null, at), at, default);
    }

    /// <summary>The stream (after <see cref="Setup"/>): a warm-up part, then the measured part.</summary>
    internal Event[] Stream => _stream;

    /// <summary>The agents' ids, by the stream's agent number.</summary>
    internal string[] AgentIds => _agentIds;

    /// <summary>The Teams user ids, by the stream's agent number.</summary>
    internal string[] TeamsIds => _teamsIds;

    /// <summary>The rules the stream was made with.</summary>
    internal SyncRules Rules => _rules;

    /// <summary>An event of the stream; a presence also parsed, as the host's presence feed hands it to the loop.</summary>
    internal readonly record struct Event(bool Presence, int Agent, TeamsPresenceUpdate Update, AgentFeedEvent AgentEvent, DateTimeOffset At, TeamsPresence Parsed);

    private struct FloorEntry
    {
        public long Ticks;
        public string AgentId;
        public string? Text1;
        public string? Text2;
        public AgentState State;
        public SyncOutcome Outcome;
        public SyncRule Rule;
        public byte Commands;
    }

    /// <summary>Keeps nothing: the benchmark measures the engine loop, not a database.</summary>
    internal sealed class NullAuditStore : IAuditStore
    {
        public ValueTask AppendAsync(IReadOnlyList<AuditRecord> records, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask<IReadOnlyList<AuditRecord>> QueryAsync(AuditQuery query, CancellationToken cancellationToken) => ValueTask.FromResult<IReadOnlyList<AuditRecord>>([]);
    }
}
