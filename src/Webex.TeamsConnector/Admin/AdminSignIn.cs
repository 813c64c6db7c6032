using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Webex.TeamsConnector;

/// <summary>
/// The administrator's OpenID Connect sign-in before admin consent: authorization code + PKCE (S256) with
/// <c>state</c> and <c>nonce</c> against the tenant's authority, the code redeemed at the token endpoint with the
/// application's credential, and the ID token validated with Microsoft.IdentityModel (signature against the tenant's
/// keys, issuer, audience, lifetime), then its <c>tid</c>, <c>nonce</c> and <c>wids</c> checked: only a Global
/// Administrator or a Privileged Role Administrator of the configured tenant gets through.
/// </summary>
internal sealed class AdminSignIn
{
    /// <summary>Global Administrator's role template id.</summary>
    public const string GlobalAdministratorRoleId = "62e90394-69f5-4237-9190-012177145e10";

    /// <summary>Privileged Role Administrator's role template id.</summary>
    public const string PrivilegedRoleAdministratorRoleId = "e8611ab8-c189-46e8-94e1-60213ab1f814";

    /// <summary>The refusal given to anyone without one of the two roles.</summary>
    public const string RoleRefusal =
        "the signed-in account is neither a Global Administrator nor a Privileged Role Administrator of the tenant; only an account with one of these two Azure roles can authorize the Teams connector";

    private const string StateRefusal = "the sign-in response has an unknown, expired or already used state value; start authorization again";
    private const int MaxTokenResponseBytes = 64 * 1024;

    private readonly IAdminSignInStore _store;
    private readonly OpenIdMetadataCache _metadata;
    private readonly HttpClient _http;
    private readonly IApplicationClientCredential? _credential;
    private readonly IOptionsMonitor<TeamsConnectorOptions> _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly TeamsConnectorTelemetry _telemetry;
    private readonly JsonWebTokenHandler _handler = new();

    public AdminSignIn(IAdminSignInStore store, OpenIdMetadataCache metadata, HttpClient http, IApplicationClientCredential? credential, IOptionsMonitor<TeamsConnectorOptions> options, TimeProvider time, ILogger logger, TeamsConnectorTelemetry telemetry)
    {
        _store = store;
        _metadata = metadata;
        _http = http;
        _credential = credential;
        _options = options;
        _time = time;
        _logger = logger;
        _telemetry = telemetry;
    }

    /// <summary>Where Entra ID sends the administrator back after sign-in: the setting, or the consent callback's sibling <c>signin</c>.</summary>
    public static Uri? RedirectUri(ConnectorAdminOptions admin) =>
        admin.SignInRedirectUri ?? (admin.ConsentRedirectUri is { IsAbsoluteUri: true } consent ? new Uri(consent, "signin") : null);

    /// <summary>Creates a pending sign-in and returns the authorize URL to send the administrator to.</summary>
    public async Task<Uri> StartAsync(CancellationToken cancellationToken)
    {
        var admin = _options.CurrentValue.Admin;
        var redirect = RedirectUri(admin)
            ?? throw new InvalidOperationException("TeamsConnector:Admin:ConsentRedirectUri (or SignInRedirectUri) is not configured; it must point at the admin-consent callback endpoint.");
        if (string.IsNullOrWhiteSpace(admin.ClientId))
        {
            throw new InvalidOperationException("The application (client) id is not configured (TeamsConnector:Graph:ClientId or TeamsConnector:Admin:ClientId).");
        }

        if (!Guid.TryParse(admin.TenantId, out _))
        {
            throw new InvalidOperationException("TeamsConnector:Admin:TenantId (or Graph:TenantId) must be the tenant (directory) id, a GUID: the signed-in admin's tenant is checked against it.");
        }

        var state = Random(32);
        var verifier = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
        var nonce = Random(16);
        var pending = new PendingAdminSignIn(AdminSignInStep.SignIn, _time.GetUtcNow() + admin.ConsentTimeout) { CodeVerifier = verifier, Nonce = nonce };
        if (!await _store.TryAddAsync(state, pending, cancellationToken).ConfigureAwait(false))
        {
            throw new InvalidOperationException("Too many admin sign-ins are pending; try again later.");
        }

        var challenge = Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
        var query = string.Join('&',
            "client_id=" + Uri.EscapeDataString(admin.ClientId),
            "response_type=code",
            "response_mode=query",
            "redirect_uri=" + Uri.EscapeDataString(redirect.AbsoluteUri),
            "scope=" + Uri.EscapeDataString("openid profile"),
            "state=" + state,
            "nonce=" + nonce,
            "code_challenge=" + challenge,
            "code_challenge_method=S256",
            "prompt=select_account");
        return new Uri($"{admin.AuthorityHost.AbsoluteUri.TrimEnd('/')}/{Uri.EscapeDataString(admin.TenantId!)}/oauth2/v2.0/authorize?{query}");
    }

    /// <summary>Completes the sign-in: the state (once), the code exchange, the ID token and the role.</summary>
    public async Task<SignInOutcome> CompleteAsync(AdminSignInCallback callback, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var admin = _options.CurrentValue.Admin;
        var pending = string.IsNullOrEmpty(callback.State) ? null : await _store.TryTakeAsync(callback.State, cancellationToken).ConfigureAwait(false);
        if (pending is not { Step: AdminSignInStep.SignIn })
        {
            return Refuse("signin-state-unknown", "the state value is missing, forged or already used", StateRefusal);
        }

        if (pending.ExpiresAt <= _time.GetUtcNow())
        {
            return Refuse("signin-state-expired", "the state value has expired", StateRefusal);
        }

        if (!string.IsNullOrEmpty(callback.Error))
        {
            return Refuse("signin-error", "Entra ID reported an error", $"Entra ID reported {Truncate(callback.Error)}: {Truncate(callback.ErrorDescription ?? "no description")}");
        }

        if (string.IsNullOrEmpty(callback.Code) || callback.Code.Length > 4096)
        {
            return Refuse("signin-code", "the response has no authorization code", "the sign-in response has no authorization code");
        }

        Microsoft.IdentityModel.Protocols.OpenIdConnect.OpenIdConnectConfiguration configuration;
        bool fresh;
        try
        {
            (configuration, fresh) = await _metadata.GetAsync(refresh: false, cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidOperationException ex)
        {
            return Refuse("signin-metadata", ex.Message, ex.Message);
        }

        var redeemed = await RedeemAsync(configuration.TokenEndpoint, callback.Code, pending.CodeVerifier!, admin, cancellationToken).ConfigureAwait(false);
        if (redeemed.IdToken is not { } idToken)
        {
            return Refuse("signin-code-exchange", redeemed.Problem!, $"the authorization code could not be redeemed at the token endpoint ({redeemed.Problem})");
        }

        var result = await _handler.ValidateTokenAsync(idToken, Parameters(configuration, admin)).ConfigureAwait(false);
        if (result.Exception is SecurityTokenSignatureKeyNotFoundException && !fresh)
        {
            // An unknown key id: the tenant may have rolled its keys; read them again (rate-limited) and retry once.
            try
            {
                (configuration, _) = await _metadata.GetAsync(refresh: true, cancellationToken).ConfigureAwait(false);
            }
            catch (InvalidOperationException ex)
            {
                return Refuse("signin-metadata", ex.Message, ex.Message);
            }

            result = await _handler.ValidateTokenAsync(idToken, Parameters(configuration, admin)).ConfigureAwait(false);
        }

        if (!result.IsValid)
        {
            return result.Exception switch
            {
                SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException or SecurityTokenInvalidAlgorithmException =>
                    Refuse("signin-signature", "the ID token's signature does not verify with the tenant's keys", "the ID token's signature does not verify with the tenant's signing keys"),
                SecurityTokenExpiredException or SecurityTokenNotYetValidException or SecurityTokenNoExpirationException or SecurityTokenInvalidLifetimeException =>
                    Refuse("signin-expired", "the ID token is outside its lifetime", "the ID token has expired or is not valid yet; sign in again"),
                SecurityTokenInvalidAudienceException =>
                    Refuse("signin-audience", "the ID token is for another audience", "the ID token was issued for another application (its audience is not this connector's client id)"),
                SecurityTokenInvalidIssuerException =>
                    Refuse("signin-tenant", "the ID token has another issuer", "the ID token was issued by another tenant than the configured one"),
                _ => Refuse("signin-token-invalid", "the ID token is not valid (" + (result.Exception?.GetType().Name ?? "unknown") + ")", "the ID token is not valid"),
            };
        }

        var claims = result.ClaimsIdentity.Claims;
        var tid = claims.FirstOrDefault(static c => c.Type == "tid")?.Value;
        if (!Guid.TryParse(tid, out var tenant) || !Guid.TryParse(admin.TenantId, out var expected) || tenant != expected)
        {
            return Refuse("signin-tenant", "the ID token's tid is another tenant", "the ID token was issued for another tenant than the configured one");
        }

        var nonce = claims.FirstOrDefault(static c => c.Type == "nonce")?.Value;
        if (nonce is null || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(nonce), Encoding.UTF8.GetBytes(pending.Nonce!)))
        {
            return Refuse("signin-nonce", "the ID token's nonce does not match the sign-in", "the ID token's nonce does not match this sign-in; start authorization again");
        }

        var wids = claims.Where(static c => c.Type == "wids").Select(static c => c.Value).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var role = wids.Contains(GlobalAdministratorRoleId) ? AzureAdminRole.GlobalAdministrator
            : wids.Contains(PrivilegedRoleAdministratorRoleId) ? AzureAdminRole.PrivilegedRoleAdministrator
            : AzureAdminRole.None;
        if (role == AzureAdminRole.None)
        {
            return Refuse("signin-role", "the account has neither role", RoleRefusal);
        }

        Log.AdminSignedIn(_logger, role);
        return new SignInOutcome(role, tenant.ToString("D"), null);
    }

    private TokenValidationParameters Parameters(Microsoft.IdentityModel.Protocols.OpenIdConnect.OpenIdConnectConfiguration configuration, ConnectorAdminOptions admin) => new()
    {
        ValidIssuer = configuration.Issuer.Replace("{tenantid}", admin.TenantId, StringComparison.OrdinalIgnoreCase),
        ValidAudience = admin.ClientId,
        IssuerSigningKeys = configuration.SigningKeys,
        ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
        RequireSignedTokens = true,
        RequireExpirationTime = true,
        ValidateLifetime = true,
        ValidateIssuerSigningKey = true,
        ClockSkew = admin.TokenClockSkew,

        // The library's own lifetime check reads the wall clock; this one reads the connector's TimeProvider.
        LifetimeValidator = (notBefore, expires, _, _) =>
        {
            var now = _time.GetUtcNow().UtcDateTime;
            return expires is { } until && now <= until + admin.TokenClockSkew && (notBefore is not { } from || now >= from - admin.TokenClockSkew);
        },
    };

    private async Task<(string? IdToken, string? Problem)> RedeemAsync(string tokenEndpoint, string code, string verifier, ConnectorAdminOptions admin, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(tokenEndpoint, UriKind.Absolute, out var endpoint) || endpoint.Scheme != Uri.UriSchemeHttps && !endpoint.IsLoopback)
        {
            return (null, "the metadata names no https token endpoint");
        }

        var fields = new List<KeyValuePair<string, string>>
        {
            new("grant_type", "authorization_code"),
            new("client_id", admin.ClientId!),
            new("code", code),
            new("redirect_uri", RedirectUri(admin)!.AbsoluteUri),
            new("code_verifier", verifier),
            new("scope", "openid profile"),
        };
        if (_credential is not null)
        {
            fields.AddRange(await _credential.GetTokenRequestFieldsAsync(endpoint, cancellationToken).ConfigureAwait(false));
        }

        try
        {
            using var content = new FormUrlEncodedContent(fields);
            using var response = await _http.PostAsync(endpoint, content, cancellationToken).ConfigureAwait(false);
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            if (body.Length > MaxTokenResponseBytes)
            {
                return (null, "the token response is too large");
            }

            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            if (!response.IsSuccessStatusCode)
            {
                var error = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;
                return (null, $"HTTP {(int)response.StatusCode} {Code(error)}");
            }

            return root.ValueKind == JsonValueKind.Object && root.TryGetProperty("id_token", out var token) && token.ValueKind == JsonValueKind.String
                ? (token.GetString(), null)
                : (null, "the token response has no id_token");
        }
        catch (Exception ex) when (ex is HttpRequestException or JsonException || ex is OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return (null, ex.GetType().Name);
        }
    }

    private SignInOutcome Refuse(string reason, string logged, string error)
    {
        _telemetry.Reject(reason);
        Log.SignInRefused(_logger, reason, logged);
        return new SignInOutcome(AzureAdminRole.None, null, $"Sign-in refused: {error}.");
    }

    /// <summary>Keeps an OAuth error code readable and harmless: letters, digits and underscores, at most 64.</summary>
    private static string Code(string? error)
    {
        if (string.IsNullOrEmpty(error))
        {
            return "no error code";
        }

        var safe = new string([.. error.Where(static c => char.IsAsciiLetterOrDigit(c) || c == '_').Take(64)]);
        return safe.Length == 0 ? "no error code" : safe;
    }

    private static string Random(int bytes) => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(bytes));

    private static string Truncate(string text) => text.Length <= 200 ? text : text[..200];
}

/// <summary>The outcome of the sign-in: the role and tenant, or the refusal.</summary>
/// <param name="Role">The admin's role (<see cref="AzureAdminRole.None"/> when refused).</param>
/// <param name="TenantId">The admin's tenant.</param>
/// <param name="Error">The refusal, or <see langword="null"/>.</param>
internal readonly record struct SignInOutcome(AzureAdminRole Role, string? TenantId, string? Error);
