using System.Threading.Channels;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Microsoft.Extensions.DependencyInjection;
using Webex.TeamsConnector.Graph;
using Webex.TeamsConnector.Testing;

namespace Webex.TeamsConnector.Benchmarks.Graph;

/// <summary>
/// One polling cycle for 10,000 watched users against the loopback <see cref="GraphEmulator"/> through the real
/// Microsoft.Graph SDK: 16 <c>getPresencesByUserId</c> requests of at most 650 ids, the JSON of 10,000 presences
/// deserialized, and change detection. <c>Unchanged</c>: nobody's presence moved (the usual cycle).
/// <c>AllChanged</c>: every user changed, so 10,000 events are emitted. <c>EmulatorOnly</c> sends the same 16
/// requests with a plain <see cref="HttpClient"/> and pre-built bodies and discards the answers: the cost of the
/// in-process emulator and HTTP alone. Allocations are those of the whole process (emulator included);
/// <c>Alloc/user</c> divides them by 10,000, and the adapter's own share is the difference to <c>EmulatorOnly</c>.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(PerUserColumns))]
public class PollingCycleBenchmarks
{
    public const int Users = 10_000;

    private GraphEmulator _graph = null!;
    private ServiceProvider _services = null!;
    private PollingPresenceFeed _feed = null!;
    private IReadOnlyList<string> _ids = null!;
    private Channel<TeamsPresenceUpdate> _updates = null!;
    private bool _busy;
    private HttpClient _raw = null!;
    private byte[][] _bodies = null!;

    [GlobalSetup]
    public void Setup()
    {
        // A benchmark runs far more cycles than Graph's budget allows: lift it on both sides.
        _graph = GraphEmulator.StartAsync(new GraphEmulatorOptions { PresenceRequestsPerWindow = int.MaxValue }).GetAwaiter().GetResult();
        _ids = _graph.AddUsers(Users);
        _services = GraphBenchmarkHost.Build(_graph.BaseUrl, extra: new() { ["TeamsConnector:Graph:RequestsPerWindow"] = "1000000" });
        _feed = _services.GetRequiredService<PollingPresenceFeed>();
        _feed.SetWatchedUsers(_ids);
        _updates = Channel.CreateUnbounded<TeamsPresenceUpdate>(new UnboundedChannelOptions { SingleReader = true });
        _feed.PollOnceAsync(_updates.Writer, CancellationToken.None).GetAwaiter().GetResult();
        Drain();
        _raw = new HttpClient { BaseAddress = new Uri(_graph.BaseUrl + "/") };
        _bodies = [.. _ids.Chunk(650).Select(batch => System.Text.Encoding.UTF8.GetBytes("{\"ids\":[" + string.Join(',', batch.Select(id => "\"" + id + "\"")) + "]}"))];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _services.Dispose();
        _raw.Dispose();
        _graph.DisposeAsync().AsTask().GetAwaiter().GetResult();
        var requests = _graph.RequestCount(GraphEmulatorOperation.GetPresencesByUserId);
        Console.WriteLine($"// getPresencesByUserId requests: {requests} ({Users} users, at most 650 ids each: {(Users + 649) / 650} per cycle)");
    }

    [IterationSetup(Target = nameof(AllChanged))]
    public void ChangeEveryone()
    {
        _busy = !_busy;
        foreach (var id in _ids)
        {
            _graph.SetPresence(id, _busy ? "Busy" : "Available", _busy ? "InACall" : "Available");
        }
    }

    [Benchmark]
    public async Task<int> EmulatorOnly()
    {
        var tasks = new Task<long>[_bodies.Length];
        for (var i = 0; i < _bodies.Length; i++)
        {
            tasks[i] = PostAsync(_bodies[i]);
        }

        var bytes = 0L;
        foreach (var task in tasks)
        {
            bytes += await task;
        }

        return (int)bytes;
    }

    [Benchmark(Baseline = true)]
    public async Task<int> Unchanged()
    {
        var (requests, failed) = await _feed.PollOnceAsync(_updates.Writer, CancellationToken.None);
        Drain();
        return failed == 0 ? requests : throw new InvalidOperationException($"{failed} requests failed.");
    }

    [Benchmark]
    public async Task<int> AllChanged()
    {
        var (requests, failed) = await _feed.PollOnceAsync(_updates.Writer, CancellationToken.None);
        var emitted = Drain();
        return failed == 0 && emitted == Users ? requests : throw new InvalidOperationException($"{failed} requests failed; {emitted} changes.");
    }

    private async Task<long> PostAsync(byte[] body)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        using var response = await _raw.PostAsync("communications/getPresencesByUserId", content);
        response.EnsureSuccessStatusCode();
        await using var stream = await response.Content.ReadAsStreamAsync();
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(16 * 1024);
        long total = 0;
        int read;
        while ((read = await stream.ReadAsync(buffer)) > 0)
        {
            total += read;
        }

        System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        return total;
    }

    private int Drain()
    {
        var count = 0;
        while (_updates.Reader.TryRead(out _))
        {
            count++;
        }

        return count;
    }

    private sealed class PerUserColumns : ManualConfig
    {
        public PerUserColumns()
        {
            AddColumn(new PerUserColumn("Requests/cycle", (_, _) => ((Users + 649) / 650).ToString(System.Globalization.CultureInfo.InvariantCulture)));
            AddColumn(new PerUserColumn("Alloc/user", (summary, benchmark) =>
            {
                var bytes = summary[benchmark]?.GcStats.GetBytesAllocatedPerOperation(benchmark);
                return bytes is { } b ? $"{b / (double)Users:0} B" : "-";
            }));
        }
    }
}

/// <summary>A column computed from the summary.</summary>
internal sealed class PerUserColumn(string name, Func<Summary, BenchmarkCase, string> value) : IColumn
{
    public string Id => "Webex." + name;

    public string ColumnName => name;

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => false;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => name;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => value(summary, benchmarkCase);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public bool IsAvailable(Summary summary) => true;
}
