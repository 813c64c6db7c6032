using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Webex.TeamsConnector.AspNetCore;
using Webex.TeamsConnector.Testing;
using Webex.TeamsConnector.Tests.Fakes;

namespace Webex.TeamsConnector.Tests.Host;

/// <summary>Several orgs in one process (<c>TeamsConnector:Orgs:&lt;name&gt;:...</c>), each on its own pair of emulators.</summary>
[Collection("EndToEnd")]
public class MultiOrgTests
{
    private const string WebhookSecret = "multi-org-webhook-secret-0123456789abcdef";

    [Fact]
    public async Task AddTeamsConnector_TwoOrgs_EachOrgsAgentsSyncAndEachWebhookReachesItsOrg()
    {
        var port = FreePort();
        var webhookUrl = $"http://127.0.0.1:{port}{TeamsConnectorEndpointRouteBuilderExtensions.DefaultPrefix}{TeamsConnectorEndpointRouteBuilderExtensions.WebexEventsPath}";
        await using var east = await EmulatedOrg.StartAsync("org-east");
        await using var west = await EmulatedOrg.StartAsync("org-west");
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        east.AddSettings(settings, "east", webhookUrl);
        west.AddSettings(settings, "west", webhookUrl);

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        builder.Services.AddTeamsConnector(builder.Configuration.GetSection("TeamsConnector")).AddGraphPresence().AddWebexContactCenter();
        Wait.AddPulses(builder.Services, builder.Logging);
        await using var app = builder.Build();
        app.MapTeamsConnector();
        await app.StartAsync();

        var orgs = app.Services.GetRequiredService<LocalOrgs>();
        foreach (var (org, name) in (IEnumerable<(EmulatedOrg, string)>)[(east, "east"), (west, "west")])
        {
            var admin = orgs.All.Single(o => o.Definition.Name == name).Admin;
            await Wait.UntilAsync(() => org.Wxcc.Subscriptions.Count > 0, $"{name} has a webhook subscription", 30);
            org.Graph.SetPresence(org.TeamsUserId, "Busy", "InACall");
            await Wait.UntilAsync(() => org.Wxcc.GetState(org.AgentId) == AgentState.Idle(org.CallCode), $"the agent of {name} is engaged", 30);

            // The agent's own change reaches this org's unit by webhook (the only event source configured).
            org.Wxcc.SetStateAsAgent(org.AgentId, AgentState.Available);
            await Wait.UntilAsync(
                () => admin.GetAgentsAsync(default).GetAwaiter().GetResult().SingleOrDefault(a => a.AgentId == org.AgentId) is { Origin: StateOrigin.Agent } seen
                    && seen.State == AgentState.Available,
                $"the {name} unit has seen the agent's Available",
                30);
        }

        east.Wxcc.StateWrites.Should().ContainSingle("one write per decision, by the east unit only").Which.AgentId.Should().Be(east.AgentId);
        west.Wxcc.StateWrites.Should().ContainSingle().Which.AgentId.Should().Be(west.AgentId);
        await app.StopAsync();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private sealed class EmulatedOrg : IAsyncDisposable
    {
        private EmulatedOrg(GraphEmulator graph, ContactCenterEmulator wxcc)
        {
            Graph = graph;
            Wxcc = wxcc;
        }

        public GraphEmulator Graph { get; }

        public ContactCenterEmulator Wxcc { get; }

        public string AgentId { get; private set; } = "";

        public string TeamsUserId { get; private set; } = "";

        public string CallCode { get; private set; } = "";

        public string PresentingCode { get; private set; } = "";

        public static async Task<EmulatedOrg> StartAsync(string orgId)
        {
            var graph = await GraphEmulator.StartAsync();
            var wxcc = await ContactCenterEmulator.StartAsync(new ContactCenterEmulatorOptions { OrgId = orgId, RonaTimeout = null });
            graph.StateChanged += static (_, _) => Wait.Pulse.Raise();
            wxcc.StateChanged += static (_, _) => Wait.Pulse.Raise();
            var org = new EmulatedOrg(graph, wxcc);
            org.CallCode = wxcc.AddIdleCode("Teams - In a call");
            org.PresentingCode = wxcc.AddIdleCode("Teams - Presenting");
            wxcc.SetDesktopProfile(new DesktopProfile("teams", StateSynchronizationMS: true, ShowUserDetailsMS: true));
            var email = $"agent@{orgId}.example";
            org.AgentId = wxcc.AddAgent(email: email, desktopProfileId: "teams");
            org.TeamsUserId = graph.AddUser("Agent", "Care", "Agent", null, email);
            graph.SetPresence(org.TeamsUserId, "Available", "Available");
            wxcc.SignIn(org.AgentId, AgentState.Available);
            return org;
        }

        public void AddSettings(Dictionary<string, string?> settings, string name, string webhookUrl)
        {
            foreach (var (key, value) in EmulatorSettings.For(Graph, Wxcc, TimeSpan.FromMilliseconds(100)))
            {
                settings["TeamsConnector:Orgs:" + name + key["TeamsConnector".Length..]] = value;
            }

            var org = "TeamsConnector:Orgs:" + name;
            settings[org + ":ContactCenter:EventSource"] = "Webhook";
            settings[org + ":ContactCenter:WebhookUrl"] = webhookUrl;
            settings[org + ":ContactCenter:WebhookSecret"] = WebhookSecret;
            settings[org + ":StateSync:IdleCodes:InACall"] = CallCode;
            settings[org + ":StateSync:IdleCodes:Presenting"] = PresentingCode;
            settings[org + ":StateSync:TimerResolution"] = "00:00:00.050";
            settings[org + ":StateSync:EchoGracePeriod"] = "00:00:01";
            settings[org + ":ContactCenter:RefreshTokenFilePath"] = Path.Combine(Path.GetTempPath(), "teams-connector-tests", Guid.NewGuid().ToString("N"), "refresh-token.json");
        }

        public async ValueTask DisposeAsync()
        {
            await Graph.DisposeAsync();
            await Wxcc.DisposeAsync();
        }
    }
}
