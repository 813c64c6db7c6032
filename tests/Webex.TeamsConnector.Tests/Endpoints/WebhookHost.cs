using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Webex.TeamsConnector.AspNetCore;
using Webex.TeamsConnector.Testing;

namespace Webex.TeamsConnector.Tests.Endpoints;

/// <summary>
/// The connector's endpoints on a loopback Kestrel, against the emulators, with every log record collected: for the
/// tests that abuse the webhooks with raw sockets (lying lengths, held and slow bodies).
/// </summary>
internal sealed class WebhookHost : IAsyncDisposable
{
    public const string WebhookSecret = "endpoint-webhook-secret-0123456789abcdef012345";

    public const string GraphClientState = "endpoint-graph-client-state-0123456789abcdef";

    private WebhookHost(GraphEmulator graph, ContactCenterEmulator wxcc, WebApplication app, FakeLogCollector logs, int port)
    {
        Graph = graph;
        Wxcc = wxcc;
        App = app;
        Logs = logs;
        Port = port;
        GraphRejections = new MetricCollector<long>(app.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), TeamsConnectorDiagnostics.Name, "webex.teamsconnector.graph.notifications.rejected");
    }

    public GraphEmulator Graph { get; }

    public ContactCenterEmulator Wxcc { get; }

    public WebApplication App { get; }

    public FakeLogCollector Logs { get; }

    public int Port { get; }

    public MetricCollector<long> GraphRejections { get; }

    public static string GraphPath => TeamsConnectorEndpointRouteBuilderExtensions.DefaultPrefix + TeamsConnectorEndpointRouteBuilderExtensions.GraphNotificationsPath;

    public static string WebexPath => TeamsConnectorEndpointRouteBuilderExtensions.DefaultPrefix + TeamsConnectorEndpointRouteBuilderExtensions.WebexEventsPath;

    public static async Task<WebhookHost> StartAsync(Action<KestrelServerOptions>? kestrel = null, int graphBodyLimit = 4096, int wxccBodyLimit = 4096, Action<Dictionary<string, string?>>? settings = null, Action<IServiceCollection>? services = null)
    {
        var graph = await GraphEmulator.StartAsync();
        var wxcc = await ContactCenterEmulator.StartAsync();
        var port = FreePort();
        var values = EmulatorSettings.For(graph, wxcc);
        values["TeamsConnector:ContactCenter:EventSource"] = "Webhook";
        values["TeamsConnector:ContactCenter:WebhookUrl"] = $"http://127.0.0.1:{port}{WebexPath}";
        values["TeamsConnector:ContactCenter:WebhookSecret"] = WebhookSecret;
        values["TeamsConnector:ContactCenter:MaxWebhookBodyBytes"] = wxccBodyLimit.ToString(System.Globalization.CultureInfo.InvariantCulture);
        values["TeamsConnector:Graph:PresenceSource"] = "ChangeNotifications";
        values["TeamsConnector:Graph:NotificationClientState"] = GraphClientState;
        values["TeamsConnector:Graph:NotificationUrl"] = $"http://127.0.0.1:{port}{GraphPath}";
        values["TeamsConnector:Graph:MaxNotificationBodyBytes"] = graphBodyLimit.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings?.Invoke(values);

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(values);
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.WebHost.ConfigureKestrel(options => kestrel?.Invoke(options));
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Debug);
        var logs = new FakeLogCollector();
        builder.Logging.AddProvider(new FakeLoggerProvider(logs));
        builder.Services.AddTeamsConnector(builder.Configuration.GetSection("TeamsConnector")).AddGraphPresence().AddWebexContactCenter();
        services?.Invoke(builder.Services);
        var app = builder.Build();
        app.MapTeamsConnector();
        await app.StartAsync();
        return new WebhookHost(graph, wxcc, app, logs, port);
    }

    /// <summary>The warnings and errors written by the connector's endpoints and by the server.</summary>
    public IReadOnlyList<FakeLogRecord> Problems() =>
        Logs.GetSnapshot().Where(r => r.Level >= LogLevel.Warning && (r.Category ?? "").StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal)
            || r.Level >= LogLevel.Warning && r.Exception is not null
            || r.Level >= LogLevel.Warning && (r.Category ?? "").Contains("Webhook", StringComparison.Ordinal)
            || r.Level >= LogLevel.Warning && (r.Category ?? "").Contains("NotificationProcessor", StringComparison.Ordinal)).ToList();

    /// <summary>Opens a raw connection and sends the request head and the given part of a body, leaving it open.</summary>
    public async Task<RawRequest> SendAsync(string path, string headers, byte[] body)
    {
        var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, Port);
        var stream = client.GetStream();
        var head = $"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{Port}\r\nContent-Type: application/json\r\n{headers}\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
        if (body.Length > 0)
        {
            await stream.WriteAsync(body);
        }

        await stream.FlushAsync();
        return new RawRequest(client);
    }

    public async ValueTask DisposeAsync()
    {
        GraphRejections.Dispose();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await App.StopAsync(stop.Token);
        await App.DisposeAsync();
        await Graph.DisposeAsync();
        await Wxcc.DisposeAsync();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>A request on a raw connection that the test holds open.</summary>
internal sealed class RawRequest(TcpClient client) : IDisposable
{
    /// <summary>Waits for the status line of the response (the server's answer is the event; the timeout fails the test).</summary>
    public async Task<int> StatusAsync(int timeoutSeconds = 15)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(timeoutSeconds));
        var buffer = new byte[256];
        var length = 0;
        var stream = client.GetStream();
        try
        {
            while (length < 12)
            {
                var read = await stream.ReadAsync(buffer.AsMemory(length), timeout.Token);
                if (read == 0)
                {
                    throw new IOException("The server closed the connection without an answer.");
                }

                length += read;
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException("The server did not answer while the connection was held.");
        }

        // "HTTP/1.1 413 ..."
        return int.Parse(Encoding.ASCII.GetString(buffer, 9, 3), System.Globalization.CultureInfo.InvariantCulture);
    }

    public Task SendAsync(byte[] bytes) => client.GetStream().WriteAsync(bytes).AsTask();

    public void Dispose() => client.Dispose();
}
