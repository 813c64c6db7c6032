using System.Threading.Channels;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Webex.TeamsConnector.Benchmarks.Audit;

/// <summary>
/// The audit trail's cost on the connector's own loop rather than the bare engine: the stream of
/// <see cref="AuditBenchmarks"/> through <c>SyncSession</c>'s per-event handling (the engine with the session's rules,
/// the sync metrics, the dispatch of each command to the outbox, the read-back verifier and the Teams publishers), with
/// the audit trail off, recorded by the loop with the writer kept out, and on. Adapters do nothing (an outbox that sends
/// nothing, publishers that are never started), so the loop here is cheaper than a real one and the ratios are upper bounds.
/// <see cref="Metrics"/>: with a listener on the connector's metrics (as an OpenTelemetry meter provider is), or none.
/// </summary>
[MemoryDiagnoser]
public class SessionAuditBenchmarks
{
    private AuditBenchmarks _source = null!;
    private ServiceProvider _services = null!;
    private FixedTimeProvider _time = null!;
    private SyncSession _session = null!;
    private AuditTrail? _trail;
    private AuditRecorder? _recorder;
    private AgentHandle[] _agentHandles = null!;
    private AgentHandle[] _teamsHandles = null!;
    private System.Diagnostics.Metrics.MeterListener? _listener;
    private long _measured;

    /// <summary>Whether something listens to the connector's metrics (every instrument, each measurement summed).</summary>
    [Params(false, true)]
    public bool Metrics { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _source = new AuditBenchmarks();
        _source.Setup();
        _services = new ServiceCollection().AddOptions().BuildServiceProvider();
    }

    [GlobalCleanup]
    public void GlobalCleanup() => _services.Dispose();

    [IterationSetup(Target = nameof(SessionAuditOff))]
    public void SetupOff() => Build(audit: false);

    [IterationSetup(Target = nameof(SessionAuditOn))]
    public void SetupOn() => Build(audit: true);

    [IterationSetup(Target = nameof(SessionAuditOnLoopOnly))]
    public void SetupLoopOnly() => Build(audit: true, loopOnly: true);

    [IterationCleanup]
    public void Cleanup()
    {
        _trail?.Dispose();
        _trail = null;
        _recorder = null;
        _listener?.Dispose();
        _listener = null;
    }

    /// <summary>One million events through the session's loop, the audit trail off.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = AuditBenchmarks.MeasuredEvents)]
    public int SessionAuditOff() => Play(AuditBenchmarks.WarmUpEvents, AuditBenchmarks.MeasuredEvents);

    /// <summary>The same, every decision recorded and formatted by the background writer.</summary>
    [Benchmark(OperationsPerInvoke = AuditBenchmarks.MeasuredEvents)]
    public int SessionAuditOn()
    {
        var played = Play(AuditBenchmarks.WarmUpEvents, AuditBenchmarks.MeasuredEvents);
        _recorder!.Flush();
        return played;
    }

    /// <summary>The same, recorded by the loop, every buffer handed over dropped at once (the loop's own share).</summary>
    [Benchmark(OperationsPerInvoke = AuditBenchmarks.MeasuredEvents)]
    public int SessionAuditOnLoopOnly()
    {
        var played = Play(AuditBenchmarks.WarmUpEvents, AuditBenchmarks.MeasuredEvents);
        _recorder!.Flush();
        return played;
    }

    private void Build(bool audit, bool loopOnly = false)
    {
        _time = new FixedTimeProvider(new DateTimeOffset(2026, 11, 29, 8, 0, 0, TimeSpan.Zero));
        if (Metrics)
        {
            _listener = new System.Diagnostics.Metrics.MeterListener
            {
                InstrumentPublished = (instrument, listener) =>
                {
                    if (instrument.Meter.Name == TeamsConnectorDiagnostics.Name)
                    {
                        listener.EnableMeasurementEvents(instrument);
                    }
                },
            };
            _listener.SetMeasurementEventCallback<long>((_, value, _, _) => _measured += value);
            _listener.SetMeasurementEventCallback<double>((_, value, _, _) => _measured++);
            _listener.Start();
        }

        if (audit)
        {
            _trail = AuditBenchmarks.NewTrail(_time, new AuditBenchmarks.NullAuditStore(), loopOnly ? 0 : 10_000_000);
            _recorder = _trail.CreateRecorder();
        }

        var options = new StateSyncOptions();
        var runtime = new ConnectorRuntime(_services, _services.GetRequiredService<IOptionsMonitor<TeamsConnectorOptions>>());
        var ports = new ConnectorPorts(new IdleFeed(), new IdlePublisher(), new IdleResolver(), new IdleFeed(), new NullOutbox(), new IdleDirectory());
        _session = new SyncSession(ports, options, _source.Rules, runtime, _time, NullLogger.Instance, new TeamsConnectorTelemetry(), _recorder);
        var engine = _session.Engine;
        for (var i = 0; i < _source.AgentIds.Length; i++)
        {
            engine.AddAgent(_source.AgentIds[i], _source.TeamsIds[i]);
        }

        // As the session's feeds do on their own threads: each event's agent handle is taken at the edge.
        _agentHandles = [.. _source.AgentIds.Select(engine.EdgeIndex.ByAgentId)];
        _teamsHandles = [.. _source.TeamsIds.Select(engine.EdgeIndex.ByTeamsUserId)];
        Play(0, AuditBenchmarks.WarmUpEvents);
    }

    /// <summary>What the session's loop does per event (<c>SyncSession.LoopAsync</c>): the clock read for the records once per pass, then each event handled.</summary>
    private int Play(int start, int count)
    {
        var session = _session;
        var recorder = _recorder;
        var stream = _source.Stream;
        for (var i = start; i < start + count; i++)
        {
            ref readonly var e = ref stream[i];
            _time.Now = e.At;
            if ((i & (AuditBenchmarks.LoopPass - 1)) == 0)
            {
                recorder?.Tick();
            }

            if (e.Presence)
            {
                session.Handle(new RoutedPresence(e.Update, e.Parsed, _teamsHandles[e.Agent]));
            }
            else
            {
                session.Handle(e.AgentEvent, _agentHandles[e.Agent]);
            }
        }

        return count;
    }

    /// <summary>The session's outbox: takes what it is given and sends nothing (a real one queues it for WxCC).</summary>
    private sealed class NullOutbox : IAgentStateOutbox
    {
        public int Depth => 0;

        public string ReasonMarker { get; set; } = OriginClassifier.DefaultReasonMarker;

        public void Enqueue(string agentId, AgentState state)
        {
        }

        public bool Withdraw(string agentId) => false;

        public Task RunAsync(ChannelWriter<AgentWriteResult> results, CancellationToken cancellationToken) => Task.Delay(Timeout.Infinite, cancellationToken);
    }

    /// <summary>Feeds that the benchmark never starts: it hands the session its events itself.</summary>
    private sealed class IdleFeed : ITeamsPresenceFeed, IAgentEventFeed
    {
        public void SetWatchedUsers(IReadOnlyCollection<string> teamsUserIds)
        {
        }

        public Task RunAsync(ChannelWriter<TeamsPresenceUpdate> updates, CancellationToken cancellationToken) => Task.Delay(Timeout.Infinite, cancellationToken);

        public Task RunAsync(ChannelWriter<AgentFeedEvent> events, CancellationToken cancellationToken) => Task.Delay(Timeout.Infinite, cancellationToken);
    }

    private sealed class IdlePublisher : ITeamsPresencePublisher
    {
        public Task PublishAsync(string teamsUserId, PublishedPresence presence, TimeSpan expiration, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task ClearAsync(string teamsUserId, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private sealed class IdleResolver : ITeamsUserResolver
    {
        public ValueTask<string?> ResolveAsync(string emailOrUserPrincipalName, CancellationToken cancellationToken) => ValueTask.FromResult<string?>(null);
    }

    private sealed class IdleDirectory : IContactCenterDirectory
    {
        public Task<IReadOnlyList<IdleCode>> GetIdleCodesAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<IdleCode>>([]);

        public Task<IReadOnlyList<ContactCenterUser>> GetUsersAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<ContactCenterUser>>([]);

        public Task<DesktopProfile?> GetDesktopProfileAsync(string desktopProfileId, CancellationToken cancellationToken) => Task.FromResult<DesktopProfile?>(null);

        public Task<bool> GetPresenceSyncSettingAsync(CancellationToken cancellationToken) => Task.FromResult(true);

        public Task<IReadOnlyList<AgentFeedEvent>> GetCurrentStatesAsync(IReadOnlyCollection<string> agentIds, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<AgentFeedEvent>>([]);
    }
}
