using Microsoft.Extensions.Logging;

namespace Webex.TeamsConnector;

/// <summary>Log messages of the admin API's run-time settings (event ids 1060..1069).</summary>
internal static partial class Log
{
    [LoggerMessage(1060, LogLevel.Information, "Idle-code mapping changed through the admin API: {Count} Teams states mapped; it applies from the next Teams change.")]
    public static partial void MappingChanged(ILogger logger, int count);

    [LoggerMessage(1061, LogLevel.Warning, "Idle-code mapping change refused: {Count} errors (the admin API answered them).")]
    public static partial void MappingRefused(ILogger logger, int count);

    [LoggerMessage(1062, LogLevel.Information, "Agent {AgentId} paused through the admin API: the connector leaves the agent alone until resumed.")]
    public static partial void AgentPaused(ILogger logger, string agentId);

    [LoggerMessage(1063, LogLevel.Information, "Agent {AgentId} resumed through the admin API.")]
    public static partial void AgentResumed(ILogger logger, string agentId);

    [LoggerMessage(1064, LogLevel.Information, "Idle-code mapping applied to the running sync: {Count} Teams states mapped.")]
    public static partial void MappingApplied(ILogger logger, int count);

    [LoggerMessage(1065, LogLevel.Information, "Desktop profile {ProfileId} written to WxCC: {Toggle} {Enabled}.")]
    public static partial void DesktopProfileWritten(ILogger logger, string profileId, DesktopProfileToggle toggle, bool enabled);
}
