using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Webex.TeamsConnector.Tests.Fakes;

/// <summary>A generic host running the connector on <see cref="FakePorts"/>.</summary>
internal sealed class HostFixture : IAsyncDisposable
{
    private HostFixture(IHost host, FakePorts ports)
    {
        Host = host;
        Ports = ports;
    }

    public IHost Host { get; }

    public FakePorts Ports { get; }

    public ITeamsConnectorAdmin Admin => Host.Services.GetRequiredService<ITeamsConnectorAdmin>();

    public static Dictionary<string, string?> DefaultSettings() => new()
    {
        ["TeamsConnector:StateSync:IdleCodes:DoNotDisturb"] = "c-dnd",
        ["TeamsConnector:StateSync:IdleCodes:InACall"] = "c-call",
        ["TeamsConnector:StateSync:IdleCodes:Presenting"] = "c-present",
        ["TeamsConnector:StateSync:TimerResolution"] = "00:00:00.050",
        ["TeamsConnector:Graph:ClientId"] = "11111111-2222-3333-4444-555555555555",
        ["TeamsConnector:Graph:TenantId"] = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
        ["TeamsConnector:Admin:ConsentRedirectUri"] = "https://connector.example.test/teams-connector/admin/consent",
    };

    public static HostApplicationBuilder CreateBuilder(Dictionary<string, string?> settings, FakePorts ports, bool registerPorts = true)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.SetMinimumLevel(LogLevel.Debug);
        builder.Services.AddTeamsConnector(builder.Configuration.GetSection("TeamsConnector"));
        if (registerPorts)
        {
            builder.Services.AddSingleton(ports);
            builder.Services.AddSingleton<ITeamsPresenceFeed>(ports);
            builder.Services.AddSingleton<ITeamsPresencePublisher>(ports);
            builder.Services.AddSingleton<ITeamsUserResolver>(ports);
            builder.Services.AddSingleton<IAgentEventFeed>(ports);
            builder.Services.AddSingleton<IAgentStateOutbox>(ports);
            builder.Services.AddSingleton<IContactCenterDirectory>(ports);
            builder.Services.AddSingleton<IPresenceSyncSettingWriter>(ports);
        }

        return builder;
    }

    public static async Task<HostFixture> StartAsync(FakePorts? ports = null, Dictionary<string, string?>? settings = null, Action<HostApplicationBuilder>? configure = null)
    {
        ports ??= new FakePorts();
        var builder = CreateBuilder(settings ?? DefaultSettings(), ports);
        configure?.Invoke(builder);
        Wait.AddPulses(builder.Services, builder.Logging);
        var host = builder.Build();
        await host.StartAsync();
        return new HostFixture(host, ports);
    }

    public async ValueTask DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await Host.StopAsync(stop.Token);
        Host.Dispose();
    }
}
