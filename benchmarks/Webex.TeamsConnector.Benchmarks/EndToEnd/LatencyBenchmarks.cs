using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Webex.TeamsConnector.AspNetCore;
using Webex.TeamsConnector.Testing;

namespace Webex.TeamsConnector.Benchmarks.EndToEnd;

/// <summary>
/// Teams change -> WxCC write, end to end on the emulators: the Graph emulator's presence changes, and the time until
/// the WxCC emulator receives the connector's state write. Each invocation is one change, made at a random moment
/// of the poll cycle (as real changes are). Run it with a measurement plan that suits one-shot operations:
/// <c>--filter '*Latency*' --strategy Monitoring --iterationCount 60 --warmupCount 3 --invocationCount 1 --unrollFactor 1</c>.
/// </summary>
[Config(typeof(PercentilesConfig))]
public class LatencyBenchmarks
{
    private GraphEmulator _graph = null!;
    private ContactCenterEmulator _wxcc = null!;
    private WebApplication _app = null!;
    private string _agentId = null!;
    private string _teamsId = null!;
    private string _callCode = null!;
    private bool _inCall;
    private readonly Random _random = new(11);

    /// <summary>How the connector learns of Teams presence.</summary>
    [Params("PollingAuto", "Polling1s", "ChangeNotifications")]
    public string PresenceSource { get; set; } = "Polling1s";

    [GlobalSetup]
    public void Setup() => SetupAsync().GetAwaiter().GetResult();

    [GlobalCleanup]
    public void Cleanup() => CleanupAsync().GetAwaiter().GetResult();

    /// <summary>Waits a random part of the poll interval, so that changes fall anywhere in the cycle.</summary>
    [IterationSetup]
    public void RandomPhase()
    {
        if (PresenceSource == "Polling1s")
        {
            Thread.Sleep(_random.Next(0, 1000));
        }
        else if (PresenceSource == "PollingAuto")
        {
            // One agent: Auto polls at its 250 ms floor.
            Thread.Sleep(_random.Next(0, 250));
        }
    }

    /// <summary>One Teams change (call starts or ends) until WxCC received the resulting state write.</summary>
    [Benchmark]
    public int TeamsChangeToWxccWrite()
    {
        var writes = Writes();
        _inCall = !_inCall;
        if (_inCall)
        {
            _graph.SetPresence(_teamsId, "Busy", "InACall");
        }
        else
        {
            _graph.SetPresence(_teamsId, "Available", "Available");
        }

        var clock = Stopwatch.StartNew();
        while (Writes() == writes)
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(30))
            {
                throw new TimeoutException("The connector did not write the agent's state.");
            }

            Thread.SpinWait(200);
        }

        return Writes();
    }

    private int Writes()
    {
        var count = 0;
        foreach (var write in _wxcc.StateWrites)
        {
            if (write.AgentId == _agentId)
            {
                count++;
            }
        }

        return count;
    }

    private async Task SetupAsync()
    {
        _graph = await GraphEmulator.StartAsync();
        // Measures real-time event latency, so the emulator's websocket carries every agent's events (opt-in).
        _wxcc = await ContactCenterEmulator.StartAsync(new ContactCenterEmulatorOptions { WebSocketScope = ContactCenterWebSocketScope.Organization });
        _callCode = _wxcc.AddIdleCode("Teams - In a call");
        _wxcc.SetDesktopProfile(new DesktopProfile("teams", StateSynchronizationMS: true));
        _agentId = _wxcc.AddAgent(email: "ann@contoso.example", desktopProfileId: "teams");
        _teamsId = _graph.AddUser("Ann Agent", null, null, null, "ann@contoso.example");
        _graph.SetPresence(_teamsId, "Available", "Available");
        _wxcc.SignIn(_agentId, AgentState.Available);

        var port = FreePort();
        var settings = EmulatorSettings.For(_graph, _wxcc);
        settings["TeamsConnector:StateSync:IdleCodes:InACall"] = _callCode;
        settings["TeamsConnector:StateSync:TimerResolution"] = "00:00:00.100";
        if (PresenceSource == "PollingAuto")
        {
            settings["TeamsConnector:Graph:PollInterval"] = "Auto";
        }

        if (PresenceSource == "ChangeNotifications")
        {
            settings["TeamsConnector:Graph:PresenceSource"] = "ChangeNotifications";
            settings["TeamsConnector:Graph:NotificationUrl"] =
                $"http://127.0.0.1:{port}{TeamsConnectorEndpointRouteBuilderExtensions.DefaultPrefix}{TeamsConnectorEndpointRouteBuilderExtensions.GraphNotificationsPath}";
        }

        var builder = WebApplication.CreateBuilder();
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        builder.Services.AddTeamsConnector(builder.Configuration.GetSection("TeamsConnector")).AddGraphPresence().AddWebexContactCenter();
        _app = builder.Build();
        _app.MapTeamsConnector();
        await _app.StartAsync();

        var admin = _app.Services.GetRequiredService<ITeamsConnectorAdmin>();
        var clock = Stopwatch.StartNew();
        while (!(await admin.GetAgentsAsync(CancellationToken.None) is { Count: 1 } agents
                 && agents[0].ObservedPresence is not null && agents[0].LastEventAt is not null
                 && (PresenceSource != "ChangeNotifications" || _graph.Subscriptions.Count > 0)))
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(60))
            {
                throw new TimeoutException("The connector did not start syncing.");
            }

            await Task.Delay(20);
        }
    }

    private async Task CleanupAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        await _graph.DisposeAsync();
        await _wxcc.DisposeAsync();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Adds P50, P95 and P99 columns.</summary>
    private sealed class PercentilesConfig : ManualConfig
    {
        public PercentilesConfig()
        {
            AddColumn(StatisticColumn.P50, StatisticColumn.P95, new PercentileColumn(99));
        }
    }

    private sealed class PercentileColumn(int percentile) : IColumn
    {
        public string Id => "P" + percentile.ToString(CultureInfo.InvariantCulture);

        public string ColumnName => Id;

        public bool AlwaysShow => true;

        public ColumnCategory Category => ColumnCategory.Statistics;

        public int PriorityInCategory => 10;

        public bool IsNumeric => true;

        public UnitType UnitType => UnitType.Time;

        public string Legend => $"Percentile {percentile}";

        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

        public bool IsAvailable(Summary summary) => true;

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
        {
            var statistics = summary[benchmarkCase]?.ResultStatistics;
            return statistics is null ? "NA" : (statistics.Percentiles.Percentile(percentile) / 1_000_000).ToString("F1", CultureInfo.InvariantCulture) + " ms";
        }
    }
}
