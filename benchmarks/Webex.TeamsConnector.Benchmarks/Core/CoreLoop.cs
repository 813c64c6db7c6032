using System.Diagnostics;
using System.Globalization;

namespace Webex.TeamsConnector.Benchmarks.Core;

/// <summary>
/// Runs one Core benchmark method in a plain loop, outside BenchmarkDotNet, for a sampling profiler or a CPU-time
/// count on Linux (BenchmarkDotNet's ETW profiler is Windows-only). <c>--core-loop &lt;mode&gt; &lt;count&gt;</c>, mode
/// one of <c>engage</c>, <c>owned</c>, <c>stateless</c>, <c>stateless-owned</c> (count = transitions), <c>engine</c> or <c>engine-by-id</c>
/// (count = rounds of the 1,000,000-event warm-up and the 1,000,000 measured events of
/// <see cref="EngineBenchmarks.MixedStream"/>; each round prints the process CPU time and the wall time per measured
/// event, so that a busy machine's waits for a core can be told from the engine's own cost).
/// </summary>
/// <remarks>
/// The cost of one operation is the difference in process CPU time between two counts, divided by the difference in
/// operations: start-up, JIT and set-up cancel out, and the time the process waits for a core on a busy machine is
/// not counted. For example:
/// <c>perf stat -e task-clock dotnet Webex.TeamsConnector.Benchmarks.dll --core-loop engage 10000000</c>, then with
/// 60000000.
/// </remarks>
internal static class CoreLoop
{
    public const string Switch = "--core-loop";

    public static int Run(string[] args)
    {
        if (args is not [var mode, var countText] || !long.TryParse(countText, NumberStyles.None, CultureInfo.InvariantCulture, out var count))
        {
            Console.Error.WriteLine($"usage: {Switch} engage|owned|stateless|stateless-owned|engine|engine-by-id <count>");
            return 2;
        }

        var watch = Stopwatch.StartNew();
        long sum = 0;
        if (mode is "engine" or "engine-by-id")
        {
            var engine = new EngineBenchmarks();
            engine.Setup();
            for (var round = 0; round < count; round++)
            {
                engine.BuildEngine();

                // The measured stream allocates nothing, so no GC thread runs: the process's CPU time is this thread's.
                var cpu = Environment.CpuUsage.TotalTime;
                var allocated = GC.GetAllocatedBytesForCurrentThread();
                var started = Stopwatch.GetTimestamp();
                sum += mode == "engine" ? engine.MixedStream() : engine.MixedStreamById();
                var cpuNs = (Environment.CpuUsage.TotalTime - cpu).TotalMilliseconds * 1e6 / EngineBenchmarks.MeasuredEvents;
                var wallNs = Stopwatch.GetElapsedTime(started).TotalMilliseconds * 1e6 / EngineBenchmarks.MeasuredEvents;
                var bytes = GC.GetAllocatedBytesForCurrentThread() - allocated;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"round {round}: cpu {cpuNs:F1} ns/event, wall {wallNs:F1} ns/event, {bytes} B allocated"));
            }
        }
        else
        {
            var transitions = new TransitionBenchmarks();
            transitions.Setup();

            // As BenchmarkDotNet does before each iteration (and as a long-running host is): the set-up's objects (the
            // rules, the idle code strings) promoted out of gen0, so a store of a reference to them is the write
            // barrier's short path, not the card marking of a young object.
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();

            // One loop per mode, each calling the benchmark method directly (no delegate call in the measured cost).
            switch (mode)
            {
                case "engage":
                    for (long i = 0; i < count; i++)
                    {
                        sum += transitions.Machine();
                    }

                    break;
                case "owned":
                    for (long i = 0; i < count; i++)
                    {
                        sum += transitions.MachineOwned();
                    }

                    break;
                case "stateless":
                    for (long i = 0; i < count; i++)
                    {
                        sum += transitions.Stateless();
                    }

                    break;
                case "stateless-owned":
                    for (long i = 0; i < count; i++)
                    {
                        sum += transitions.StatelessOwned();
                    }

                    break;
                default:
                    Console.Error.WriteLine($"unknown mode '{mode}'");
                    return 2;
            }
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{mode} {count}: {sum} commands, {watch.Elapsed.TotalMilliseconds:F0} ms wall"));
        return 0;
    }
}
