using Microsoft.Extensions.Logging;

namespace Webex.TeamsConnector.ContactCenter;

/// <summary>The adapter's log messages (event ids 4000-4099). None carries a token, a secret or a request body.</summary>
internal static partial class Log
{
    [LoggerMessage(4000, LogLevel.Debug, "WxCC access token refreshed; valid for {Lifetime}.")]
    public static partial void TokenRefreshed(ILogger logger, TimeSpan lifetime);

    [LoggerMessage(4001, LogLevel.Information, "WxCC rotated the refresh token; the new one was stored.")]
    public static partial void RefreshTokenRotated(ILogger logger);

    [LoggerMessage(4002, LogLevel.Error, "The token endpoint refused the refresh-token grant: HTTP {Status} {Error}.")]
    public static partial void TokenRefreshFailed(ILogger logger, int status, string? error);

    [LoggerMessage(4003, LogLevel.Information, "{Method} {Path} answered 401; refreshing the token once and retrying (TrackingId {TrackingId}).")]
    public static partial void Unauthorized(ILogger logger, string method, string path, string trackingId);

    [LoggerMessage(4004, LogLevel.Warning, "{Method} {Path} answered 429; every request waits {RetryAfter} (TrackingId {TrackingId}).")]
    public static partial void Throttled(ILogger logger, string method, string path, TimeSpan retryAfter, string trackingId);

    [LoggerMessage(4005, LogLevel.Warning, "{Method} {Path} failed ({Failure}); retrying in {Delay} (TrackingId {TrackingId}).")]
    public static partial void TransientFailure(ILogger logger, string method, string path, string failure, TimeSpan delay, string trackingId);

    [LoggerMessage(4010, LogLevel.Debug, "Agent {AgentId}: wanted state {Old} replaced by {New} before it was sent.")]
    public static partial void WriteCoalesced(ILogger logger, string agentId, string old, string @new);

    [LoggerMessage(4043, LogLevel.Debug, "Agent {AgentId}: wanted state {State} withdrawn before it was sent; the agent state changed otherwise.")]
    public static partial void WriteWithdrawn(ILogger logger, string agentId, string state);

    [LoggerMessage(4011, LogLevel.Debug, "Agent {AgentId}: state {State} accepted by WxCC (TrackingId {TrackingId}).")]
    public static partial void WriteAccepted(ILogger logger, string agentId, string state, string? trackingId);

    [LoggerMessage(4012, LogLevel.Warning, "Agent {AgentId}: state {State} failed: {Reason} (TrackingId {TrackingId}).")]
    public static partial void WriteFailed(ILogger logger, string agentId, string state, string? reason, string? trackingId);

    [LoggerMessage(4013, LogLevel.Information, "Agent {AgentId}: state write failed ({Failure}); retrying in {Delay} (TrackingId {TrackingId}).")]
    public static partial void WriteRetry(ILogger logger, string agentId, string failure, TimeSpan delay, string trackingId);

    [LoggerMessage(4015, LogLevel.Warning, "The outbox stopped with {Count} writes not sent; each was reported as failed.")]
    public static partial void UnsentOnShutdown(ILogger logger, int count);

    [LoggerMessage(4016, LogLevel.Error, "Agent {AgentId}: the result of state {State} (succeeded: {Succeeded}) could not be reported: no one reads the results.")]
    public static partial void ResultLost(ILogger logger, string agentId, string state, bool succeeded);

    [LoggerMessage(4017, LogLevel.Warning, "AgentStateChangeFailed for agent {AgentId} (TrackingId {TrackingId}) matches no write of the connector.")]
    public static partial void UnmatchedFailure(ILogger logger, string? agentId, string? trackingId);

    [LoggerMessage(4020, LogLevel.Warning, "WxCC webhook refused with {Status}: {Reason}.")]
    public static partial void WebhookRejected(ILogger logger, int status, string reason);

    [LoggerMessage(4021, LogLevel.Debug, "WxCC webhook delivery {Id} repeated; acknowledged and dropped.")]
    public static partial void WebhookDuplicate(ILogger logger, string id);

    [LoggerMessage(4023, LogLevel.Information, "Webhook subscription {Id} created.")]
    public static partial void SubscriptionCreated(ILogger logger, string id);

    [LoggerMessage(4024, LogLevel.Information, "Webhook subscription {Id} reused.")]
    public static partial void SubscriptionReused(ILogger logger, string id);

    [LoggerMessage(4025, LogLevel.Warning, "The webhook subscription could not be ensured ({Reason}); trying again in {Delay}.")]
    public static partial void SubscriptionFailed(ILogger logger, string reason, TimeSpan delay);

    [LoggerMessage(4030, LogLevel.Information, "WxCC notification websocket connected.")]
    public static partial void WebSocketConnected(ILogger logger);

    [LoggerMessage(4031, LogLevel.Debug, "WxCC notification websocket welcomed the connector.")]
    public static partial void WebSocketWelcome(ILogger logger);

    [LoggerMessage(4032, LogLevel.Warning, "WxCC notification websocket closed ({Status}); reconnecting.")]
    public static partial void WebSocketClosed(ILogger logger, string status);

    [LoggerMessage(4033, LogLevel.Warning, "WxCC notification websocket failed ({Kind}: {Reason}); reconnecting.")]
    public static partial void WebSocketFailed(ILogger logger, string kind, string reason);

    [LoggerMessage(4034, LogLevel.Warning, "WxCC notification message refused: {Reason}.")]
    public static partial void WebSocketMessageRejected(ILogger logger, string reason);

    [LoggerMessage(4035, LogLevel.Warning, "WxCC delivery of a contact on an unknown channel, nothing published: {Reason}.")]
    public static partial void UnknownChannel(ILogger logger, string reason);

    [LoggerMessage(4040, LogLevel.Debug, "Reconciled {Asked} agents; {Found} have a current state.")]
    public static partial void Reconciled(ILogger logger, int asked, int found);

    [LoggerMessage(4041, LogLevel.Warning, "Reconciliation failed ({Reason}); trying again after a short back-off (1 s, doubling, at most the reconciliation interval).")]
    public static partial void ReconciliationFailed(ILogger logger, string reason);

    [LoggerMessage(4042, LogLevel.Warning, "The idle codes could not be read ({Reason}); RONA is recognised by the event's code only.")]
    public static partial void CatalogueFailed(ILogger logger, string reason);

    [LoggerMessage(4050, LogLevel.Error, "WxCC rotated the refresh token but the refresh-token store could not save it ({ErrorType}); the new one is kept in memory and saving is tried again at the next refresh.")]
    public static partial void RefreshTokenNotSaved(ILogger logger, string errorType);

    [LoggerMessage(4060, LogLevel.Warning, "Agent {AgentId}: WxCC returned a full page of {PageSize} activity records within {Window}; its current state was not among them and is left to the next reconciliation.")]
    public static partial void ActivitiesTruncated(ILogger logger, string agentId, int pageSize, TimeSpan window);

    [LoggerMessage(4061, LogLevel.Warning, "The webhook subscription {SubscriptionId} is {Status}; putting it back in place.")]
    public static partial void SubscriptionLost(ILogger logger, string subscriptionId, string status);

    [LoggerMessage(4062, LogLevel.Warning, "Checking the webhook subscription failed: {Reason}; trying again at the next reconciliation.")]
    public static partial void SubscriptionCheckFailed(ILogger logger, string reason);

    [LoggerMessage(4063, LogLevel.Warning, "WxCC refused {Resource} pages of {Refused}; reading pages of {PageSize} instead.")]
    public static partial void PageSizeRefused(ILogger logger, string resource, int refused, int pageSize);

    [LoggerMessage(4064, LogLevel.Debug, "Reconciliation uses the roster's users read ({Users} users); no users request made.")]
    public static partial void ReconciliationSharedUsers(ILogger logger, int users);
}
