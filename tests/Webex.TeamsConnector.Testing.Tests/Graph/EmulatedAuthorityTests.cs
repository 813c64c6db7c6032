using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Web;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Webex.TeamsConnector.Testing.Tests.Graph;

/// <summary>The emulated Entra ID authority: discovery, JWKS, authorize without a browser, and the PKCE token endpoint.</summary>
public sealed class EmulatedAuthorityTests
{
    private const string ClientId = "0f5f3a58-4c1e-4a0f-9d1b-5e6c7d8e9f00";
    private const string Redirect = "https://connector.example.test/teams-connector/admin/signin";
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 24, 8, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task Discovery_NamesTheTenantIssuerEndpointsAndTheCurrentKey()
    {
        await using var graph = await GraphEmulator.StartAsync(new GraphEmulatorOptions { TimeProvider = _time });
        using var http = new HttpClient();
        var root = graph.Authority.Host.AbsoluteUri + graph.TenantId;

        using var discovery = JsonDocument.Parse(await http.GetStringAsync($"{root}/v2.0/.well-known/openid-configuration"));
        using var keys = JsonDocument.Parse(await http.GetStringAsync(discovery.RootElement.GetProperty("jwks_uri").GetString()));

        discovery.RootElement.GetProperty("issuer").GetString().Should().Be($"{root}/v2.0");
        discovery.RootElement.GetProperty("token_endpoint").GetString().Should().Be($"{root}/oauth2/v2.0/token");
        discovery.RootElement.GetProperty("authorization_endpoint").GetString().Should().Be($"{root}/oauth2/v2.0/authorize");
        var key = keys.RootElement.GetProperty("keys").EnumerateArray().Should().ContainSingle().Subject;
        key.GetProperty("kty").GetString().Should().Be("RSA");
        key.GetProperty("kid").GetString().Should().Be(graph.Authority.KeyId);

        graph.Authority.RotateSigningKey();
        using var rotated = JsonDocument.Parse(await http.GetStringAsync($"{root}/discovery/v2.0/keys"));
        rotated.RootElement.GetProperty("keys")[0].GetProperty("kid").GetString().Should().Be(graph.Authority.KeyId).And.NotBe(key.GetProperty("kid").GetString());
    }

    [Fact]
    public async Task AuthorizeThenToken_WithTheVerifier_IssuesAnRs256IdToken_WithTheChosenClaims_SignedByThePublishedKey()
    {
        await using var graph = await GraphEmulator.StartAsync(new GraphEmulatorOptions { TimeProvider = _time });
        var user = Guid.NewGuid().ToString();
        graph.Authority.SignInAs(new EmulatedSignIn(user, [EntraRoles.PrivilegedRoleAdministrator]) { Lifetime = TimeSpan.FromMinutes(30) });
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });

        var (code, verifier) = await AuthorizeAsync(graph, http, "n-123");
        using var response = await RedeemAsync(graph, http, code, verifier);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var token = new JsonWebToken(body.RootElement.GetProperty("id_token").GetString());
        token.Alg.Should().Be("RS256");
        token.Kid.Should().Be(graph.Authority.KeyId);
        token.Audiences.Should().Equal(ClientId);
        token.Issuer.Should().Be($"{graph.Authority.Host.AbsoluteUri}{graph.TenantId}/v2.0");
        token.GetClaim("tid").Value.Should().Be(graph.TenantId);
        token.GetClaim("oid").Value.Should().Be(user);
        token.GetClaim("nonce").Value.Should().Be("n-123");
        token.Claims.Where(c => c.Type == "wids").Select(c => c.Value).Should().Equal(EntraRoles.PrivilegedRoleAdministrator);
        (token.ValidTo - token.ValidFrom).Should().Be(TimeSpan.FromMinutes(30));
        token.ValidFrom.Should().Be(_time.GetUtcNow().UtcDateTime);

        var keys = new JsonWebKeySet(await http.GetStringAsync($"{graph.Authority.Host.AbsoluteUri}{graph.TenantId}/discovery/v2.0/keys"));
        var validation = await new JsonWebTokenHandler().ValidateTokenAsync(token.EncodedToken, new TokenValidationParameters
        {
            ValidateIssuer = false,
            ValidateAudience = false,
            ValidateLifetime = false,
            IssuerSigningKeys = keys.GetSigningKeys(),
        });
        validation.IsValid.Should().BeTrue(validation.Exception?.Message);
    }

    [Fact]
    public async Task Token_WrongVerifierOrARedeemedCode_IsInvalidGrant()
    {
        await using var graph = await GraphEmulator.StartAsync(new GraphEmulatorOptions { TimeProvider = _time });
        graph.Authority.SignInAs(new EmulatedSignIn(Guid.NewGuid().ToString(), [EntraRoles.GlobalAdministrator]));
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });

        var (code, _) = await AuthorizeAsync(graph, http, null);
        using var wrong = await RedeemAsync(graph, http, code, Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32)));
        var (second, verifier) = await AuthorizeAsync(graph, http, null);
        using var first = await RedeemAsync(graph, http, second, verifier);
        using var again = await RedeemAsync(graph, http, second, verifier);

        wrong.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await wrong.Content.ReadAsStringAsync()).Should().Contain("invalid_grant");
        first.StatusCode.Should().Be(HttpStatusCode.OK);
        again.StatusCode.Should().Be(HttpStatusCode.BadRequest, "a code is redeemed once");
    }

    [Fact]
    public async Task Authorize_WithNobodySignedIn_RedirectsBackWithLoginRequired_AndTheState()
    {
        await using var graph = await GraphEmulator.StartAsync(new GraphEmulatorOptions { TimeProvider = _time });
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });

        using var response = await http.GetAsync(AuthorizeUrl(graph, "s-1", null, Challenge("v")));

        response.StatusCode.Should().Be(HttpStatusCode.Redirect);
        var query = HttpUtility.ParseQueryString(response.Headers.Location!.Query);
        query["error"].Should().Be("login_required");
        query["state"].Should().Be("s-1");
        query["code"].Should().BeNull();
    }

    private static async Task<(string Code, string Verifier)> AuthorizeAsync(GraphEmulator graph, HttpClient http, string? nonce)
    {
        var verifier = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
        using var response = await http.GetAsync(AuthorizeUrl(graph, "s-1", nonce, Challenge(verifier)));
        response.StatusCode.Should().Be(HttpStatusCode.Redirect);
        response.Headers.Location!.GetLeftPart(UriPartial.Path).Should().Be(Redirect);
        return (HttpUtility.ParseQueryString(response.Headers.Location.Query)["code"]!, verifier);
    }

    private static Task<HttpResponseMessage> RedeemAsync(GraphEmulator graph, HttpClient http, string code, string verifier) =>
        http.PostAsync($"{graph.Authority.Host.AbsoluteUri}{graph.TenantId}/oauth2/v2.0/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["client_id"] = ClientId,
            ["code"] = code,
            ["redirect_uri"] = Redirect,
            ["code_verifier"] = verifier,
        }));

    private static string AuthorizeUrl(GraphEmulator graph, string state, string? nonce, string challenge) =>
        $"{graph.Authority.Host.AbsoluteUri}{graph.TenantId}/oauth2/v2.0/authorize?client_id={ClientId}&response_type=code&scope=openid%20profile"
        + $"&redirect_uri={Uri.EscapeDataString(Redirect)}&state={state}&code_challenge={challenge}&code_challenge_method=S256" + (nonce is null ? "" : "&nonce=" + nonce);

    private static string Challenge(string verifier) => Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
}
