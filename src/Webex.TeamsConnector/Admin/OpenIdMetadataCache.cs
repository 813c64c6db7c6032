using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace Webex.TeamsConnector;

/// <summary>
/// The tenant's OpenID Connect metadata and signing keys (discovery, then its <c>jwks_uri</c>), read with
/// Microsoft.IdentityModel and cached for <see cref="ConnectorAdminOptions.SigningKeysLifetime"/>. A token signed with
/// a key id the cache does not know makes the caller ask for a refresh, granted at most once per
/// <see cref="MinimumRefreshInterval"/> so that forged key ids cannot make the connector hammer the authority.
/// </summary>
internal sealed class OpenIdMetadataCache : IDisposable
{
    /// <summary>The shortest time between two reads of the metadata.</summary>
    public static readonly TimeSpan MinimumRefreshInterval = TimeSpan.FromSeconds(30);

    private readonly HttpClient _http;
    private readonly TimeProvider _time;
    private readonly IOptionsMonitor<TeamsConnectorOptions> _options;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private OpenIdConnectConfiguration? _configuration;
    private string? _address;
    private DateTimeOffset _readAt;

    public OpenIdMetadataCache(HttpClient http, TimeProvider time, IOptionsMonitor<TeamsConnectorOptions> options)
    {
        _http = http;
        _time = time;
        _options = options;
    }

    /// <summary>The discovery address for the configured authority host and tenant.</summary>
    public static Uri DiscoveryAddress(ConnectorAdminOptions admin) =>
        new($"{admin.AuthorityHost.AbsoluteUri.TrimEnd('/')}/{Uri.EscapeDataString(admin.TenantId ?? "organizations")}/v2.0/.well-known/openid-configuration");

    /// <summary>Returns the metadata, read again when it is older than its lifetime or when a refresh is asked for and allowed.</summary>
    /// <param name="refresh">Whether the caller met an unknown signing key.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The metadata with its signing keys, and whether it was read now.</returns>
    /// <exception cref="InvalidOperationException">The metadata could not be read or is not valid.</exception>
    public async Task<(OpenIdConnectConfiguration Configuration, bool Fresh)> GetAsync(bool refresh, CancellationToken cancellationToken)
    {
        var admin = _options.CurrentValue.Admin;
        var address = DiscoveryAddress(admin).AbsoluteUri;
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var now = _time.GetUtcNow();
            var age = now - _readAt;
            if (_configuration is { } cached && _address == address && age < admin.SigningKeysLifetime && (!refresh || age < MinimumRefreshInterval))
            {
                return (cached, false);
            }

            var retriever = new HttpDocumentRetriever(_http) { RequireHttps = !admin.AuthorityHost.IsLoopback };
            OpenIdConnectConfiguration configuration;
            try
            {
                configuration = await OpenIdConnectConfigurationRetriever.GetAsync(address, retriever, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or InvalidOperationException or ArgumentException or HttpRequestException or System.Text.Json.JsonException
                || ex is OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                throw new InvalidOperationException($"The OpenID Connect metadata of the tenant could not be read from {admin.AuthorityHost.GetLeftPart(UriPartial.Authority)} ({ex.GetType().Name}).", ex);
            }

            if (string.IsNullOrEmpty(configuration.Issuer) || string.IsNullOrEmpty(configuration.TokenEndpoint) || configuration.SigningKeys.Count == 0)
            {
                throw new InvalidOperationException("The OpenID Connect metadata of the tenant has no issuer, token endpoint or signing keys.");
            }

            _configuration = configuration;
            _address = address;
            _readAt = now;
            return (configuration, true);
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();
}
