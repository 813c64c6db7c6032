using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Webex.TeamsConnector;

/// <summary>The connector's meter and activity source, and its instruments.</summary>
internal sealed class TeamsConnectorTelemetry : IDisposable
{
    private readonly Meter _meter;
    private Func<int>? _outboxDepth;
    private Func<int>? _agents;

    public TeamsConnectorTelemetry(IMeterFactory? meterFactory = null)
    {
        _meter = meterFactory?.Create(TeamsConnectorDiagnostics.Name) ?? new Meter(TeamsConnectorDiagnostics.Name);
        Events = _meter.CreateCounter<long>("webex.teamsconnector.sync.events", "{event}", "Events given to the sync engine, by source and outcome.");
        Commands = _meter.CreateCounter<long>("webex.teamsconnector.sync.commands", "{command}", "Commands produced by the sync rules, by kind and rule.");
        Rejections = _meter.CreateCounter<long>("webex.teamsconnector.rejections", "{event}", "Inputs rejected (bad configuration entries, failed writes, failed publishes, lost commands), by reason.");
        SyncLatency = _meter.CreateHistogram<double>(
            "webex.teamsconnector.sync.latency", "ms", "From a Teams presence change received to the WxCC state write accepted.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [5, 10, 25, 50, 100, 250, 500, 1000, 1500, 2500, 5000, 10000, 30000] });
        AuditRecords = _meter.CreateCounter<long>("webex.teamsconnector.audit.records", "{record}", "Audit records written to the audit store.");
        AuditDropped = _meter.CreateCounter<long>("webex.teamsconnector.audit.dropped", "{record}", "Audit records dropped, by reason (buffer_full, store_failed).");
        _meter.CreateObservableGauge("webex.teamsconnector.outbox.depth", () => _outboxDepth?.Invoke() ?? 0, "{agent}", "Agents with a wanted WxCC state not yet sent.");
        _meter.CreateObservableGauge("webex.teamsconnector.agents", () => _agents?.Invoke() ?? 0, "{agent}", "Agents tracked by the sync engine.");
    }

    public static ActivitySource ActivitySource { get; } = new(TeamsConnectorDiagnostics.Name);

    public Counter<long> Events { get; }

    public Counter<long> Commands { get; }

    public Counter<long> Rejections { get; }

    public Histogram<double> SyncLatency { get; }

    public Counter<long> AuditRecords { get; }

    public Counter<long> AuditDropped { get; }

    public void Observe(Func<int> outboxDepth, Func<int> agents)
    {
        _outboxDepth = outboxDepth;
        _agents = agents;
    }

    public void Reject(string reason) => Rejections.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void Dispose() => _meter.Dispose();
}
