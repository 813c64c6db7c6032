using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Webex.TeamsConnector.Testing;

/// <summary>
/// An emulated Microsoft Entra ID (OpenID Connect) authority on the Graph emulator's host: discovery
/// (<c>/{tenant}/v2.0/.well-known/openid-configuration</c>), the signing keys (<c>/{tenant}/discovery/v2.0/keys</c>),
/// an authorize endpoint that needs no browser (it redirects straight back with a code for the user chosen with
/// <see cref="SignInAs"/>), and a token endpoint (authorization code + PKCE S256) that issues RS256-signed ID tokens
/// with the chosen <c>wids</c>, <c>tid</c>, nonce and lifetime.
/// </summary>
public sealed class EmulatedAuthority : IDisposable
{
    private const int MaxCodes = 1024;

    private readonly TimeProvider _time;
    private readonly string _tenantId;
    private readonly Lock _gate = new();
    private readonly ConcurrentDictionary<string, IssuedCode> _codes = new(StringComparer.Ordinal);
    private readonly RSA _other = RSA.Create(2048);
    private RSA _key = RSA.Create(2048);
    private string _keyId = NewKeyId();
    private EmulatedSignIn? _signIn;
    private long _discoveryRequests;
    private long _keyRequests;
    private long _tokenRequests;

    internal EmulatedAuthority(TimeProvider time, string tenantId)
    {
        _time = time;
        _tenantId = tenantId;
    }

    /// <summary>The authority host (for example <c>http://127.0.0.1:5123</c>): give it as <c>TeamsConnector:Admin:AuthorityHost</c>.</summary>
    public Uri Host { get; internal set; } = null!;

    /// <summary>The client secret the token endpoint requires; any credential (or none) is accepted when <see langword="null"/>.</summary>
    public string? ClientSecret { get; set; }

    /// <summary>Discovery documents served.</summary>
    public long DiscoveryRequests => Interlocked.Read(ref _discoveryRequests);

    /// <summary>Key sets (JWKS) served.</summary>
    public long KeyRequests => Interlocked.Read(ref _keyRequests);

    /// <summary>Token requests answered (successful or not).</summary>
    public long TokenRequests => Interlocked.Read(ref _tokenRequests);

    /// <summary>The id of the key that signs tokens now (the one the JWKS lists).</summary>
    public string KeyId
    {
        get
        {
            lock (_gate)
            {
                return _keyId;
            }
        }
    }

    /// <summary>Sets who signs in at the authorize endpoint from now on (as a browser session would); <see langword="null"/> signs out.</summary>
    /// <param name="signIn">The user, roles and token details.</param>
    public void SignInAs(EmulatedSignIn? signIn)
    {
        lock (_gate)
        {
            _signIn = signIn;
        }
    }

    /// <summary>Replaces the signing key with a new one under a new key id; the JWKS then lists only the new key.</summary>
    public void RotateSigningKey()
    {
        lock (_gate)
        {
            _key.Dispose();
            _key = RSA.Create(2048);
            _keyId = NewKeyId();
        }
    }

    /// <summary>Mints an ID token as the token endpoint would (for tests that hand tokens over themselves).</summary>
    /// <param name="signIn">The user, roles and token details.</param>
    /// <param name="clientId">The audience when <see cref="EmulatedSignIn.Audience"/> is not set.</param>
    /// <param name="nonce">The nonce when <see cref="EmulatedSignIn.Nonce"/> is not set.</param>
    /// <returns>The compact JWT.</returns>
    public string CreateIdToken(EmulatedSignIn signIn, string clientId, string? nonce)
    {
        ArgumentNullException.ThrowIfNull(signIn);
        ArgumentNullException.ThrowIfNull(clientId);
        var tenant = signIn.TenantId ?? _tenantId;
        var issuedAt = _time.GetUtcNow() - signIn.IssuedAgo;
        var claims = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["oid"] = signIn.UserId,
            ["sub"] = signIn.UserId,
            ["tid"] = tenant,
            ["name"] = signIn.Name,
            ["ver"] = "2.0",
            ["wids"] = signIn.Wids.ToArray(),
        };
        if ((signIn.Nonce ?? nonce) is { } n)
        {
            claims["nonce"] = n;
        }

        SigningCredentials credentials;
        lock (_gate)
        {
            credentials = signIn.SigningKey switch
            {
                EmulatedSigningKey.Unknown => new SigningCredentials(new RsaSecurityKey(_other) { KeyId = "unknown-" + _keyId }, SecurityAlgorithms.RsaSha256),
                EmulatedSigningKey.Forged => new SigningCredentials(new RsaSecurityKey(_other) { KeyId = _keyId }, SecurityAlgorithms.RsaSha256),
                _ => new SigningCredentials(new RsaSecurityKey(_key) { KeyId = _keyId }, SecurityAlgorithms.RsaSha256),
            };

            return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
            {
                Issuer = Issuer(signIn.IssuerTenantId ?? tenant),
                Audience = signIn.Audience ?? clientId,
                IssuedAt = issuedAt.UtcDateTime,
                NotBefore = issuedAt.UtcDateTime,
                Expires = (issuedAt + signIn.Lifetime).UtcDateTime,
                Claims = claims,
                SigningCredentials = credentials,
            });
        }
    }

    /// <summary>Disposes the keys.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _key.Dispose();
            _other.Dispose();
        }
    }

    /// <summary>Whether the path is one of the authority's: <c>/{tenant}/v2.0/...</c>, <c>/{tenant}/discovery/...</c> or <c>/{tenant}/oauth2/...</c>.</summary>
    internal static bool Handles(string path)
    {
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        return segments.Length >= 2 && segments[1] is "v2.0" or "discovery" or "oauth2";
    }

    internal Task HandleAsync(HttpContext context)
    {
        var segments = (context.Request.Path.Value ?? string.Empty).Split('/', StringSplitOptions.RemoveEmptyEntries);
        return (context.Request.Method, segments) switch
        {
            ("GET", [var tenant, "v2.0", ".well-known", "openid-configuration"]) => DiscoveryAsync(context, tenant),
            ("GET", [_, "discovery", "v2.0", "keys"]) => KeysAsync(context),
            ("GET", [_, "oauth2", "v2.0", "authorize"]) => AuthorizeAsync(context),
            ("POST", [_, "oauth2", "v2.0", "token"]) => TokenAsync(context),
            _ => ErrorAsync(context, 404, "invalid_request", "Not an endpoint of the emulated authority."),
        };
    }

    private string Issuer(string tenant) => $"{Host.AbsoluteUri.TrimEnd('/')}/{tenant}/v2.0";

    private Task DiscoveryAsync(HttpContext context, string tenant)
    {
        Interlocked.Increment(ref _discoveryRequests);
        var root = $"{Host.AbsoluteUri.TrimEnd('/')}/{tenant}";
        return JsonAsync(context, 200, w =>
        {
            w.WriteString("issuer", Issuer(tenant));
            w.WriteString("authorization_endpoint", root + "/oauth2/v2.0/authorize");
            w.WriteString("token_endpoint", root + "/oauth2/v2.0/token");
            w.WriteString("jwks_uri", root + "/discovery/v2.0/keys");
            WriteArray(w, "response_types_supported", "code", "id_token", "code id_token");
            WriteArray(w, "response_modes_supported", "query", "fragment", "form_post");
            WriteArray(w, "subject_types_supported", "pairwise");
            WriteArray(w, "id_token_signing_alg_values_supported", "RS256");
            WriteArray(w, "scopes_supported", "openid", "profile", "email", "offline_access");
            WriteArray(w, "code_challenge_methods_supported", "S256");
            WriteArray(w, "token_endpoint_auth_methods_supported", "client_secret_post", "private_key_jwt", "client_secret_basic");
        });
    }

    private Task KeysAsync(HttpContext context)
    {
        Interlocked.Increment(ref _keyRequests);
        RSAParameters parameters;
        string kid;
        lock (_gate)
        {
            parameters = _key.ExportParameters(false);
            kid = _keyId;
        }

        return JsonAsync(context, 200, w =>
        {
            w.WriteStartArray("keys");
            w.WriteStartObject();
            w.WriteString("kty", "RSA");
            w.WriteString("use", "sig");
            w.WriteString("kid", kid);
            w.WriteString("n", Base64UrlEncoder.Encode(parameters.Modulus));
            w.WriteString("e", Base64UrlEncoder.Encode(parameters.Exponent));
            w.WriteEndObject();
            w.WriteEndArray();
        });
    }

    private Task AuthorizeAsync(HttpContext context)
    {
        var query = context.Request.Query;
        var redirect = query["redirect_uri"].ToString();
        if (!Uri.TryCreate(redirect, UriKind.Absolute, out var redirectUri))
        {
            return ErrorAsync(context, 400, "invalid_request", "redirect_uri is missing or not absolute.");
        }

        var state = query["state"].ToString();
        string? error = null;
        EmulatedSignIn? signIn;
        lock (_gate)
        {
            signIn = _signIn;
        }

        if (query["response_type"].ToString() != "code")
        {
            error = "unsupported_response_type";
        }
        else if (!query["scope"].ToString().Split(' ').Contains("openid", StringComparer.Ordinal))
        {
            error = "invalid_scope";
        }
        else if (query["code_challenge_method"].ToString() != "S256" || query["code_challenge"].ToString().Length < 43)
        {
            error = "invalid_request";
        }
        else if (signIn is null)
        {
            error = "login_required";
        }
        else if (signIn.Error is { } chosen)
        {
            error = chosen;
        }

        string parameters;
        if (error is not null)
        {
            parameters = $"error={Uri.EscapeDataString(error)}&error_description={Uri.EscapeDataString("The emulated authority refused the request.")}";
        }
        else
        {
            if (_codes.Count >= MaxCodes)
            {
                _codes.Clear();
            }

            var code = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
            _codes[code] = new IssuedCode(signIn!, query["client_id"].ToString(), redirect, query["code_challenge"].ToString(), NullIfEmpty(query["nonce"].ToString()));
            parameters = "code=" + code;
        }

        if (state.Length > 0)
        {
            parameters += "&state=" + Uri.EscapeDataString(state);
        }

        context.Response.StatusCode = 302;
        context.Response.Headers.Location = redirectUri.AbsoluteUri + (string.IsNullOrEmpty(redirectUri.Query) ? "?" : "&") + parameters;
        return Task.CompletedTask;
    }

    private async Task TokenAsync(HttpContext context)
    {
        Interlocked.Increment(ref _tokenRequests);
        if (!context.Request.HasFormContentType)
        {
            await ErrorAsync(context, 400, "invalid_request", "The body must be application/x-www-form-urlencoded.").ConfigureAwait(false);
            return;
        }

        var form = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
        if (form["grant_type"].ToString() != "authorization_code")
        {
            await ErrorAsync(context, 400, "unsupported_grant_type", "Only authorization_code is emulated.").ConfigureAwait(false);
            return;
        }

        if (ClientSecret is { } secret && form["client_secret"].ToString() != secret && form["client_assertion"].Count == 0)
        {
            await ErrorAsync(context, 401, "invalid_client", "AADSTS7000215: Invalid client secret provided.").ConfigureAwait(false);
            return;
        }

        if (!_codes.TryRemove(form["code"].ToString(), out var issued))
        {
            await ErrorAsync(context, 400, "invalid_grant", "AADSTS70008: The authorization code is unknown, expired or already redeemed.").ConfigureAwait(false);
            return;
        }

        var verifier = form["code_verifier"].ToString();
        var challenge = Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
        if (issued.ClientId != form["client_id"].ToString() || issued.RedirectUri != form["redirect_uri"].ToString() || challenge != issued.CodeChallenge)
        {
            await ErrorAsync(context, 400, "invalid_grant", "AADSTS50148/AADSTS50011: the code verifier, client id or redirect URI does not match the authorize request.").ConfigureAwait(false);
            return;
        }

        var idToken = CreateIdToken(issued.SignIn, issued.ClientId, issued.Nonce);
        await JsonAsync(context, 200, w =>
        {
            w.WriteString("token_type", "Bearer");
            w.WriteString("scope", "openid profile");
            w.WriteNumber("expires_in", 3600);
            w.WriteString("access_token", "emulated-access-token-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)));
            w.WriteString("id_token", idToken);
        }).ConfigureAwait(false);
    }

    private static Task ErrorAsync(HttpContext context, int status, string error, string description) =>
        JsonAsync(context, status, w =>
        {
            w.WriteString("error", error);
            w.WriteString("error_description", description);
            w.WriteString("timestamp", DateTimeOffset.UnixEpoch.ToString("u", CultureInfo.InvariantCulture));
        });

    private static async Task JsonAsync(HttpContext context, int status, Action<Utf8JsonWriter> body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        using (var writer = new Utf8JsonWriter(context.Response.BodyWriter))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }

        await context.Response.BodyWriter.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }

    private static void WriteArray(Utf8JsonWriter writer, string name, params string[] values)
    {
        writer.WriteStartArray(name);
        foreach (var value in values)
        {
            writer.WriteStringValue(value);
        }

        writer.WriteEndArray();
    }

    private static string NewKeyId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;

    private sealed record IssuedCode(EmulatedSignIn SignIn, string ClientId, string RedirectUri, string CodeChallenge, string? Nonce);
}
