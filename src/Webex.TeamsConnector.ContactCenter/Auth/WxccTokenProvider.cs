using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Webex.TeamsConnector.ContactCenter;

/// <summary>
/// OAuth access tokens by the refresh-token grant: cached until shortly before expiry, one refresh at a time however
/// many callers ask, and the rotated refresh token kept in the <see cref="IRefreshTokenStore"/>.
/// </summary>
/// <remarks>
/// The cached token and the refresh in progress are kept under one lock; the refresh runs outside it and every caller
/// awaits the same task (cancelling one caller's wait does not cancel the refresh). The refresh clears itself, under
/// the lock, before its task completes, and a refresh that finished before its first await is never stored, so a
/// failed refresh is never handed to a later caller: the next call tries again.
/// A rotated refresh token the store could not save is kept in memory and used for the next refresh.
/// </remarks>
internal sealed class WxccTokenProvider
{
    private readonly object _gate = new();
    private readonly IHttpClientFactory _httpClientFactory;
    private readonly IRefreshTokenStore _store;
    private readonly WxccResilience _resilience;
    private readonly ContactCenterOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private string? _accessToken;
    private DateTimeOffset _refreshAt;
    private Task<string>? _refreshing;
    private string? _unsavedRefreshToken;
    private int _refreshCount;

    public WxccTokenProvider(
        IHttpClientFactory httpClientFactory,
        IRefreshTokenStore store,
        WxccResilience resilience,
        IOptions<ContactCenterOptions> options,
        TimeProvider timeProvider,
        ILogger<WxccTokenProvider> logger)
    {
        _httpClientFactory = httpClientFactory;
        _store = store;
        _resilience = resilience;
        _options = options.Value;
        _time = timeProvider;
        _logger = logger;
    }

    /// <summary>The number of refreshes made (for tests and diagnostics).</summary>
    public int RefreshCount => Volatile.Read(ref _refreshCount);

    /// <summary>A valid access token, refreshed when missing or about to expire.</summary>
    public Task<string> GetAccessTokenAsync(CancellationToken cancellationToken) => GetAsync(staleToken: null, cancellationToken);

    /// <summary>
    /// A fresh token after <paramref name="staleToken"/> was refused with 401: refreshes once, however many callers
    /// report the same stale token.
    /// </summary>
    public Task<string> RefreshAfterUnauthorizedAsync(string staleToken, CancellationToken cancellationToken) =>
        GetAsync(staleToken, cancellationToken);

    private Task<string> GetAsync(string? staleToken, CancellationToken cancellationToken)
    {
        Task<string> refresh;
        lock (_gate)
        {
            var fresh = _accessToken is not null && _time.GetUtcNow() < _refreshAt;
            if (fresh && (staleToken is null || !string.Equals(staleToken, _accessToken, StringComparison.Ordinal)))
            {
                return Task.FromResult(_accessToken!);
            }

            if (staleToken is not null && string.Equals(staleToken, _accessToken, StringComparison.Ordinal))
            {
                _accessToken = null;
            }

            refresh = _refreshing ?? StartRefreshLocked();
        }

        return refresh.WaitAsync(cancellationToken);
    }

    private Task<string> StartRefreshLocked()
    {
        // The refresh clears _refreshing under this lock when it ends. If it ended already (it failed, or succeeded,
        // before its first real await) that cleanup ran here, inline: storing the finished task would cache it, so
        // only a refresh still running is stored. A running one cannot clear itself before this method releases the lock.
        var refresh = RefreshAsync();
        if (!refresh.IsCompleted)
        {
            _refreshing = refresh;
        }

        return refresh;
    }

    private async Task<string> RefreshAsync()
    {
        try
        {
            Interlocked.Increment(ref _refreshCount);
            var refreshToken = Volatile.Read(ref _unsavedRefreshToken) ?? await ReadStoreAsync().ConfigureAwait(false) ?? _options.RefreshToken;
            if (string.IsNullOrEmpty(refreshToken))
            {
                throw new ContactCenterException("No refresh token is configured (TeamsConnector:ContactCenter:RefreshToken).");
            }

            // Through the adapter's one pipeline (the shared budget, the attempt timeout, a 429 pausing everyone), not
            // retried here: a failed grant fails this refresh, and the next call tries again.
            var call = new WxccCall(HttpMethod.Post.Method, _options.TokenUrl.AbsolutePath, retry: false, leaseHeld: false);
            var response = await _resilience.ExecuteAsync(call, (_, trackingId, token) => PostGrantAsync(refreshToken, trackingId, call, token), CancellationToken.None).ConfigureAwait(false);
            if (response.Status is null)
            {
                throw new ContactCenterException(response.Error == "timed out"
                    ? "The token endpoint did not answer in time."
                    : $"The token endpoint could not be reached ({response.Error}).");
            }

            var body = response.Body;
            if (!response.IsSuccess)
            {
                var error = ReadError(body);
                Log.TokenRefreshFailed(_logger, (int)response.Status, error);
                throw new ContactCenterException(
                    $"The token endpoint refused the refresh-token grant (HTTP {(int)response.Status}{(error is null ? string.Empty : ", " + error)}).",
                    response.Status,
                    trackingId: null);
            }

            string accessToken;
            TimeSpan lifetime;
            string? rotated;
            try
            {
                using var doc = JsonDocument.Parse(body);
                var root = doc.RootElement;
                accessToken = root.GetProperty("access_token").GetString() ?? throw new JsonException("access_token is null");
                lifetime = TimeSpan.FromSeconds(root.TryGetProperty("expires_in", out var e) && e.TryGetInt64(out var s) ? s : 3600);
                rotated = root.TryGetProperty("refresh_token", out var r) ? r.GetString() : null;
            }
            catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
            {
                throw new ContactCenterException("The token endpoint answered with a body that is not a token response.", response.Status, null);
            }

            var wasUnsaved = Volatile.Read(ref _unsavedRefreshToken) is not null;
            if ((!string.IsNullOrEmpty(rotated) && !string.Equals(rotated, refreshToken, StringComparison.Ordinal)) || wasUnsaved)
            {
                await SaveRefreshTokenAsync(string.IsNullOrEmpty(rotated) ? refreshToken : rotated).ConfigureAwait(false);
            }

            var margin = TimeSpan.FromTicks(Math.Min(TimeSpan.FromMinutes(5).Ticks, lifetime.Ticks / 10));
            lock (_gate)
            {
                _accessToken = accessToken;
                _refreshAt = _time.GetUtcNow() + lifetime - margin;
            }

            Log.TokenRefreshed(_logger, lifetime);
            return accessToken;
        }
        finally
        {
            lock (_gate)
            {
                _refreshing = null;
            }
        }
    }

    private async Task<WxccResponse> PostGrantAsync(string refreshToken, string trackingId, WxccCall call, CancellationToken cancellationToken)
    {
        using var content = new FormUrlEncodedContent(
        [
            new("grant_type", "refresh_token"),
            new("client_id", _options.ClientId ?? string.Empty),
            new("client_secret", _options.ClientSecret ?? string.Empty),
            new("refresh_token", refreshToken),
        ]);
        var client = _httpClientFactory.CreateClient(ContactCenterHttp.ClientName);
        using var response = await client.PostAsync(_options.TokenUrl, content, cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.TooManyRequests)
        {
            _resilience.OnTooManyRequests(call, response, trackingId);
        }

        return new WxccResponse(response.StatusCode, body, trackingId, null);
    }

    private async Task<string?> ReadStoreAsync()
    {
        try
        {
            return await _store.GetAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not ContactCenterException)
        {
            // The type only: a store's message may name a path or, in a careless implementation, the token.
            throw new ContactCenterException($"The refresh-token store could not be read ({ex.GetType().Name}).");
        }
    }

    private async Task SaveRefreshTokenAsync(string refreshToken)
    {
        try
        {
            await _store.SaveAsync(refreshToken, CancellationToken.None).ConfigureAwait(false);
            Volatile.Write(ref _unsavedRefreshToken, null);
            Log.RefreshTokenRotated(_logger);
        }
        catch (Exception ex)
        {
            // The token endpoint has retired the old refresh token: keep the new one for the next refresh.
            Volatile.Write(ref _unsavedRefreshToken, refreshToken);
            Log.RefreshTokenNotSaved(_logger, ex.GetType().Name);
        }
    }

    private static string? ReadError(byte[] body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.ValueKind == JsonValueKind.Object
                && doc.RootElement.TryGetProperty("error", out var e)
                && e.ValueKind == JsonValueKind.String
                && e.GetString() is { Length: <= 64 } code
                && code.All(static c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.'))
            {
                return code;
            }
        }
        catch (JsonException)
        {
        }

        return null;
    }
}
