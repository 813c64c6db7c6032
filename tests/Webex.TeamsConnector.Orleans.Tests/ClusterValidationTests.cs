using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Hosting;
using Webex.TeamsConnector.Testing;

namespace Webex.TeamsConnector.Orleans.Tests;

/// <summary>What a cluster needs of each org's settings beyond one process.</summary>
public class ClusterValidationTests
{
    [Fact]
    public void AddTeamsConnector_OrgWithChangeNotificationsButNoClientState_RefusesToStartAndNamesTheOrgsKey()
    {
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var name in (string[])["east", "west"])
        {
            var org = "TeamsConnector:Orgs:" + name;
            settings[org + ":ContactCenter:OrgId"] = "org-" + name;
            settings[org + ":ContactCenter:ClientId"] = "client";
            settings[org + ":ContactCenter:ClientSecret"] = "secret";
            settings[org + ":ContactCenter:RefreshToken"] = "refresh";
            settings[org + ":ContactCenter:EventSource"] = "WebSocket";
            settings[org + ":Graph:TenantId"] = Guid.NewGuid().ToString();
            settings[org + ":Graph:BaseUrl"] = "http://127.0.0.1:9/";
            settings[org + ":Graph:ClientId"] = EmulatorSettings.GraphClientId;
            settings[org + ":Graph:ClientSecret"] = "graph-secret";
            settings[org + ":Graph:PresenceSource"] = "ChangeNotifications";
            settings[org + ":Graph:NotificationUrl"] = "https://hooks.contoso.example/teams-connector/graph/notifications";
        }

        settings["TeamsConnector:Orgs:west:Graph:NotificationClientState"] = "west-client-state-0123456789";
        var services = new ServiceCollection();
        services.AddTeamsConnector(new ConfigurationBuilder().AddInMemoryCollection(settings).Build().GetSection("TeamsConnector")).AddGraphPresence().AddWebexContactCenter();
        new Silo(services).AddTeamsConnector();
        using var provider = services.BuildServiceProvider();

        TeamsConnectorStartup.TryValidate(provider, out var errors);

        errors.Should().Contain("TeamsConnector:Orgs:east:Graph:NotificationClientState is required on a cluster with change notifications: every silo checks the org's notifications against it.");
        errors.Should().NotContain(e => e.Contains("Orgs:west:Graph:NotificationClientState", StringComparison.Ordinal), "the west org has its own");
        errors.Should().NotContain(e => e.Contains("Graph:NotificationUrl", StringComparison.Ordinal), "in a cluster the grains own the subscriptions: orgs may share the URL");
    }

    private sealed class Silo(IServiceCollection services) : ISiloBuilder
    {
        public IServiceCollection Services => services;

        public IConfiguration Configuration { get; } = new ConfigurationBuilder().Build();
    }
}
