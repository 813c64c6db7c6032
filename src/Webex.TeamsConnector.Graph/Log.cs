using Microsoft.Extensions.Logging;

namespace Webex.TeamsConnector.Graph;

/// <summary>The adapter's log messages (event ids 3000-3099). Never a secret, token or clientState.</summary>
internal static partial class Log
{
    [LoggerMessage(3000, LogLevel.Warning, "Graph throttled {Path}; retry {Attempt} after {Delay}.")]
    public static partial void Throttled(ILogger logger, string? path, TimeSpan delay, int attempt);

    [LoggerMessage(3001, LogLevel.Information, "Graph request {Path} failed (status {Status}, {Error}); retry {Attempt} after {Delay}.")]
    public static partial void RetryingRequest(ILogger logger, string? path, int status, string? error, TimeSpan delay, int attempt);

    [LoggerMessage(3007, LogLevel.Warning, "Graph asked to wait {Delay} before retrying {Path}, longer than MaxRetryDelay ({MaxDelay}); the request waits the full time.")]
    public static partial void LongRetryAfter(ILogger logger, string? path, TimeSpan delay, TimeSpan maxDelay);

    [LoggerMessage(3002, LogLevel.Warning, "Polling {Users} users needs {Batches} requests per cycle: the cycle is {Cycle} instead of {Interval} to stay within {Budget} requests per {Window}.")]
    public static partial void CycleLengthened(ILogger logger, int users, int batches, TimeSpan cycle, TimeSpan interval, int budget, TimeSpan window);

    [LoggerMessage(3008, LogLevel.Warning, "Graph throttled polling: the cycle is {Cycle} ({Rate:P0} of the rate the budget allows); it shortens again after each cycle without a 429.")]
    public static partial void PollBackedOff(ILogger logger, TimeSpan cycle, double rate);

    [LoggerMessage(3003, LogLevel.Information, "Polling {Users} users in {Batches} requests per cycle of {Cycle}.")]
    public static partial void CyclePlanned(ILogger logger, int users, int batches, TimeSpan cycle);

    [LoggerMessage(3004, LogLevel.Warning, "Reading the presence of {Users} users failed (status {Status}); they are read again in the next cycle.")]
    public static partial void ReadFailed(ILogger logger, int users, int status, Exception exception);

    [LoggerMessage(3005, LogLevel.Warning, "Ignored {Count} watched user ids that are not Entra ID object ids (GUIDs).")]
    public static partial void InvalidUserIds(ILogger logger, int count);

    [LoggerMessage(3006, LogLevel.Debug, "Dropped a stale presence of {UserId}: sequence {Received} is older than {Last}.")]
    public static partial void StalePresence(ILogger logger, string userId, string received, string last);

    [LoggerMessage(3010, LogLevel.Warning, "Rejected a Graph notification: {Reason}.")]
    public static partial void NotificationRejected(ILogger logger, string reason);

    [LoggerMessage(3011, LogLevel.Warning, "Rejected a Graph notification request: {Reason}.")]
    public static partial void NotificationRequestRejected(ILogger logger, string reason);

    [LoggerMessage(3019, LogLevel.Warning, "Rejected {Rejected} of {Items} Graph notifications in one request ({Reasons}).")]
    public static partial void NotificationsRejected(ILogger logger, int rejected, int items, string reasons);

    [LoggerMessage(3012, LogLevel.Information, "Graph lifecycle event {Event} for subscription {SubscriptionId}.")]
    public static partial void LifecycleEvent(ILogger logger, string @event, string subscriptionId);

    [LoggerMessage(3013, LogLevel.Information, "Created presence subscription {SubscriptionId} for {Users} users, expiring at {ExpiresAt}.")]
    public static partial void SubscriptionCreated(ILogger logger, string subscriptionId, int users, DateTimeOffset expiresAt);

    [LoggerMessage(3014, LogLevel.Information, "Renewed presence subscription {SubscriptionId} until {ExpiresAt}.")]
    public static partial void SubscriptionRenewed(ILogger logger, string subscriptionId, DateTimeOffset expiresAt);

    [LoggerMessage(3015, LogLevel.Warning, "Presence subscription {SubscriptionId} is gone; it is created again.")]
    public static partial void SubscriptionGone(ILogger logger, string subscriptionId);

    [LoggerMessage(3016, LogLevel.Warning, "Managing presence subscriptions failed ({Operation}); retrying at {RetryAt}.")]
    public static partial void SubscriptionFailed(ILogger logger, string operation, DateTimeOffset retryAt, Exception exception);

    [LoggerMessage(3017, LogLevel.Information, "Reauthorized presence subscription {SubscriptionId}.")]
    public static partial void SubscriptionReauthorized(ILogger logger, string subscriptionId);

    [LoggerMessage(3018, LogLevel.Warning, "The notification queue is full; Graph is asked to deliver again later.")]
    public static partial void InboxFull(ILogger logger);

    [LoggerMessage(3020, LogLevel.Information, "Presence session of {UserId} was already cleared.")]
    public static partial void AlreadyCleared(ILogger logger, string userId);

    [LoggerMessage(3030, LogLevel.Warning, "Resolving user '{User}' failed (status {Status}).")]
    public static partial void ResolveFailed(ILogger logger, string user, int status, Exception exception);

    [LoggerMessage(3031, LogLevel.Debug, "Refused to look up '{User}': not an e-mail address or user principal name.")]
    public static partial void InvalidUserName(ILogger logger, string user);

    [LoggerMessage(3040, LogLevel.Warning, "Reading the presence of {Users} experts failed; results come without presence.")]
    public static partial void ExpertPresenceFailed(ILogger logger, int users, Exception exception);

    [LoggerMessage(3050, LogLevel.Error, "The presence feed failed unexpectedly; it goes on after {Delay}.")]
    public static partial void FeedFailed(ILogger logger, TimeSpan delay, Exception exception);
}
