using System.Diagnostics;
using System.Globalization;

namespace Webex.TeamsConnector.Benchmarks.Audit;

/// <summary>
/// Runs <see cref="AuditBenchmarks"/> in a plain loop, outside BenchmarkDotNet, for a sampling profiler
/// (<c>DOTNET_PerfMapEnabled=1 perf record -g</c>) or a comparison on a busy machine:
/// <c>--audit-loop off|on|loop-only|floor|all|lean &lt;rounds&gt;</c>. Each round builds the engine (and the recorder), plays the
/// 500,000 warm-up events, then the 1,000,000 measured events, and prints the wall and process CPU time per measured
/// event. <c>all</c> alternates the three in each round and ends with each one's fastest round and its ratio to the
/// fastest round without audit (on a shared machine the fastest round is the one least disturbed by others); <c>lean</c>
/// alternates off, the <c>floor</c> control (<see cref="AuditBenchmarks.AuditFloor"/>) and loop-only; <c>session</c>
/// alternates <see cref="SessionAuditBenchmarks"/>' three (the connector's own loop, audit off, loop-only and on), and
/// <c>session-metrics</c> the same with a listener on the connector's metrics.
/// Each round also prints the gen0/1/2 collections, the GC pause time and the thread-pool work items it saw (a writer
/// woken for a buffer is one work item). Controls, the audit trail off with a second thread running beside the loop:
/// <c>spin</c> (arithmetic in registers: CPU on the other core, no memory shared) and <c>alloc</c> (allocating as fast as
/// it can: collections); <c>controls</c> runs off, spin, alloc, loop-only and on.
/// </summary>
internal static class AuditLoop
{
    public const string Switch = "--audit-loop";

    public static int Run(string[] args)
    {
        if (args is not [var mode, var roundsText] || mode is not ("off" or "on" or "loop-only" or "all" or "floor" or "lean" or "spin" or "alloc" or "controls" or "session" or "session-metrics")
            || !int.TryParse(roundsText, NumberStyles.None, CultureInfo.InvariantCulture, out var rounds))
        {
            Console.Error.WriteLine($"usage: {Switch} off|on|loop-only|all|floor|lean|spin|alloc|controls|session|session-metrics <rounds>");
            return 2;
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"audit entry: {System.Runtime.CompilerServices.Unsafe.SizeOf<AuditEntry>()} bytes"));
        var benchmarks = new AuditBenchmarks();
        var session = new SessionAuditBenchmarks();
        if (mode.StartsWith("session", StringComparison.Ordinal))
        {
            session.Metrics = mode == "session-metrics";
            session.Setup();
        }
        else
        {
            benchmarks.Setup();
        }

        string[] modes = mode switch { "all" => ["off", "loop-only", "on"], "lean" => ["off", "floor", "loop-only"], "session" or "session-metrics" => ["session-off", "session-loop-only", "session-on"], "controls" => ["off", "spin", "alloc", "loop-only", "on"], _ => [mode] };
        var best = modes.ToDictionary(m => m, _ => (Wall: double.MaxValue, Cpu: double.MaxValue));
        long sum = 0;
        for (var round = 0; round < rounds; round++)
        {
            foreach (var m in modes)
            {
                var (wallNs, cpuNs, commands) = m.StartsWith("session", StringComparison.Ordinal) ? RunSession(session, m) : RunOnce(benchmarks, m);
                sum += commands;
                best[m] = (Math.Min(best[m].Wall, wallNs), Math.Min(best[m].Cpu, cpuNs));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"round {round} {m}: wall {wallNs:F1} ns/event, cpu {cpuNs:F1} ns/event"));
            }
        }

        foreach (var m in modes)
        {
            var ratio = best[m].Wall / best[modes[0]].Wall;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"fastest {m}: wall {best[m].Wall:F1} ns/event ({ratio:F2}x), cpu {best[m].Cpu:F1} ns/event"));
        }

        return sum > 0 ? 0 : 1;
    }

    private static (double WallNs, double CpuNs, int Commands) RunOnce(AuditBenchmarks benchmarks, string mode)
    {
        using var stop = new CancellationTokenSource();
        Thread? other = null;
        if (mode is "spin" or "alloc")
        {
            other = new Thread(() => Burn(mode == "alloc", stop.Token)) { IsBackground = true };
            other.Start();
        }

        switch (mode)
        {
            case "off" or "spin" or "alloc": benchmarks.SetupOff(); break;
            case "on": benchmarks.SetupOn(); break;
            case "floor": benchmarks.SetupFloor(); break;
            default: benchmarks.SetupLoopOnly(); break;
        }

        var cpu = Environment.CpuUsage.TotalTime;
        var gc0 = GC.CollectionCount(0);
        var gc1 = GC.CollectionCount(1);
        var gc2 = GC.CollectionCount(2);
        var pause = GC.GetTotalPauseDuration();
        var items = ThreadPool.CompletedWorkItemCount;
        var started = Stopwatch.GetTimestamp();
        var commands = mode switch
        {
            "off" or "spin" or "alloc" => benchmarks.AuditOff(),
            "on" => benchmarks.AuditOn(),
            "floor" => benchmarks.AuditFloor(),
            _ => benchmarks.AuditOnLoopOnly(),
        };
        var wallNs = Stopwatch.GetElapsedTime(started).TotalMilliseconds * 1e6 / AuditBenchmarks.MeasuredEvents;
        var cpuNs = (Environment.CpuUsage.TotalTime - cpu).TotalMilliseconds * 1e6 / AuditBenchmarks.MeasuredEvents;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {mode}: gc0 {GC.CollectionCount(0) - gc0}, gc1 {GC.CollectionCount(1) - gc1}, gc2 {GC.CollectionCount(2) - gc2}, pause {(GC.GetTotalPauseDuration() - pause).TotalMilliseconds:F1} ms, thread-pool items {ThreadPool.CompletedWorkItemCount - items}"));
        stop.Cancel();
        other?.Join();
        benchmarks.Cleanup();
        return (wallNs, cpuNs, commands);
    }

    private static (double WallNs, double CpuNs, int Commands) RunSession(SessionAuditBenchmarks benchmarks, string mode)
    {
        switch (mode)
        {
            case "session-off": benchmarks.SetupOff(); break;
            case "session-on": benchmarks.SetupOn(); break;
            default: benchmarks.SetupLoopOnly(); break;
        }

        var cpu = Environment.CpuUsage.TotalTime;
        var started = Stopwatch.GetTimestamp();
        var played = mode switch
        {
            "session-off" => benchmarks.SessionAuditOff(),
            "session-on" => benchmarks.SessionAuditOn(),
            _ => benchmarks.SessionAuditOnLoopOnly(),
        };
        var wallNs = Stopwatch.GetElapsedTime(started).TotalMilliseconds * 1e6 / AuditBenchmarks.MeasuredEvents;
        var cpuNs = (Environment.CpuUsage.TotalTime - cpu).TotalMilliseconds * 1e6 / AuditBenchmarks.MeasuredEvents;
        benchmarks.Cleanup();
        return (wallNs, cpuNs, played);
    }

    public static long Sink;

    private static void Burn(bool allocate, CancellationToken stop)
    {
        long x = 1;
        object? keep = null;
        while (!stop.IsCancellationRequested)
        {
            for (var i = 0; i < 1000; i++)
            {
                if (allocate)
                {
                    keep = new byte[150];
                }
                else
                {
                    x = (x * 6364136223846793005L) + 1442695040888963407L;
                }
            }
        }

        Sink = x + (keep is null ? 0 : 1);
    }
}
