using Microsoft.Extensions.Logging;

namespace Webex.TeamsConnector;

/// <summary>Log messages of the audit trail (event ids 1600..1619).</summary>
internal static partial class Log
{
    /// <summary>The logger category of the audit records, so that they can be routed or filtered on their own.</summary>
    public const string AuditCategory = "Webex.TeamsConnector.Audit";

    [LoggerMessage(1600, LogLevel.Information, "Audit {Time:O} {OrgId} {AgentId}: {Trigger} {TeamsAvailability}/{TeamsActivity} {AgentEvent}; {StateBefore} -> {StateAfter} (origin {Origin}); rule {Rule}; command {Command}; {Outcome} {Detail}; latency {LatencyMs} ms.")]
    public static partial void AuditRecorded(
        ILogger logger, DateTimeOffset time, string orgId, string agentId, string trigger, string? teamsAvailability, string? teamsActivity, string? agentEvent,
        string? stateBefore, string? stateAfter, string? origin, string rule, string? command, AuditOutcome outcome, string? detail, double? latencyMs);

    [LoggerMessage(1601, LogLevel.Warning, "The audit store failed to write {Count} records ({Reason}); they are dropped and sync goes on.")]
    public static partial void AuditStoreFailed(ILogger logger, int count, string reason);

    [LoggerMessage(1602, LogLevel.Warning, "The audit buffer is full: {Count} records dropped so far (TeamsConnector:Audit:BufferCapacity); sync goes on.")]
    public static partial void AuditBufferFull(ILogger logger, long count);

    [LoggerMessage(1603, LogLevel.Information, "Daily sync report {OrgId} {From:yyyy-MM-dd}: {AgentsSynced} agents synced, {AgentsWritten} written; {Decisions} decisions; writes by rule {WritesByRule}; left alone {LeftAloneByRule}; {Refusals} refused, {Failures} failed, {Withdrawn} withdrawn or coalesced.")]
    public static partial void AuditDailyReport(
        ILogger logger, string orgId, DateTimeOffset from, int agentsSynced, int agentsWritten, long decisions, string writesByRule, string leftAloneByRule, long refusals, long failures, long withdrawn);

    [LoggerMessage(1604, LogLevel.Warning, "The daily sync report could not be read from the audit store ({Reason}).")]
    public static partial void AuditReportFailed(ILogger logger, string reason);

    [LoggerMessage(1605, LogLevel.Warning, "The audit store's housekeeping (retention and size) failed ({Reason}); the next write tries again.")]
    public static partial void AuditHousekeepingFailed(ILogger logger, string reason);
}
