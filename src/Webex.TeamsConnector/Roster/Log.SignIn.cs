using Microsoft.Extensions.Logging;

namespace Webex.TeamsConnector;

/// <summary>Log messages of agents loaded at sign-in and of the presence-sync setting check (event ids 1300..1319).</summary>
internal static partial class Log
{
    [LoggerMessage(1300, LogLevel.Information, "Agent {AgentId} signed in before the roster knew it; loaded and synced from now on.")]
    public static partial void SignInLoaded(ILogger logger, string agentId);

    [LoggerMessage(1301, LogLevel.Debug, "Agent {AgentId} signed in and is not eligible for presence sync (user, profile or Teams user).")]
    public static partial void SignInNotEligible(ILogger logger, string agentId);

    [LoggerMessage(1302, LogLevel.Warning, "Agent {AgentId} signed in and could not be loaded now ({Reason}); the roster refresh will try again.")]
    public static partial void SignInLookupFailed(ILogger logger, string agentId, string reason);

    [LoggerMessage(1310, LogLevel.Warning, "The organization's presence-sync setting was turned off; presence sync stops until it is on again.")]
    public static partial void PresenceSyncTurnedOff(ILogger logger);

    [LoggerMessage(1311, LogLevel.Warning, "The presence-sync setting could not be read ({Reason}); sync goes on and the next check tries again.")]
    public static partial void PresenceSyncCheckFailed(ILogger logger, string reason);
}
