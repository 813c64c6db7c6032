using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Webex.TeamsConnector.AspNetCore;
using Webex.TeamsConnector.Testing;

namespace Webex.TeamsConnector.Benchmarks.Memory;

/// <summary>
/// A measured harness, run outside BenchmarkDotNet: starts the real endpoint host on loopback (with the emulators
/// behind it), opens many connections that each declare and send a Graph notification body just under the limit
/// and then hold the connection without its last byte, and reports the process's resident memory when idle, at its
/// peak and after a full garbage collection once the connections are closed.
/// <c>dotnet run -c Release --project benchmarks/Webex.TeamsConnector.Benchmarks -- --webhook-memory [connections] [holdSeconds] [rounds]</c>
/// </summary>
internal static class WebhookMemoryHarness
{
    public const string Switch = "--webhook-memory";

    public static async Task<int> RunAsync(string[] args)
    {
        var connections = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100;
        var hold = TimeSpan.FromSeconds(args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 3);
        var rounds = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 3;

        await using var graph = await GraphEmulator.StartAsync();
        await using var wxcc = await ContactCenterEmulator.StartAsync();
        var port = FreePort();
        var path = TeamsConnectorEndpointRouteBuilderExtensions.DefaultPrefix + TeamsConnectorEndpointRouteBuilderExtensions.GraphNotificationsPath;
        var settings = EmulatorSettings.For(graph, wxcc);
        settings["TeamsConnector:Graph:PresenceSource"] = "ChangeNotifications";
        settings["TeamsConnector:Graph:NotificationUrl"] = $"http://127.0.0.1:{port}{path}";
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        if (Environment.GetEnvironmentVariable("HARNESS_KESTREL_BUFFER") is { Length: > 0 } kb)
        {
            builder.WebHost.ConfigureKestrel(o => o.Limits.MaxRequestBufferSize = long.Parse(kb, CultureInfo.InvariantCulture));
        }

        builder.Services.AddTeamsConnector(builder.Configuration.GetSection("TeamsConnector")).AddGraphPresence().AddWebexContactCenter();
        await using var app = builder.Build();
        app.MapTeamsConnector();
        await app.StartAsync();
        var limit = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Webex.TeamsConnector.Graph.GraphOptions>>().Value.MaxNotificationBodyBytes;

        // Each connection declares limit - 1 bytes and sends all but the last one: the server must hold the rest. The
        // clients' one shared body is made before the idle measure, so that the figures are the server's.
        var declared = limit - 1;
        var body = new byte[declared - 1];
        body.AsSpan().Fill((byte)' ');

        // Warm the endpoint with one ordinary request, then measure idle.
        using (var http = new HttpClient())
        using (await http.PostAsync(new Uri($"http://127.0.0.1:{port}{path}"), new StringContent("{\"value\":[]}", Encoding.UTF8, "application/json")))
        {
        }

        FullCollect();
        var idle = Rss();
        ResetPeak();

        var culture = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(culture, $"limit {limit} B; {connections} connections each declaring {declared} B and holding after {declared - 1} B; held {hold.TotalSeconds:0.#} s; {rounds} rounds"));
        Console.WriteLine("| round | RSS idle | RSS peak | peak over idle | RSS after full GC | after GC over idle | GC heap committed at peak / after | LOH / pinned heap after | answered while held |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        for (var round = 1; round <= rounds; round++)
        {
            var result = await RoundAsync(port, path, declared, body, connections, hold);
            Console.WriteLine(string.Create(culture, $"| {round} | {Mb(idle)} | {Mb(result.Peak)} | {Mb(result.Peak - idle)} | {Mb(result.After)} | {Mb(result.After - idle)} | {Mb(result.PeakCommitted)} / {Mb(result.AfterCommitted)} | {Mb(result.Loh)} / {Mb(result.Pinned)} | {result.Answered} |"));
        }

        await app.StopAsync();
        return 0;
    }

    private static async Task<RoundResult> RoundAsync(int port, string path, int declared, byte[] body, int connections, TimeSpan hold)
    {
        ResetPeak();
        var clients = new List<TcpClient>();
        var answers = new List<Task<int>>();
        var peakCommitted = GC.GetGCMemoryInfo().TotalCommittedBytes;
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < connections; i++)
        {
            var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, port);
            clients.Add(client);
            var stream = client.GetStream();
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {declared}\r\n\r\n"));
            answers.Add(SendAndReadStatusAsync(stream, body));
        }

        var sent = clock.Elapsed;
        var peak = 0L;
        while (clock.Elapsed < sent + hold)
        {
            peak = Math.Max(peak, Rss());
            peakCommitted = Math.Max(peakCommitted, GC.GetGCMemoryInfo().TotalCommittedBytes);
            await Task.Delay(50);
        }

        peak = Math.Max(peak, PeakRss());
        var answered = answers.Where(a => a.IsCompletedSuccessfully && a.Result != 0).GroupBy(a => a.Result).OrderBy(g => g.Key).Select(g => $"{g.Count()} x {g.Key}").ToList();
        clients.ForEach(c => c.Dispose());
        await Task.WhenAll(answers.Select(a => a.ContinueWith(_ => { }, TaskScheduler.Default)));
        await Task.Delay(500); // the server notices the closed connections
        FullCollect();
        var info = GC.GetGCMemoryInfo(GCKind.FullBlocking);
        return new RoundResult(peak, Rss(), peakCommitted, info.TotalCommittedBytes, info.GenerationInfo[3].SizeAfterBytes, info.GenerationInfo[4].SizeAfterBytes, answered.Count == 0 ? "none" : string.Join(", ", answered));
    }

    private static async Task<int> SendAndReadStatusAsync(NetworkStream stream, byte[] body)
    {
        try
        {
            await stream.WriteAsync(body);
            var buffer = new byte[64];
            var length = 0;
            while (length < 12)
            {
                var read = await stream.ReadAsync(buffer.AsMemory(length));
                if (read == 0)
                {
                    return 0;
                }

                length += read;
            }

            return int.Parse(Encoding.ASCII.GetString(buffer, 9, 3), CultureInfo.InvariantCulture);
        }
        catch (Exception exception) when (exception is IOException or ObjectDisposedException or SocketException)
        {
            return 0;
        }
    }

    private static void FullCollect()
    {
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
    }

    private static long Rss() => Status("VmRSS:");

    private static long PeakRss() => Status("VmHWM:");

    /// <summary>Resets the kernel's peak-RSS mark (VmHWM) so that the peak is the load's, not the start-up's.</summary>
    private static void ResetPeak()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static long Status(string field)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith(field, StringComparison.Ordinal))
            {
                return long.Parse(line[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
            }
        }

        return Environment.WorkingSet;
    }

    private static string Mb(long bytes) => (bytes / (1024.0 * 1024.0)).ToString("0", CultureInfo.InvariantCulture) + " MB";

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

internal readonly record struct RoundResult(long Peak, long After, long PeakCommitted, long AfterCommitted, long Loh, long Pinned, string Answered);
