using System.Collections.Concurrent;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.TestingHost;
using Webex.TeamsConnector.AspNetCore;
using Webex.TeamsConnector.Testing;
using Webex.TeamsConnector.Tests.Fakes;
using Webex.TeamsConnector.TestFixtures;

namespace Webex.TeamsConnector.Orleans.Tests;

/// <summary>
/// Several orgs, each on its own pair of emulators (real HTTP on 127.0.0.1), run by an Orleans <see cref="TestCluster"/>
/// of in-process silos clustered over a real redis-server, with the orgs' grain state in Redis too.
/// </summary>
internal sealed class ClusterWorld : IAsyncDisposable
{
    private static readonly ConcurrentDictionary<string, ClusterWorld> s_worlds = new(StringComparer.Ordinal);

    private ClusterWorld(RedisServer redis, string clusterId)
    {
        Redis = redis;
        ClusterId = clusterId;
    }

    public RedisServer Redis { get; }

    public string ClusterId { get; }

    public List<WorldOrg> Orgs { get; } = [];

    public Dictionary<string, string?> Settings { get; } = new(StringComparer.OrdinalIgnoreCase);

    public TestCluster Cluster { get; private set; } = null!;

    public const string WebhookSecret = "cluster-webhook-secret-0123456789abcdef0123";

    /// <summary>Whether each silo serves the webhook endpoints (see <see cref="SiloWebhooks"/>) and the orgs take WxCC events by webhook.</summary>
    public bool Webhooks { get; private set; }

    public static async Task<ClusterWorld> StartAsync(int silos = 3, int orgs = 3, int agentsPerOrg = 3, bool webhooks = false, Action<Dictionary<string, string?>>? settings = null, int requestsPerMinute = 300)
    {
        var redis = await RedisServer.StartAsync();
        var world = new ClusterWorld(redis, "tc-" + Guid.NewGuid().ToString("N")[..12]);
        for (var i = 0; i < orgs; i++)
        {
            var org = await WorldOrg.StartAsync($"org-{i}", agentsPerOrg, requestsPerMinute);
            world.Orgs.Add(org);
            org.AddSettings(world.Settings);
            if (webhooks)
            {
                // Every silo shares the org's settings; the URL the connector registers is not used by these tests.
                world.Settings[$"TeamsConnector:Orgs:{org.OrgId}:ContactCenter:EventSource"] = "Webhook";
                world.Settings[$"TeamsConnector:Orgs:{org.OrgId}:ContactCenter:WebhookUrl"] = "http://127.0.0.1:9/unused";
                world.Settings[$"TeamsConnector:Orgs:{org.OrgId}:ContactCenter:WebhookSecret"] = WebhookSecret;
            }
        }

        world.Webhooks = webhooks;
        settings?.Invoke(world.Settings);

        s_worlds[world.ClusterId] = world;
        var builder = new TestClusterBuilder((short)silos);
        builder.Options.ClusterId = world.ClusterId;
        builder.Options.ServiceId = world.ClusterId;
        builder.Options.UseTestClusterMembership = false;
        builder.Options.InitializeClientOnDeploy = true;
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        builder.AddClientBuilderConfigurator<ClientConfigurator>();
        world.Cluster = builder.Build();
        await world.Cluster.DeployAsync();
        return world;
    }

    /// <summary>The grain of an org (through the test cluster's client).</summary>
    public IOrgConnectorGrain Grain(WorldOrg org) => Cluster.Client.GetGrain<IOrgConnectorGrain>(org.OrgId);

    /// <summary>The silos that run a unit of <paramref name="org"/> now (must be exactly one).</summary>
    public IReadOnlyList<SiloHandle> RunningOn(WorldOrg org) =>
        [.. Cluster.Silos.Where(s => Activations(s).OrgIds.Contains(org.OrgId, StringComparer.OrdinalIgnoreCase))];

    public OrgActivations Activations(SiloHandle silo) => Cluster.GetSiloServiceProvider(silo.SiloAddress).GetRequiredService<OrgActivations>();

    /// <summary>Waits until every org runs on exactly one silo of the cluster.</summary>
    public Task WaitForOneUnitPerOrgAsync(int timeoutSeconds = 30) =>
        Wait.UntilAsync(() => Orgs.All(o => RunningOn(o).Count == 1), "every org runs on exactly one silo", timeoutSeconds);

    public async ValueTask DisposeAsync()
    {
        if (Cluster is not null)
        {
            await Cluster.StopAllSilosAsync();
            await Cluster.DisposeAsync();
        }

        s_worlds.TryRemove(ClusterId, out _);
        foreach (var org in Orgs)
        {
            await org.DisposeAsync();
        }

        await Redis.DisposeAsync();
    }

    /// <summary>Short membership timings, so that a dead silo is noticed within seconds (the settings of cluster.md).</summary>
    public static void FastMembership(ClusterMembershipOptions options)
    {
        options.ProbeTimeout = TimeSpan.FromMilliseconds(500);
        options.NumMissedProbesLimit = 2;
        options.NumVotesForDeathDeclaration = 1;
        options.TableRefreshTimeout = TimeSpan.FromSeconds(1);
        options.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(2);
        options.DeathVoteExpirationTimeout = TimeSpan.FromSeconds(10);
    }

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            var clusterId = siloBuilder.Configuration["Orleans:ClusterId"] ?? siloBuilder.Configuration["ClusterId"];
            var world = clusterId is not null && s_worlds.TryGetValue(clusterId, out var w) ? w : s_worlds.Values.Single();
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(world.Settings).Build();
            siloBuilder.UseRedisClustering(o => o.ConfigurationOptions = StackExchange.Redis.ConfigurationOptions.Parse(world.Redis.Endpoint));
            siloBuilder.AddRedisGrainStorage(TeamsConnectorClusterOptions.DefaultStorageName, o => o.ConfigurationOptions = StackExchange.Redis.ConfigurationOptions.Parse(world.Redis.Endpoint));
            siloBuilder.Configure<ClusterMembershipOptions>(FastMembership);
            siloBuilder.AddTeamsConnector(o => o.KeepAliveInterval = TimeSpan.FromMilliseconds(500));
            siloBuilder.Services.AddTeamsConnector(configuration.GetSection("TeamsConnector")).AddGraphPresence().AddWebexContactCenter().AddAdminApi();
            siloBuilder.Services.AddRouting(); // what AddAdminApi's OpenAPI document needs on a silo that is no web host
            if (world.Webhooks)
            {
                siloBuilder.Services.AddHostedService(sp => new SiloWebhooks(sp, sp.GetRequiredService<global::Orleans.Runtime.ILocalSiloDetails>()));
            }

            siloBuilder.Services.AddLogging(logging =>
            {
                logging.SetMinimumLevel(LogLevel.Warning);
                Wait.AddPulses(siloBuilder.Services, logging);
            });
        }
    }

    private sealed class ClientConfigurator : IClientBuilderConfigurator
    {
        public void Configure(IConfiguration configuration, IClientBuilder clientBuilder)
        {
            var clusterId = configuration["Orleans:ClusterId"] ?? configuration["ClusterId"];
            var world = clusterId is not null && s_worlds.TryGetValue(clusterId, out var w) ? w : s_worlds.Values.Single();
            clientBuilder.UseRedisClustering(o => o.ConfigurationOptions = StackExchange.Redis.ConfigurationOptions.Parse(world.Redis.Endpoint));
        }
    }
}

/// <summary>One org of the world: its emulators, idle codes and agents.</summary>
internal sealed class WorldOrg : IAsyncDisposable
{
    private WorldOrg(string orgId, GraphEmulator graph, ContactCenterEmulator wxcc)
    {
        OrgId = orgId;
        Graph = graph;
        Wxcc = wxcc;
    }

    public string OrgId { get; }

    public GraphEmulator Graph { get; }

    public ContactCenterEmulator Wxcc { get; }

    public string CallCode { get; private set; } = "";

    /// <summary>The WxCC budget of the emulator and the connector.</summary>
    public int RequestsPerMinute { get; private set; } = 300;

    public string DndCode { get; private set; } = "";

    public List<(string AgentId, string TeamsUserId)> Agents { get; } = [];

    public static async Task<WorldOrg> StartAsync(string orgId, int agents, int requestsPerMinute = 300)
    {
        var graph = await GraphEmulator.StartAsync();
        var wxcc = await ContactCenterEmulator.StartAsync(new ContactCenterEmulatorOptions
        {
            OrgId = orgId,
            RonaTimeout = null,
            RequestsPerMinute = requestsPerMinute,
            WebSocketScope = ContactCenterWebSocketScope.Organization,
        });
        graph.StateChanged += static (_, _) => Wait.Pulse.Raise();
        wxcc.StateChanged += static (_, _) => Wait.Pulse.Raise();
        var org = new WorldOrg(orgId, graph, wxcc)
        {
            CallCode = wxcc.AddIdleCode("Teams - In a call"),
            RequestsPerMinute = requestsPerMinute,
            DndCode = wxcc.AddIdleCode("Teams - Do not disturb"),
        };
        wxcc.SetDesktopProfile(new DesktopProfile("teams", StateSynchronizationMS: true, ShowUserDetailsMS: true));
        for (var i = 0; i < agents; i++)
        {
            var email = $"agent{i}@{orgId}.example";
            var agentId = wxcc.AddAgent(email: email, desktopProfileId: "teams");
            var teamsId = graph.AddUser($"Agent {i}", "Care", "Agent", null, email);
            graph.SetPresence(teamsId, "Available", "Available");
            wxcc.SignIn(agentId, AgentState.Available);
            org.Agents.Add((agentId, teamsId));
        }

        return org;
    }

    public int WritesOf(string agentId) => Wxcc.StateWrites.Count(w => w.AgentId == agentId);

    public void AddSettings(Dictionary<string, string?> settings)
    {
        var prefix = "TeamsConnector:Orgs:" + OrgId;
        foreach (var (key, value) in EmulatorSettings.For(Graph, Wxcc, TimeSpan.FromMilliseconds(100)))
        {
            settings[prefix + key["TeamsConnector".Length..]] = value;
        }

        settings[prefix + ":StateSync:IdleCodes:InACall"] = CallCode;
        settings[prefix + ":StateSync:IdleCodes:DoNotDisturb"] = DndCode;
        settings[prefix + ":StateSync:TimerResolution"] = "00:00:00.050";
        settings[prefix + ":StateSync:EchoGracePeriod"] = "00:00:01";
        settings[prefix + ":StateSync:PendingWriteTimeout"] = "00:00:05";
        settings[prefix + ":ContactCenter:RequestsPerMinute"] = RequestsPerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    public async ValueTask DisposeAsync()
    {
        await Graph.DisposeAsync();
        await Wxcc.DisposeAsync();
    }
}
