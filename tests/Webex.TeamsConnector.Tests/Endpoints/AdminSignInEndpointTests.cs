using System.Net;
using System.Web;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Webex.TeamsConnector.AspNetCore;
using Webex.TeamsConnector.Testing;

namespace Webex.TeamsConnector.Tests.Endpoints;

/// <summary>
/// The administrator's OpenID Connect sign-in before admin consent, over real HTTP: the connector's endpoints, the
/// emulated Entra ID authority (discovery, JWKS, authorize, token) and the real Microsoft.IdentityModel validation.
/// </summary>
[Collection("EndToEnd")]
public class AdminSignInEndpointTests
{
    private const string BothRoles = "neither a Global Administrator nor a Privileged Role Administrator";

    [Theory]
    [InlineData(EntraRoles.GlobalAdministrator, AzureAdminRole.GlobalAdministrator)]
    [InlineData(EntraRoles.PrivilegedRoleAdministrator, AzureAdminRole.PrivilegedRoleAdministrator)]
    public async Task SignIn_WithAnAllowedRole_IsSentToAdminConsent_AndConsentAuthorizes(string roleId, AzureAdminRole role)
    {
        await using var host = await StartAsync();
        var admin = host.App.Services.GetRequiredService<ITeamsConnectorAdmin>();

        var signIn = await SignInAsync(host, new EmulatedSignIn(Guid.NewGuid().ToString(), [EntraRoles.TeamsAdministrator, roleId]));

        signIn.Response.StatusCode.Should().Be(HttpStatusCode.Redirect);
        var consent = signIn.Response.Headers.Location!;
        consent.GetLeftPart(UriPartial.Path).Should().Be($"{host.Graph.Authority.Host.AbsoluteUri}{host.Graph.TenantId}/v2.0/adminconsent");
        var state = HttpUtility.ParseQueryString(consent.Query)["state"]!;
        host.Logs.GetSnapshot().Should().Contain(r => r.Id.Id == 1401 && r.Message.Contains(role.ToString(), StringComparison.Ordinal));

        using var http = new HttpClient();
        using var granted = await http.GetAsync(Url(host, TeamsConnectorEndpointRouteBuilderExtensions.AdminConsentPath) + $"?state={state}&tenant={host.Graph.TenantId}&admin_consent=True");

        granted.StatusCode.Should().Be(HttpStatusCode.OK);
        admin.GetStatus().Status.State.Should().Be(ConnectorState.Active);
    }

    public static TheoryData<string, string, string> Refusals => new()
    {
        { "another role", "signin-role", BothRoles },
        { "no role", "signin-role", BothRoles },
        { "another tenant", "signin-tenant", "issued by another tenant" },
        { "another tenant, same issuer", "signin-tenant", "issued for another tenant" },
        { "bad signature", "signin-signature", "signature does not verify with the tenant's signing keys" },
        { "unknown key", "signin-signature", "signature does not verify with the tenant's signing keys" },
        { "expired", "signin-expired", "the ID token has expired" },
        { "wrong nonce", "signin-nonce", "nonce does not match this sign-in" },
        { "wrong audience", "signin-audience", "issued for another application" },
        { "declined", "signin-error", "Entra ID reported access_denied" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task SignIn_Refused_SaysWhy_IsLoggedAndCounted_AndIssuesNoConsentUrl(string scenario, string reason, string message)
    {
        await using var host = await StartAsync();
        using var rejections = new MetricCollector<long>(host.App.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), TeamsConnectorDiagnostics.Name, "webex.teamsconnector.rejections");
        var user = Guid.NewGuid().ToString();
        var global = new EmulatedSignIn(user, [EntraRoles.GlobalAdministrator]);
        var who = scenario switch
        {
            "another role" => new EmulatedSignIn(user, [EntraRoles.UserAdministrator, EntraRoles.TeamsAdministrator]),
            "no role" => new EmulatedSignIn(user, []),
            "another tenant" => global with { TenantId = Guid.NewGuid().ToString() },
            "another tenant, same issuer" => global with { TenantId = Guid.NewGuid().ToString(), IssuerTenantId = host.Graph.TenantId },
            "bad signature" => global with { SigningKey = EmulatedSigningKey.Forged },
            "unknown key" => global with { SigningKey = EmulatedSigningKey.Unknown },
            "expired" => global with { IssuedAgo = TimeSpan.FromHours(2), Lifetime = TimeSpan.FromHours(1) },
            "wrong nonce" => global with { Nonce = "a-nonce-from-another-sign-in" },
            "wrong audience" => global with { Audience = Guid.NewGuid().ToString() },
            "declined" => global with { Error = "access_denied" },
            _ => global,
        };

        var signIn = await SignInAsync(host, who);

        signIn.Response.StatusCode.Should().Be(reason == "signin-role" ? HttpStatusCode.Forbidden : HttpStatusCode.BadRequest);
        var body = await signIn.Response.Content.ReadAsStringAsync();
        body.Should().StartWith("Sign-in refused: ").And.Contain(message);
        if (reason == "signin-role")
        {
            body.Should().Contain("Global Administrator").And.Contain("Privileged Role Administrator");
        }

        host.App.Services.GetRequiredService<ITeamsConnectorAdmin>().GetStatus().Status.State.Should().Be(ConnectorState.NotConfigured);
        rejections.GetMeasurementSnapshot().Should().ContainSingle().Which.Tags["reason"].Should().Be(reason);
        host.Logs.GetSnapshot().Where(r => r.Id.Id == 1400).Should().ContainSingle().Which.Message.Should().Contain(reason);
        NothingSecretLogged(host, signIn);
    }

    [Fact]
    public async Task SignIn_ReplayedState_IsRefused_WithoutRedeemingTheCodeAgain()
    {
        await using var host = await StartAsync();
        var first = await SignInAsync(host, new EmulatedSignIn(Guid.NewGuid().ToString(), [EntraRoles.GlobalAdministrator]));
        first.Response.StatusCode.Should().Be(HttpStatusCode.Redirect);
        var redeemed = host.Graph.Authority.TokenRequests;

        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        using var replay = await http.GetAsync(first.Callback);

        replay.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await replay.Content.ReadAsStringAsync()).Should().Be("Sign-in refused: the sign-in response has an unknown, expired or already used state value; start authorization again.");
        host.Graph.Authority.TokenRequests.Should().Be(redeemed, "a used state never reaches the token endpoint again");
        host.Logs.GetSnapshot().Should().Contain(r => r.Id.Id == 1400 && r.Message.Contains("signin-state-unknown", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SignIn_ExpiredState_IsRefused()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await StartAsync(time);
        host.Graph.Authority.SignInAs(new EmulatedSignIn(Guid.NewGuid().ToString(), [EntraRoles.GlobalAdministrator]));
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        using var start = await http.GetAsync(Url(host, TeamsConnectorEndpointRouteBuilderExtensions.AdminSignInStartPath));
        using var authorize = await http.GetAsync(start.Headers.Location);

        time.Advance(TimeSpan.FromMinutes(16));
        using var callback = await http.GetAsync(authorize.Headers.Location);

        callback.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await callback.Content.ReadAsStringAsync()).Should().Contain("expired");
        host.Logs.GetSnapshot().Should().Contain(r => r.Id.Id == 1400 && r.Message.Contains("signin-state-expired", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SignIn_AfterTheTenantRolledItsSigningKey_ReadsTheKeysAgain_AndCachesThemOtherwise()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await StartAsync(time);
        var global = new EmulatedSignIn(Guid.NewGuid().ToString(), [EntraRoles.GlobalAdministrator]);
        (await SignInAsync(host, global)).Response.StatusCode.Should().Be(HttpStatusCode.Redirect);
        (await SignInAsync(host, global)).Response.StatusCode.Should().Be(HttpStatusCode.Redirect);
        host.Graph.Authority.KeyRequests.Should().Be(1, "the keys are cached");

        host.Graph.Authority.RotateSigningKey();
        time.Advance(TimeSpan.FromMinutes(1));
        var after = await SignInAsync(host, global);

        after.Response.StatusCode.Should().Be(HttpStatusCode.Redirect, "a token signed with the new key id makes the connector read the keys again");
        host.Graph.Authority.KeyRequests.Should().Be(2);
    }

    [Fact]
    public async Task SignInStart_WithoutRedirectUri_SaysWhatIsMissing()
    {
        await using var host = await StartAsync(configure: s => s.Remove("TeamsConnector:Admin:ConsentRedirectUri"));
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });

        using var start = await http.GetAsync(Url(host, TeamsConnectorEndpointRouteBuilderExtensions.AdminSignInStartPath));

        start.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        (await start.Content.ReadAsStringAsync()).Should().Contain("ConsentRedirectUri");
    }

    private static async Task<WebhookHost> StartAsync(TimeProvider? time = null, Action<Dictionary<string, string?>>? configure = null) =>
        await WebhookHost.StartAsync(
            settings: s =>
            {
                s["TeamsConnector:Admin:InitialState"] = "NotConfigured";
                s["TeamsConnector:Admin:ConsentRedirectUri"] = s["TeamsConnector:ContactCenter:WebhookUrl"]!.Replace(
                    TeamsConnectorEndpointRouteBuilderExtensions.WebexEventsPath, TeamsConnectorEndpointRouteBuilderExtensions.AdminConsentPath, StringComparison.Ordinal);
                configure?.Invoke(s);
            },
            services: s =>
            {
                if (time is not null)
                {
                    s.AddSingleton(time);
                }
            });

    private static string Url(WebhookHost host, string path) => $"http://127.0.0.1:{host.Port}{TeamsConnectorEndpointRouteBuilderExtensions.DefaultPrefix}{path}";

    /// <summary>Start, the authority's authorize endpoint (no browser: it redirects straight back), then the callback.</summary>
    private static async Task<SignInResponse> SignInAsync(WebhookHost host, EmulatedSignIn who)
    {
        host.Graph.Authority.SignInAs(who);
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        using var start = await http.GetAsync(Url(host, TeamsConnectorEndpointRouteBuilderExtensions.AdminSignInStartPath));
        start.StatusCode.Should().Be(HttpStatusCode.Redirect);
        start.Headers.Location!.AbsoluteUri.Should().StartWith(host.Graph.Authority.Host.AbsoluteUri);
        using var authorize = await http.GetAsync(start.Headers.Location);
        authorize.StatusCode.Should().Be(HttpStatusCode.Redirect);
        var callback = authorize.Headers.Location!;
        callback.AbsolutePath.Should().Be(TeamsConnectorEndpointRouteBuilderExtensions.DefaultPrefix + TeamsConnectorEndpointRouteBuilderExtensions.AdminSignInPath);
        return new SignInResponse(callback, await http.GetAsync(callback));
    }

    private static void NothingSecretLogged(WebhookHost host, SignInResponse signIn)
    {
        var query = HttpUtility.ParseQueryString(signIn.Callback.Query);
        var secrets = new[] { query["code"], query["state"], "emulator-client-secret" }.Where(v => !string.IsNullOrEmpty(v)).ToList();
        var own = host.Logs.GetSnapshot().Where(r => r.Category!.StartsWith("Webex.", StringComparison.Ordinal)).ToList();
        foreach (var secret in secrets)
        {
            own.Should().NotContain(r => r.Message.Contains(secret!, StringComparison.Ordinal) || (r.Exception != null && r.Exception.ToString().Contains(secret!, StringComparison.Ordinal)));
        }

        own.Should().NotContain(r => r.Message.Contains("eyJ", StringComparison.Ordinal), "no JWT is ever logged");
    }

    private sealed record SignInResponse(Uri Callback, HttpResponseMessage Response);
}
