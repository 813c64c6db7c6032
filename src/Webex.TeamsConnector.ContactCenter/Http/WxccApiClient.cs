using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Options;

namespace Webex.TeamsConnector.ContactCenter;

/// <summary>Shared HTTP constants and helpers.</summary>
internal static class ContactCenterHttp
{
    public const string ClientName = "Webex.TeamsConnector.ContactCenter";

    /// <summary>
    /// The wait a <c>Retry-After</c> asks for: seconds, or an HTTP date measured from <paramref name="now"/> (the
    /// connector's <see cref="TimeProvider"/>, not the response's <c>Date</c>, which a proxy or server may set from
    /// another clock). Never negative.
    /// </summary>
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
                var wait = date - now;
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
/// Sends every WxCC / Webex API request of the adapter through <see cref="WxccResilience"/> (the shared budget, the
/// attempt timeout, 429 <c>Retry-After</c> for everyone, one token refresh after a 401, and retries for reads), adding
/// the bearer token and a fresh <c>TrackingId</c> to each attempt.
/// </summary>
internal sealed class WxccApiClient
{
    private readonly IHttpClientFactory _httpClientFactory;
    private readonly WxccTokenProvider _tokens;
    private readonly WxccResilience _resilience;

    public WxccApiClient(
        IHttpClientFactory httpClientFactory,
        WxccTokenProvider tokens,
        WxccResilience resilience,
        IOptions<ContactCenterOptions> options)
    {
        _httpClientFactory = httpClientFactory;
        _tokens = tokens;
        _resilience = resilience;
        Options = options.Value;
    }

    public ContactCenterOptions Options { get; }

    public RequestBudget Budget => _resilience.Budget;

    /// <summary>The back-off of the <paramref name="attempt"/>-th failure (see <see cref="WxccResilience.Backoff"/>).</summary>
    internal static TimeSpan Backoff(int attempt) => WxccResilience.Backoff(attempt);

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
    public Task<WxccResponse> SendAsync(HttpMethod method, Uri uri, byte[]? jsonBody, bool retry, bool leaseHeld, CancellationToken cancellationToken) =>
        _resilience.ExecuteAsync(
            new WxccCall(method.Method, uri.AbsolutePath, retry, leaseHeld),
            (call, trackingId, token) => SendOnceAsync(call, method, uri, jsonBody, trackingId, token),
            cancellationToken);

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

    private async Task<WxccResponse> SendOnceAsync(WxccCall call, HttpMethod method, Uri uri, byte[]? jsonBody, string trackingId, CancellationToken cancellationToken)
    {
        var token = call.StaleToken is { } stale
            ? await _tokens.RefreshAfterUnauthorizedAsync(stale, cancellationToken).ConfigureAwait(false)
            : await _tokens.GetAccessTokenAsync(cancellationToken).ConfigureAwait(false);
        call.StaleToken = null;
        call.Token = token;
        using var request = new HttpRequestMessage(method, uri);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.TryAddWithoutValidation("TrackingId", trackingId);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (jsonBody is not null)
        {
            request.Content = new ByteArrayContent(jsonBody);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        var client = _httpClientFactory.CreateClient(ContactCenterHttp.ClientName);
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.TooManyRequests)
        {
            _resilience.OnTooManyRequests(call, response, trackingId);
        }

        return new WxccResponse(response.StatusCode, body, trackingId, null);
    }
}
