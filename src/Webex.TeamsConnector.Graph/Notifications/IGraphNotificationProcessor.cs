namespace Webex.TeamsConnector.Graph;

/// <summary>
/// Handles what Microsoft Graph posts to the change-notification URL, independent of the web framework: the
/// validation handshake, and change and lifecycle notifications. Checks are fast and done before answering
/// (size, JSON, <c>clientState</c> in constant time, known subscription, tenant); decryption and the work that
/// follows happen afterwards, in the presence feed. Rejected notifications are logged and counted.
/// </summary>
internal interface IGraphNotificationProcessor
{
    /// <summary>Handles one request whose body is already in memory.</summary>
    /// <param name="validationToken">The <c>validationToken</c> query parameter, URL-decoded (as the web framework gives it), or <see langword="null"/>.</param>
    /// <param name="body">The request body.</param>
    /// <returns>What to answer.</returns>
    GraphNotificationResponse Process(string? validationToken, ReadOnlySpan<byte> body);

    /// <summary>Handles one request, reading at most the configured body size from <paramref name="body"/>.</summary>
    /// <param name="validationToken">The <c>validationToken</c> query parameter, URL-decoded, or <see langword="null"/>.</param>
    /// <param name="body">The request body stream.</param>
    /// <param name="cancellationToken">Cancels reading the body.</param>
    /// <returns>What to answer.</returns>
    ValueTask<GraphNotificationResponse> ProcessAsync(string? validationToken, Stream body, CancellationToken cancellationToken);

    /// <summary>
    /// Refuses a request whose body the web framework could not read or would not read (declared or sent larger than
    /// the limit, sent too slowly, malformed framing, too many bodies in memory at once); logged and counted like every
    /// other rejection (reason <c>too-large</c> for 413, <c>too-slow</c> for 408, <c>busy</c> for 503, else
    /// <c>malformed</c>).
    /// </summary>
    /// <param name="statusCode">The status to answer.</param>
    /// <param name="reason">A fixed description for the log; never text taken from the request.</param>
    /// <returns>What to answer.</returns>
    GraphNotificationResponse RejectRequest(int statusCode, string reason);
}

/// <summary>The answer to a Graph notification request.</summary>
/// <param name="StatusCode">The HTTP status: 200 for the handshake, 202 for notifications, 4xx for bad requests.</param>
/// <param name="ContentType">The content type of <paramref name="Body"/>, if any.</param>
/// <param name="Body">The body to send, if any.</param>
internal readonly record struct GraphNotificationResponse(int StatusCode, string? ContentType, string? Body);
