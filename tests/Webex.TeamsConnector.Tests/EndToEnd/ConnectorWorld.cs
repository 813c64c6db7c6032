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

namespace Webex.TeamsConnector.Tests.EndToEnd;

/// <summary>
/// The whole product over real HTTP on 127.0.0.1: the Graph and WxCC emulators and an ASP.NET Core app running
/// <c>AddTeamsConnector().AddGraphPresence().AddWebexContactCenter()</c> with <c>MapTeamsConnector()</c>.
/// </summary>
internal sealed class ConnectorWorld : IAsyncDisposable
{
    public const string WebhookSecret = "e2e-webhook-secret-0123456789abcdef0123456789";

    public const string GraphClientState = "e2e-graph-client-state-0123456789abcdef";

    private readonly Dictionary<string, string?> _settings;
    private readonly int _port;

    private ConnectorWorld(GraphEmulator graph, ContactCenterEmulator wxcc, Dictionary<string, string?> settings, int port)
    {
        Graph = graph;
        Wxcc = wxcc;
        _settings = settings;
        _port = port;
    }

    public GraphEmulator Graph { get; }

    /// <summary>The connector's configuration for this world (emulator URLs, idle codes, test timings).</summary>
    public IReadOnlyDictionary<string, string?> Settings => _settings;

    public ContactCenterEmulator Wxcc { get; }

    public WebApplication? App { get; private set; }

    /// <summary>More services for the app (set before <see cref="StartConnectorAsync"/>), for example authorization.</summary>
    public Action<WebApplicationBuilder, ITeamsConnectorBuilder>? ConfigureApp { get; set; }

    /// <summary>More endpoints for the app (set before <see cref="StartConnectorAsync"/>), for example the admin API.</summary>
    public Action<WebApplication>? MapApp { get; set; }

    public Uri AppUrl => new($"http://127.0.0.1:{_port}");

    public ITeamsConnectorAdmin Admin => App!.Services.GetRequiredService<ITeamsConnectorAdmin>();

    public string DndCode { get; private set; } = "";

    public string CallCode { get; private set; } = "";

    public string PresentingCode { get; private set; } = "";

    public string LunchCode { get; private set; } = "";

    public string MeetingCode { get; private set; } = "";

    public List<WorldAgent> Agents { get; } = [];

    /// <summary>A synced agent no test touches: <see cref="CatchUpAsync"/> drives it to prove the connector is done.</summary>
    public WorldAgent Marker { get; private set; } = null!;

    public static async Task<ConnectorWorld> StartAsync(
        int agents = 3,
        bool webhooks = false,
        int requestsPerMinute = 300,
        Action<Dictionary<string, string?>>? settings = null,
        bool startConnector = true,
        bool notifications = false,
        ContactCenterWebSocketScope webSocketScope = ContactCenterWebSocketScope.Organization)
    {
        var graph = await GraphEmulator.StartAsync();
        // The end-to-end world watches every agent's events in real time, so in websocket mode it opts into an
        // organization-wide socket (WxCC's own socket carries only the signed-in user's events).
        var wxcc = await ContactCenterEmulator.StartAsync(new ContactCenterEmulatorOptions
        {
            RequestsPerMinute = requestsPerMinute,
            RonaTimeout = null,
            WebSocketScope = webSocketScope,
        });
        graph.StateChanged += static (_, _) => Wait.Pulse.Raise();
        wxcc.StateChanged += static (_, _) => Wait.Pulse.Raise();
        var port = FreePort();
        var values = EmulatorSettings.For(graph, wxcc, TimeSpan.FromMilliseconds(100));
        values["TeamsConnector:ContactCenter:RequestsPerMinute"] = requestsPerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture);
        values["TeamsConnector:ContactCenter:EventSource"] = webhooks ? "Webhook" : "WebSocket";
        values["TeamsConnector:StateSync:TimerResolution"] = "00:00:00.050";
        values["TeamsConnector:StateSync:EchoGracePeriod"] = "00:00:01";
        values["TeamsConnector:StateSync:PendingWriteTimeout"] = "00:00:05";

        // A durable refresh-token store survives connector restarts, as a production deployment's must: WxCC rotates
        // refresh tokens, and the configured one stops working after the first refresh.
        values["TeamsConnector:ContactCenter:RefreshTokenFilePath"] = Path.Combine(Path.GetTempPath(), "teams-connector-tests", Guid.NewGuid().ToString("N"), "refresh-token.json");
        if (webhooks)
        {
            values["TeamsConnector:ContactCenter:WebhookUrl"] = $"http://127.0.0.1:{port}{TeamsConnectorEndpointRouteBuilderExtensions.DefaultPrefix}{TeamsConnectorEndpointRouteBuilderExtensions.WebexEventsPath}";
            values["TeamsConnector:ContactCenter:WebhookSecret"] = WebhookSecret;
        }

        if (notifications)
        {
            values["TeamsConnector:Graph:PresenceSource"] = "ChangeNotifications";
            values["TeamsConnector:Graph:NotificationClientState"] = GraphClientState;
            values["TeamsConnector:Graph:NotificationUrl"] = $"http://127.0.0.1:{port}{TeamsConnectorEndpointRouteBuilderExtensions.DefaultPrefix}{TeamsConnectorEndpointRouteBuilderExtensions.GraphNotificationsPath}";
        }

        var world = new ConnectorWorld(graph, wxcc, values, port);
        world.Seed(agents);
        values["TeamsConnector:StateSync:IdleCodes:DoNotDisturb"] = world.DndCode;
        values["TeamsConnector:StateSync:IdleCodes:InACall"] = world.CallCode;
        values["TeamsConnector:StateSync:IdleCodes:Presenting"] = world.PresentingCode;
        settings?.Invoke(values);
        if (startConnector)
        {
            await world.StartConnectorAsync();
        }

        return world;
    }

    /// <summary>Starts the connector app (again, after <see cref="StopConnectorAsync"/>: a restart).</summary>
    public async Task StartConnectorAsync()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(_settings);
        builder.WebHost.UseUrls(AppUrl.ToString());
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddProvider(Logs);
        builder.Logging.AddFilter<RecentLogs>("Webex", LogLevel.Debug);
        if (Environment.GetEnvironmentVariable("TEAMS_CONNECTOR_TEST_LOGS") is { Length: > 0 } level)
        {
            builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
            builder.Logging.AddFilter("Webex", Enum.Parse<LogLevel>(level));
        }
        var connector = builder.Services.AddTeamsConnector(builder.Configuration.GetSection("TeamsConnector"))
            .AddGraphPresence()
            .AddWebexContactCenter();
        ConfigureApp?.Invoke(builder, connector);
        Wait.AddPulses(builder.Services, builder.Logging);
        App = builder.Build();
        App.MapTeamsConnector();
        MapApp?.Invoke(App);
        await App.StartAsync();
        await WaitAsync(() => Admin.GetStatus() is { IsSyncing: true } s && s.TrackedAgents == Agents.Count(a => a.Synced) + 1, "the connector syncs every eligible agent and the marker", 30);
    }

    public async Task StopConnectorAsync()
    {
        if (App is null)
        {
            return;
        }

        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await App.StopAsync(stop.Token);
        await App.DisposeAsync();
        App = null;
    }

    /// <summary>The connector's last log lines, for a failed wait's message.</summary>
    public RecentLogs Logs { get; } = new();

    public async Task WaitForStateAsync(WorldAgent agent, AgentState state, int timeoutSeconds = 15)
    {
        try
        {
            await WaitAsync(() => Wxcc.GetState(agent.AgentId) == state, $"{agent.Email} is {state}", timeoutSeconds);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message} (is {Wxcc.GetState(agent.AgentId)}); the connector's last log lines:{Environment.NewLine}{Logs.Dump()}", e);
        }
    }

    /// <summary>
    /// Does <paramref name="act"/>, proves the connector has handled it (<see cref="CatchUpAsync"/>), then checks that
    /// nothing wrote the agent's state.
    /// </summary>
    public async Task AssertLeftAloneAsync(WorldAgent agent, AgentState state, Action act)
    {
        var writes = WritesOf(agent);
        act();
        await Graph.FlushNotificationsAsync();
        await CatchUpAsync();
        Wxcc.GetState(agent.AgentId).Should().Be(state);
        WritesOf(agent).Should().Be(writes, "nothing writes the state of {0}", agent.Email);
    }

    /// <summary>
    /// Proves that the connector has handled everything that happened before the call, by driving a later event
    /// through it and waiting for the effect: the marker's Teams presence changes, the connector writes the marker's
    /// WxCC state, and the agent event of that write comes back to the connector. Teams presences and agent events are
    /// each handled in order, so what came before the marker has been handled, and a state write it caused has been
    /// sent. Two rounds, so that a presence read already under way at the call does not count.
    /// </summary>
    public async Task CatchUpAsync()
    {
        for (var round = 0; round < 2; round++)
        {
            var busy = Wxcc.GetState(Marker.AgentId) == AgentState.Available;
            var target = busy ? AgentState.Idle(CallCode) : AgentState.Available;
            Graph.SetPresence(Marker.TeamsUserId, busy ? "Busy" : "Available", busy ? "InACall" : "Available");
            await WaitAsync(
                () => Wxcc.GetState(Marker.AgentId) == target
                    && Admin.GetAgentsAsync(default).GetAwaiter().GetResult().SingleOrDefault(a => a.AgentId == Marker.AgentId) is { PendingWrite: null } seen
                    && seen.State == target,
                $"the marker is {target} in WxCC and in the connector");
        }
    }

    public int WritesOf(WorldAgent agent) => Wxcc.StateWrites.Count(w => w.AgentId == agent.AgentId);

    /// <summary>Waits until a condition holds, checking it after every change of either emulator and every log record, metric and timer tick of the connector.</summary>
    public static Task WaitAsync(Func<bool> condition, string what, int timeoutSeconds = 15) => Wait.UntilAsync(condition, what, timeoutSeconds);

    public async ValueTask DisposeAsync()
    {
        await StopConnectorAsync();
        await Graph.DisposeAsync();
        await Wxcc.DisposeAsync();
    }

    private void Seed(int count)
    {
        DndCode = Wxcc.AddIdleCode("Teams - Do not disturb");
        CallCode = Wxcc.AddIdleCode("Teams - In a call");
        PresentingCode = Wxcc.AddIdleCode("Teams - Presenting");
        LunchCode = Wxcc.AddIdleCode("Lunch");
        MeetingCode = Wxcc.AddIdleCode("Meeting");
        Wxcc.SetDesktopProfile(new DesktopProfile("teams", StateSynchronizationMS: true, ShowUserDetailsMS: true));
        Wxcc.SetDesktopProfile(new DesktopProfile("webex", StateSynchronizationWebex: true));
        for (var i = 0; i < count; i++)
        {
            var email = $"agent{i}@contoso.example";
            var agentId = Wxcc.AddAgent(email: email, desktopProfileId: "teams");
            var teamsId = Graph.AddUser($"Agent {i}", "Customer Care", "Agent", null, email);
            Graph.SetPresence(teamsId, "Available", "Available");
            Wxcc.SignIn(agentId, AgentState.Available);
            Agents.Add(new WorldAgent(agentId, teamsId, email, Synced: true));
        }

        var marker = Wxcc.AddAgent(email: "marker@contoso.example", desktopProfileId: "teams");
        var markerTeams = Graph.AddUser("Marker", "Customer Care", "Agent", null, "marker@contoso.example");
        Graph.SetPresence(markerTeams, "Available", "Available");
        Wxcc.SignIn(marker, AgentState.Available);

        // Its Available carries the connector's reason marker, as if presence sync had released it before this run, so
        // the strict rule (EngageFrom=PresenceSyncOrigin) engages it too.
        Wxcc.SetStateAsAgent(marker, AgentState.Available, reason: "teams-presence-sync");
        Marker = new WorldAgent(marker, markerTeams, "marker@contoso.example", Synced: true);

        // One agent whose desktop profile uses Webex App integration: never synced.
        var other = Wxcc.AddAgent(email: "webex-user@contoso.example", desktopProfileId: "webex");
        var otherTeams = Graph.AddUser("Webex User", "Customer Care", "Agent", null, "webex-user@contoso.example");
        Wxcc.SignIn(other, AgentState.Available);
        Agents.Add(new WorldAgent(other, otherTeams, "webex-user@contoso.example", Synced: false));
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

internal sealed record WorldAgent(string AgentId, string TeamsUserId, string Email, bool Synced);
