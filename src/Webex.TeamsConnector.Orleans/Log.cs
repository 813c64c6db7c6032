using Microsoft.Extensions.Logging;

namespace Webex.TeamsConnector.Orleans;

/// <summary>The cluster host's log messages (event ids 6100-6199).</summary>
internal static partial class Log
{
    [LoggerMessage(6100, LogLevel.Information, "The connector of org {Org} runs on silo {Silo}.")]
    public static partial void OrgStarted(ILogger logger, string org, string silo);

    [LoggerMessage(6101, LogLevel.Information, "The connector of org {Org} stops: {Reason}.")]
    public static partial void OrgStopping(ILogger logger, string org, string reason);

    [LoggerMessage(6102, LogLevel.Warning, "A grain was activated for a WxCC org id that is not listed under TeamsConnector:Orgs on this silo ({OrgId}); it runs nothing.")]
    public static partial void OrgNotListed(ILogger logger, string orgId);

    [LoggerMessage(6103, LogLevel.Debug, "No reminder service is configured; the silos' keeper keeps the org grains active.")]
    public static partial void ReminderUnavailable(ILogger logger, Exception exception);

    [LoggerMessage(6104, LogLevel.Debug, "Could not reach the grain of org {Org}; trying again at the next round.")]
    public static partial void PingFailed(ILogger logger, string org, Exception exception);

    [LoggerMessage(6105, LogLevel.Warning, "Could not store the org's Graph subscription ids in grain storage.")]
    public static partial void SubscriptionsNotStored(ILogger logger, Exception exception);
}
