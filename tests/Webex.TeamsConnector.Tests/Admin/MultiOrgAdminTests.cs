using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using System.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenQA.Selenium;
using OpenQA.Selenium.Support.UI;
using Webex.TeamsConnector.AspNetCore;
using Webex.TeamsConnector.Testing;
using Webex.TeamsConnector.Tests.Fakes;

namespace Webex.TeamsConnector.Tests.Admin;

/// <summary>The admin API of several orgs in one process (<c>{prefix}/admin/api/orgs/{org}/...</c>), over real HTTP.</summary>
[Collection("EndToEnd")]
public class MultiOrgAdminTests
{
    private const string Api = "/teams-connector/admin/api";

    [Fact]
    public async Task AdminApi_TwoOrgs_EachOrgRouteReachesThatOrgOnly()
    {
        await using var host = await TwoOrgs.StartAsync();
        using var http = host.Client();

        var orgs = await http.GetFromJsonAsync<JsonElement>(Api + "/orgs");
        orgs.EnumerateArray().Select(o => (o.GetProperty("name").GetString(), o.GetProperty("orgId").GetString()))
            .Should().Equal(("east", host.East.Wxcc.OrgId), ("west", host.West.Wxcc.OrgId));
        foreach (var (name, org) in (IEnumerable<(string, Org)>)[("east", host.East), ("west", host.West)])
        {
            await Wait.UntilAsync(() => host.Admin(name).GetStatus().TrackedAgents > 0, $"{name} syncs", 30);
            var agents = await http.GetFromJsonAsync<JsonElement>($"{Api}/orgs/{name}/agents");
            agents.EnumerateArray().Select(a => a.GetProperty("agentId").GetString()).Should().Contain(org.AgentId).And.NotContain(host.Other(org).AgentId);
        }

        using var mapping = await http.PutAsync($"{Api}/orgs/east/mapping", AdminWorld.Json($"{{\"mapping\":{{\"InACall\":\"{host.East.DndCode}\"}}}}"));
        mapping.StatusCode.Should().Be(HttpStatusCode.OK, await mapping.Content.ReadAsStringAsync());
        (await host.Admin("east").GetIdleCodeMappingAsync(default)).FromAdmin.Should().BeTrue();
        (await host.Admin("west").GetIdleCodeMappingAsync(default)).FromAdmin.Should().BeFalse("only the east org's mapping changed");
        (await http.GetFromJsonAsync<JsonElement>($"{Api}/orgs/west/mapping")).GetProperty("source").GetString().Should().Be("configuration");

        using var deactivate = await http.PostAsync($"{Api}/orgs/west/connector/deactivate", AdminWorld.Json("{\"confirm\":true}"));
        deactivate.StatusCode.Should().Be(HttpStatusCode.OK, await deactivate.Content.ReadAsStringAsync());
        host.Admin("west").GetStatus().Status.State.Should().Be(ConnectorState.Inactive);
        host.Admin("east").GetStatus().Status.State.Should().Be(ConnectorState.Active, "the other org keeps running");
        (await http.GetFromJsonAsync<JsonElement>($"{Api}/orgs/WEST/status")).GetProperty("state").GetString().Should().Be("Inactive", "org names match case-insensitively");
    }

    [Fact]
    public async Task AdminApi_UnknownOrg_AnswersNotFoundProblem_AndNoCallerWithoutThePolicyGetsIn()
    {
        await using var host = await TwoOrgs.StartAsync();
        using var http = host.Client();
        using var anonymous = host.Client(role: null);

        var problem = await AdminWorld.ProblemAsync(await http.GetAsync($"{Api}/orgs/north/status"), 404);
        problem.GetProperty("title").GetString().Should().Be("No such org.");
        (await http.PostAsync($"{Api}/orgs/north/connector/deactivate", AdminWorld.Json("{\"confirm\":true}"))).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await anonymous.GetAsync($"{Api}/orgs/east/status")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await anonymous.GetAsync($"{Api}/orgs")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        host.Admin("east").GetStatus().Status.State.Should().Be(ConnectorState.Active);
        host.Admin("west").GetStatus().Status.State.Should().Be(ConnectorState.Active);
    }

    [Fact]
    public async Task AdminSignIn_TwoOrgs_TheCallbacksReachTheOrgThatStartedIt()
    {
        await using var host = await TwoOrgs.StartAsync(settings: s =>
        {
            foreach (var name in (string[])["east", "west"])
            {
                s[$"TeamsConnector:Orgs:{name}:Admin:InitialState"] = "NotConfigured";
                s[$"TeamsConnector:Orgs:{name}:Admin:ConsentRedirectUri"] = "http://127.0.0.1:9/teams-connector/admin/consent";
            }
        });
        host.West.Graph.Authority.SignInAs(new EmulatedSignIn(Guid.NewGuid().ToString(), [EntraRoles.GlobalAdministrator]));
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = host.Url };

        using var start = await http.GetAsync("/teams-connector/admin/signin/start?org=west");
        start.Headers.Location!.AbsoluteUri.Should().StartWith(host.West.Graph.Authority.Host.AbsoluteUri, "the west org's authority");
        using var authorize = await http.GetAsync(start.Headers.Location);
        using var signedIn = await http.GetAsync("/teams-connector/admin/signin" + authorize.Headers.Location!.Query);
        signedIn.StatusCode.Should().Be(HttpStatusCode.Redirect, await signedIn.Content.ReadAsStringAsync());
        var state = HttpUtility.ParseQueryString(signedIn.Headers.Location!.Query)["state"];
        using var granted = await http.GetAsync($"/teams-connector/admin/consent?state={state}&tenant={host.West.Graph.TenantId}&admin_consent=True");

        granted.StatusCode.Should().Be(HttpStatusCode.OK, await granted.Content.ReadAsStringAsync());
        host.Admin("west").GetStatus().Status.State.Should().Be(ConnectorState.Active);
        host.Admin("east").GetStatus().Status.State.Should().Be(ConnectorState.NotConfigured, "only the org that started the sign-in was authorized");
        (await http.GetAsync("/teams-connector/admin/signin/start?org=north")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Dashboard_TwoOrgs_ThePickerSwitchesToTheChosenOrg_AndItsDeactivateReachesThatOrgOnly()
    {
        await using var host = await TwoOrgs.StartAsync();
        using var driver = DashboardBrowserTests.StartBrowser();
        var wait = new WebDriverWait(driver, TimeSpan.FromSeconds(30));
        wait.IgnoreExceptionTypes(typeof(NoSuchElementException), typeof(StaleElementReferenceException));

        driver.Navigate().GoToUrl(new Uri(host.Url, "/test/sign-in"));
        wait.Until(d => d.FindElement(By.TagName("body")).GetAttribute("data-ready") == "true");
        driver.FindElement(By.Id("org-picker")).Displayed.Should().BeTrue("several orgs are listed");
        driver.FindElement(By.Id("org")).GetDomProperty("value").Should().Be("east");
        wait.Until(d => d.FindElement(By.Id("connector-state")).Text == "Active");

        driver.FindElement(By.CssSelector("#org option[value='west']")).Click();
        wait.Until(d => d.Url.Contains("org=west", StringComparison.Ordinal) && d.FindElement(By.TagName("body")).GetAttribute("data-ready") == "true");
        driver.FindElement(By.Id("org")).GetDomProperty("value").Should().Be("west");
        driver.FindElement(By.Id("consent")).GetAttribute("href").Should().EndWith("/teams-connector/admin/api/orgs/west/consent");
        driver.FindElement(By.Id("deactivate")).Click();
        wait.Until(d => d.FindElement(By.Id("confirm-dialog")).GetAttribute("open") is not null);
        driver.FindElement(By.Id("confirm-ok")).Click();
        wait.Until(d => d.FindElement(By.Id("connector-state")).Text == "Inactive");

        host.Admin("west").GetStatus().Status.State.Should().Be(ConnectorState.Inactive);
        host.Admin("east").GetStatus().Status.State.Should().Be(ConnectorState.Active, "the dashboard acted on the chosen org only");
    }

    /// <summary>One org's emulators and agent.</summary>
    internal sealed class Org : IAsyncDisposable
    {
        public required GraphEmulator Graph { get; init; }

        public required ContactCenterEmulator Wxcc { get; init; }

        public required string AgentId { get; init; }

        public required string CallCode { get; init; }

        public required string DndCode { get; init; }

        public static async Task<Org> StartAsync(string orgId)
        {
            var graph = await GraphEmulator.StartAsync();
            var wxcc = await ContactCenterEmulator.StartAsync(new ContactCenterEmulatorOptions { OrgId = orgId, RonaTimeout = null });
            wxcc.SetDesktopProfile(new DesktopProfile("teams", StateSynchronizationMS: true, ShowUserDetailsMS: true));
            var email = $"agent@{orgId}.example";
            var agentId = wxcc.AddAgent(email: email, desktopProfileId: "teams");
            var teamsId = graph.AddUser("Agent", "Care", "Agent", null, email);
            graph.SetPresence(teamsId, "Available", "Available");
            wxcc.SignIn(agentId, AgentState.Available);
            return new Org { Graph = graph, Wxcc = wxcc, AgentId = agentId, CallCode = wxcc.AddIdleCode("Teams - In a call"), DndCode = wxcc.AddIdleCode("Teams - Do not disturb") };
        }

        public void AddSettings(Dictionary<string, string?> settings, string name)
        {
            foreach (var (key, value) in EmulatorSettings.For(Graph, Wxcc, TimeSpan.FromMilliseconds(100)))
            {
                settings["TeamsConnector:Orgs:" + name + key["TeamsConnector".Length..]] = value;
            }

            settings[$"TeamsConnector:Orgs:{name}:StateSync:IdleCodes:InACall"] = CallCode;
            settings[$"TeamsConnector:Orgs:{name}:StateSync:TimerResolution"] = "00:00:00.050";
        }

        public async ValueTask DisposeAsync()
        {
            await Graph.DisposeAsync();
            await Wxcc.DisposeAsync();
        }
    }

    /// <summary>Two orgs (east, west) in one web host with the admin API behind the test policy.</summary>
    internal sealed class TwoOrgs : IAsyncDisposable
    {
        private TwoOrgs(WebApplication app, Org east, Org west, Uri url)
        {
            App = app;
            East = east;
            West = west;
            Url = url;
        }

        public WebApplication App { get; }

        public Org East { get; }

        public Org West { get; }

        public Uri Url { get; }

        public ITeamsConnectorAdmin Admin(string name) => App.Services.GetRequiredService<LocalOrgs>().FindByName(name)!.Admin;

        public Org Other(Org org) => ReferenceEquals(org, East) ? West : East;

        public HttpClient Client(string? role = AdminWorld.AdminRole)
        {
            var client = new HttpClient { BaseAddress = Url };
            if (role is not null)
            {
                client.DefaultRequestHeaders.Add(TestAuthHandler.Header, role);
            }

            return client;
        }

        public static async Task<TwoOrgs> StartAsync(Action<Dictionary<string, string?>>? settings = null)
        {
            var east = await Org.StartAsync("org-east");
            var west = await Org.StartAsync("org-west");
            var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
            east.AddSettings(values, "east");
            west.AddSettings(values, "west");
            settings?.Invoke(values);
            var port = FreePort();
            var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
            builder.Configuration.Sources.Clear();
            builder.Configuration.AddInMemoryCollection(values);
            builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
            builder.Logging.ClearProviders();
            builder.Services.AddTeamsConnector(builder.Configuration.GetSection("TeamsConnector")).AddGraphPresence().AddWebexContactCenter().AddAdminApi();
            builder.Services.AddAuthentication(TestAuthHandler.SchemeName).AddScheme<AuthenticationSchemeOptions, TestAuthHandler>(TestAuthHandler.SchemeName, null);
            builder.Services.AddAuthorization(o => o.AddPolicy(AdminWorld.Policy, p => p.RequireRole(AdminWorld.AdminRole)));
            Wait.AddPulses(builder.Services, builder.Logging);
            var app = builder.Build();
            app.MapTeamsConnector();
            app.MapTeamsConnectorAdmin(AdminWorld.Policy);
            app.MapGet("/test/sign-in", (Microsoft.AspNetCore.Http.HttpContext context) =>
            {
                context.Response.Cookies.Append(TestAuthHandler.Cookie, AdminWorld.AdminRole, new Microsoft.AspNetCore.Http.CookieOptions { HttpOnly = true, SameSite = Microsoft.AspNetCore.Http.SameSiteMode.Strict });
                context.Response.Redirect("/teams-connector/dashboard");
                return Task.CompletedTask;
            });
            await app.StartAsync();
            return new TwoOrgs(app, east, west, new Uri($"http://127.0.0.1:{port}"));
        }

        public async ValueTask DisposeAsync()
        {
            await App.StopAsync();
            await App.DisposeAsync();
            await East.DisposeAsync();
            await West.DisposeAsync();
        }

        private static int FreePort()
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
    }
}
