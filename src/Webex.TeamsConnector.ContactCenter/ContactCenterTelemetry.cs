using System.Diagnostics.Metrics;

namespace Webex.TeamsConnector.ContactCenter;

/// <summary>
/// The adapter's metrics, on the connector's one meter (<see cref="TeamsConnectorDiagnostics.Name"/>) made by the
/// application's <see cref="IMeterFactory"/>, so that each service provider (and each test) has its own.
/// </summary>
internal sealed class ContactCenterTelemetry : IDisposable
{
    private readonly Meter _meter;
    private readonly bool _ownsMeter;

    public ContactCenterTelemetry(IMeterFactory? meterFactory = null)
    {
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(TeamsConnectorDiagnostics.Name) ?? new Meter(TeamsConnectorDiagnostics.Name);
        WritesSent = _meter.CreateCounter<long>("webex.teamsconnector.wxcc.writes.sent", description: "State writes WxCC accepted.");
        WritesFailed = _meter.CreateCounter<long>("webex.teamsconnector.wxcc.writes.failed", description: "State writes reported as failed.");
        WritesCoalesced = _meter.CreateCounter<long>("webex.teamsconnector.wxcc.writes.coalesced", description: "Wanted states replaced before they were sent.");
        WritesWithdrawn = _meter.CreateCounter<long>("webex.teamsconnector.wxcc.writes.withdrawn", description: "Wanted states dropped before they were sent because the agent state changed otherwise.");
        Throttled = _meter.CreateCounter<long>("webex.teamsconnector.wxcc.throttled", description: "429 responses received.");
        EventsReceived = _meter.CreateCounter<long>("webex.teamsconnector.wxcc.events.received", description: "Agent events passed on.");
        EventsRejected = _meter.CreateCounter<long>("webex.teamsconnector.wxcc.events.rejected", description: "Agent events or deliveries refused.");
        EventsDuplicate = _meter.CreateCounter<long>("webex.teamsconnector.wxcc.events.duplicate", description: "Agent events dropped as repeats or out of order.");
    }

    public Counter<long> WritesSent { get; }

    public Counter<long> WritesFailed { get; }

    public Counter<long> WritesCoalesced { get; }

    public Counter<long> WritesWithdrawn { get; }

    public Counter<long> Throttled { get; }

    public Counter<long> EventsReceived { get; }

    public Counter<long> EventsRejected { get; }

    public Counter<long> EventsDuplicate { get; }

    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }
}
