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
/// <c>Requests/cycle</c> is measured, not computed: the <c>getPresencesByUserId</c> requests the emulator answered
/// during the benchmark divided by the cycles run (recorded by the benchmark process at cleanup, read by the column).
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
    private long _requestsBefore;
    private long _cycles;
    private string? _method;

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
        _requestsBefore = _graph.RequestCount(GraphEmulatorOperation.GetPresencesByUserId);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _services.Dispose();
        _raw.Dispose();
        _graph.DisposeAsync().AsTask().GetAwaiter().GetResult();
        var requests = _graph.RequestCount(GraphEmulatorOperation.GetPresencesByUserId) - _requestsBefore;
        Console.WriteLine($"// getPresencesByUserId requests: {requests} in {_cycles} cycles of {_method}");
        if (_method is not null && _cycles > 0)
        {
            RequestsPerCycle.Record(_method, requests / (double)_cycles);
        }
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
        Count(nameof(EmulatorOnly));
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
        Count(nameof(Unchanged));
        var (requests, failed) = await _feed.PollOnceAsync(_updates.Writer, CancellationToken.None);
        Drain();
        return failed == 0 ? requests : throw new InvalidOperationException($"{failed} requests failed.");
    }

    [Benchmark]
    public async Task<int> AllChanged()
    {
        Count(nameof(AllChanged));
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

    private void Count(string method)
    {
        _method = method;
        _cycles++;
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
            AddColumn(new PerUserColumn("Requests/cycle", (_, benchmark) => RequestsPerCycle.Read(benchmark.Descriptor.WorkloadMethod.Name) is { } measured
                ? measured.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture)
                : "-"));
            AddColumn(new PerUserColumn("Alloc/user", (summary, benchmark) =>
            {
                var bytes = summary[benchmark]?.GcStats.GetBytesAllocatedPerOperation(benchmark);
                return bytes is { } b ? $"{b / (double)Users:0} B" : "-";
            }));
        }
    }
}

/// <summary>
/// Hands the measured requests per cycle from the benchmark process (which records them at cleanup) to the host
/// process (which shows them in a column): one small file per benchmark method in the temp folder.
/// </summary>
internal static class RequestsPerCycle
{
    private static readonly string s_folder = Path.Combine(Path.GetTempPath(), "webex-teamsconnector-benchmarks");

    public static void Record(string method, double value)
    {
        Directory.CreateDirectory(s_folder);
        File.WriteAllText(PathOf(method), value.ToString("R", System.Globalization.CultureInfo.InvariantCulture));
    }

    public static double? Read(string method) =>
        File.Exists(PathOf(method)) && double.TryParse(File.ReadAllText(PathOf(method)), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var value)
            ? value
            : null;

    private static string PathOf(string method) => Path.Combine(s_folder, "PollingCycle." + method + ".txt");
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
