using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Webex.TeamsConnector.ContactCenter;

/// <summary>Shared HTTP constants and helpers.</summary>
internal static class ContactCenterHttp
{
    public const string ClientName = "Webex.TeamsConnector.ContactCenter";

    /// <summary>The wait a <c>Retry-After</c> asks for (seconds, or an HTTP date measured from the response's <c>Date</c>, else from <paramref name="now"/>).</summary>
    public static TimeSpan? RetryAfter(HttpResponseMessage response, DateTimeOffset now)
    {
        if (response.Headers.RetryAfter is { } retry)
        {
            if (retry.Delta is { } delta)
            {
                return delta;
            }

            if (retry.Date is { } date)
            {
                var wait = date - (response.Headers.Date ?? now);
                return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
            }
        }

        return null;
    }

    public static string NewTrackingId() => "teams-connector_" + Guid.NewGuid().ToString("D", CultureInfo.InvariantCulture);
}

/// <summary>A response from WxCC or the Webex API, or a failure to get one.</summary>
internal sealed record WxccResponse(HttpStatusCode? Status, byte[] Body, string TrackingId, string? Error)
{
    public bool IsSuccess => Status is { } s && (int)s is >= 200 and < 300;

    public bool IsTransient => Status is null or HttpStatusCode.RequestTimeout or HttpStatusCode.InternalServerError
        or HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout;

    public string Describe() => Status is { } s ? $"HTTP {(int)s}" : Error ?? "no response";
}

/// <summary>
/// Sends every WxCC / Webex API request of the adapter: takes a slot of the shared <see cref="RequestBudget"/>, adds the
/// bearer token and a fresh <c>TrackingId</c>, answers a 401 with one token refresh and one retry, honours 429
/// <c>Retry-After</c> for everyone, and (for reads) retries transient failures with backoff.
/// </summary>
internal sealed class WxccApiClient
{
    private const int MaxTransientAttempts = 4;
    private const int MaxThrottledRetries = 10;

    private readonly IHttpClientFactory _httpClientFactory;
    private readonly WxccTokenProvider _tokens;
    private readonly RequestBudget _budget;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public WxccApiClient(
        IHttpClientFactory httpClientFactory,
        WxccTokenProvider tokens,
        RequestBudget budget,
        IOptions<ContactCenterOptions> options,
        TimeProvider timeProvider,
        ILogger<WxccApiClient> logger)
    {
        _httpClientFactory = httpClientFactory;
        _tokens = tokens;
        _budget = budget;
        Options = options.Value;
        _time = timeProvider;
        _logger = logger;
    }

    public ContactCenterOptions Options { get; }

    public RequestBudget Budget => _budget;

    /// <summary>Sends a request.</summary>
    /// <param name="method">The method.</param>
    /// <param name="uri">The absolute URI.</param>
    /// <param name="jsonBody">The JSON body, if any.</param>
    /// <param name="retry">
    /// <see langword="true"/> to retry transient failures and 429 here (reads); <see langword="false"/> to hand them
    /// back to the caller (the outbox, which coalesces before retrying).
    /// </param>
    /// <param name="leaseHeld">Whether the caller already took a budget slot for the first attempt.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The response (check <see cref="WxccResponse.IsSuccess"/>).</returns>
    public async Task<WxccResponse> SendAsync(HttpMethod method, Uri uri, byte[]? jsonBody, bool retry, bool leaseHeld, CancellationToken cancellationToken)
    {
        var refreshed = false;
        var transient = 0;
        var throttled = 0;
        var first = true;
        while (true)
        {
            if (!first || !leaseHeld)
            {
                await _budget.AcquireAsync(cancellationToken).ConfigureAwait(false);
            }

            first = false;
            var token = await _tokens.GetAccessTokenAsync(cancellationToken).ConfigureAwait(false);
            var response = await SendOnceAsync(method, uri, jsonBody, token, cancellationToken).ConfigureAwait(false);
            if (response.Status == HttpStatusCode.Unauthorized && !refreshed)
            {
                refreshed = true;
                Log.Unauthorized(_logger, method.Method, uri.AbsolutePath, response.TrackingId);
                await _tokens.RefreshAfterUnauthorizedAsync(token, cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (response.Status == HttpStatusCode.TooManyRequests)
            {
                if (retry && ++throttled <= MaxThrottledRetries)
                {
                    continue;
                }

                return response;
            }

            if (response.IsTransient && retry && ++transient < MaxTransientAttempts)
            {
                var delay = Backoff(transient);
                Log.TransientFailure(_logger, method.Method, uri.AbsolutePath, response.Describe(), delay, response.TrackingId);
                await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
                continue;
            }

            return response;
        }
    }

    /// <summary>Sends a GET and fails with <see cref="ContactCenterException"/> unless it succeeds (or is 404 when allowed).</summary>
    public async Task<WxccResponse> GetAsync(Uri uri, bool allowNotFound, CancellationToken cancellationToken)
    {
        var response = await SendAsync(HttpMethod.Get, uri, null, retry: true, leaseHeld: false, cancellationToken).ConfigureAwait(false);
        if (response.IsSuccess || allowNotFound && response.Status == HttpStatusCode.NotFound)
        {
            return response;
        }

        throw new ContactCenterException($"GET {uri.AbsolutePath} failed ({response.Describe()}).", response.Status, response.TrackingId);
    }

    internal static TimeSpan Backoff(int attempt) =>
        TimeSpan.FromMilliseconds(Math.Min(30_000, 500 * Math.Pow(2, Math.Max(0, attempt - 1))));

    private async Task<WxccResponse> SendOnceAsync(HttpMethod method, Uri uri, byte[]? jsonBody, string token, CancellationToken cancellationToken)
    {
        var trackingId = ContactCenterHttp.NewTrackingId();
        using var request = new HttpRequestMessage(method, uri);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.TryAddWithoutValidation("TrackingId", trackingId);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (jsonBody is not null)
        {
            request.Content = new ByteArrayContent(jsonBody);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Options.RequestTimeout);
        try
        {
            var client = _httpClientFactory.CreateClient(ContactCenterHttp.ClientName);
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token).ConfigureAwait(false);
            var body = await response.Content.ReadAsByteArrayAsync(timeout.Token).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                var wait = ContactCenterHttp.RetryAfter(response, _time.GetUtcNow()) ?? TimeSpan.FromSeconds(60);
                _budget.PauseUntil(_time.GetUtcNow() + wait);
                Log.Throttled(_logger, method.Method, uri.AbsolutePath, wait, trackingId);
                ContactCenterTelemetry.Throttled.Add(1);
            }

            return new WxccResponse(response.StatusCode, body, trackingId, null);
        }
        catch (HttpRequestException ex)
        {
            return new WxccResponse(null, [], trackingId, "connection failed: " + ex.HttpRequestError);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new WxccResponse(null, [], trackingId, "timed out");
        }
    }
}
