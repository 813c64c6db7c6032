using Microsoft.Extensions.Logging;

namespace Webex.TeamsConnector;

/// <summary>The connector host's log messages (source-generated; event ids are stable).</summary>
internal static partial class Log
{
    [LoggerMessage(1000, LogLevel.Information, "Connector {Operation}: now {State}.")]
    public static partial void ConnectorLifecycleChanged(ILogger logger, ConnectorOperation operation, ConnectorState state);

    [LoggerMessage(1001, LogLevel.Warning, "Connector {Operation} refused: {Reason}")]
    public static partial void ConnectorOperationRefused(ILogger logger, ConnectorOperation operation, string reason);

    [LoggerMessage(1002, LogLevel.Warning, "Desktop profile {ProfileId} change refused: {Reason}")]
    public static partial void DesktopProfileChangeRefused(ILogger logger, string profileId, string reason);

    [LoggerMessage(1003, LogLevel.Warning, "Admin consent refused ({Reason}): {Detail}.")]
    public static partial void ConsentRefused(ILogger logger, string reason, string detail);

    [LoggerMessage(1100, LogLevel.Information, "Presence sync started: {Agents} agents, {Mapped} Teams states mapped.")]
    public static partial void SyncStarted(ILogger logger, int agents, int mapped);

    [LoggerMessage(1101, LogLevel.Information, "Presence sync stopped.")]
    public static partial void SyncStopped(ILogger logger);

    [LoggerMessage(1102, LogLevel.Warning, "Presence sync is not running: {Reason}")]
    public static partial void SyncNotRunning(ILogger logger, string reason);

    [LoggerMessage(1103, LogLevel.Error, "Presence sync failed and restarts in {Delay}: {Reason}")]
    public static partial void SyncFailed(ILogger logger, Exception exception, TimeSpan delay, string reason);

    [LoggerMessage(1104, LogLevel.Information, "Roster: {Added} agents added, {Removed} removed, {Unresolved} without a Teams user; {Total} synced.")]
    public static partial void RosterChanged(ILogger logger, int added, int removed, int unresolved, int total);

    [LoggerMessage(1200, LogLevel.Debug, "{Command}")]
    public static partial void CommandProduced(ILogger logger, SyncCommand command);

    [LoggerMessage(1201, LogLevel.Warning, "State write for agent {AgentId} ({State}) failed: {Reason}")]
    public static partial void WriteFailed(ILogger logger, string agentId, AgentState state, string? reason);

    [LoggerMessage(1207, LogLevel.Information, "State write for agent {AgentId} withdrawn before it was sent: the state changed by {Origin} meanwhile.")]
    public static partial void WriteWithdrawn(ILogger logger, string agentId, StateOrigin origin);

    [LoggerMessage(1240, LogLevel.Warning, "Agent event for {AgentId} dated {Ahead} ahead of the connector's clock was rejected (StateSync:MaxEventClockSkew).")]
    public static partial void EventClockSkew(ILogger logger, string agentId, TimeSpan ahead);

    [LoggerMessage(1241, LogLevel.Warning, "Reading the current state of {Count} agents failed: {Reason}; the sync rules ask again.")]
    public static partial void VerifyFailed(ILogger logger, int count, string reason);

    [LoggerMessage(1208, LogLevel.Warning, "Teams presence updates were still running when sync stopped ({Count} more queued); what was published expires by itself (StateSync:PublishExpiration).")]
    public static partial void PublisherUnfinished(ILogger logger, int count);

    [LoggerMessage(1202, LogLevel.Warning, "Teams presence {Operation} for agent {AgentId} failed: {Reason}")]
    public static partial void PublishFailed(ILogger logger, string operation, string agentId, string reason);

    [LoggerMessage(1203, LogLevel.Debug, "Event for an agent that is not synced was ignored ({Source}).")]
    public static partial void UnknownAgent(ILogger logger, string source);

    [LoggerMessage(1204, LogLevel.Warning, "{Count} unsent state writes were reported lost at shutdown.")]
    public static partial void WritesLostAtShutdown(ILogger logger, int count);

    [LoggerMessage(1205, LogLevel.Warning, "Agent {AgentId} has no Teams user for {Email}; it is not synced until one is found.")]
    public static partial void TeamsUserNotFound(ILogger logger, string agentId, string email);

    [LoggerMessage(1206, LogLevel.Warning, "Reconciliation failed: {Reason}")]
    public static partial void ReconciliationFailed(ILogger logger, string reason);
}
