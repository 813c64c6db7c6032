using System.Diagnostics.Metrics;

namespace Webex.TeamsConnector.ContactCenter;

/// <summary>The adapter's metrics, on the connector's one <c>Meter("Webex.TeamsConnector")</c>.</summary>
internal static class ContactCenterTelemetry
{
    public const string MeterName = "Webex.TeamsConnector";

    private static readonly Meter s_meter = new(MeterName);

    public static readonly Counter<long> WritesSent = s_meter.CreateCounter<long>("webex.teamsconnector.wxcc.writes.sent", description: "State writes WxCC accepted.");
    public static readonly Counter<long> WritesFailed = s_meter.CreateCounter<long>("webex.teamsconnector.wxcc.writes.failed", description: "State writes reported as failed.");
    public static readonly Counter<long> WritesCoalesced = s_meter.CreateCounter<long>("webex.teamsconnector.wxcc.writes.coalesced", description: "Wanted states replaced before they were sent.");
    public static readonly Counter<long> WritesWithdrawn = s_meter.CreateCounter<long>("webex.teamsconnector.wxcc.writes.withdrawn", description: "Wanted states dropped before they were sent because the agent state changed otherwise.");
    public static readonly Counter<long> Throttled = s_meter.CreateCounter<long>("webex.teamsconnector.wxcc.throttled", description: "429 responses received.");
    public static readonly Counter<long> EventsReceived = s_meter.CreateCounter<long>("webex.teamsconnector.wxcc.events.received", description: "Agent events passed on.");
    public static readonly Counter<long> EventsRejected = s_meter.CreateCounter<long>("webex.teamsconnector.wxcc.events.rejected", description: "Agent events or deliveries refused.");
    public static readonly Counter<long> EventsDuplicate = s_meter.CreateCounter<long>("webex.teamsconnector.wxcc.events.duplicate", description: "Agent events dropped as repeats or out of order.");
}
