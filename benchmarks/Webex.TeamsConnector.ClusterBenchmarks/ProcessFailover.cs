using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Webex.TeamsConnector.Orleans.Tests;
using Webex.TeamsConnector.Tests.Fakes;
using Webex.TeamsConnector.TestFixtures;

namespace Webex.TeamsConnector.ClusterBenchmarks;

/// <summary>
/// <c>--process-failover [kills] [sample.dll]</c>: three real processes of the sample (<c>--cluster redis=...</c>) on a real
/// redis-server; <c>kill -9</c> the owner of the org, change a Teams presence at once, and time until the new owner's
/// correct WxCC write; a replacement process joins before the next kill. <c>--process-failover [kills] [settle seconds]</c>
/// waits that long after the three processes formed the cluster before the first kill.
/// </summary>
internal static class ProcessFailover
{
    public const string Switch = "--process-failover";

    public static async Task<int> RunAsync(int kills, string sample, TimeSpan settle)
    {
        await using var redis = await RedisServer.StartAsync();
        await using var org = await WorldOrg.StartAsync("org-bench", agents: 1);
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        org.AddSettings(settings);
        var cluster = "bench-" + Guid.NewGuid().ToString("N")[..8];
        var clock = Stopwatch.StartNew();
        var processes = new List<Node>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                processes.Add(Node.Start(sample, redis.Endpoint, cluster, settings, clock));
            }

            await Wait.UntilAsync(() => processes.Count(p => p.Started) == 3 && processes.Any(p => p.RunsSince(TimeSpan.Zero)), "three processes, one runs the org", 120);
            await Task.Delay(settle); // Optionally let the new cluster settle before the first kill (a measurement, not a test).
            var (agent, teams) = org.Agents[0];
            var totals = new List<double>();
            var takeovers = new List<double>();
            for (var k = 0; k < kills; k++)
            {
                var busy = k % 2 == 0;
                var expected = busy ? AgentState.Idle(org.CallCode) : AgentState.Available;
                var owner = processes.Where(p => p.Alive).MaxBy(p => p.LastRun)!;
                var t0 = clock.Elapsed;
                owner.KillHard();
                org.Graph.SetPresence(teams, busy ? "Busy" : "Available", busy ? "InACall" : "Available");
                await Wait.UntilAsync(() => processes.Any(p => p.Alive && p.RunsSince(t0)), "another process runs the org", 120);
                var takeover = (processes.Where(p => p.Alive && p.RunsSince(t0)).Min(p => p.LastRun) - t0).TotalMilliseconds;
                await Wait.UntilAsync(() => org.Wxcc.GetState(agent) == expected, "the new owner wrote the state", 120);
                totals.Add((clock.Elapsed - t0).TotalMilliseconds);
                takeovers.Add(takeover);
                Console.WriteLine(FormattableString.Invariant($"kill -9 {k + 1} at {t0.TotalMilliseconds:F0} ms: takeover {takeover:F0} ms, first correct write {totals[^1]:F0} ms, writes {org.WritesOf(agent)}"));
                var replacement = Node.Start(sample, redis.Endpoint, cluster, settings, clock);
                processes.Add(replacement);
                await Wait.UntilAsync(() => replacement.Started, "the replacement process runs", 120);
            }

            ClusterHarness.Table(totals, takeovers);
            Console.WriteLine(FormattableString.Invariant($"writes for {kills} decisions: {org.WritesOf(agent)}"));
            return 0;
        }
        finally
        {
            foreach (var process in processes)
            {
                await process.DisposeAsync();
            }
        }
    }

    private sealed class Node : IAsyncDisposable
    {
        private static int s_count;
        private readonly Process _process;
        private readonly Stopwatch _clock;
        private readonly ConcurrentQueue<TimeSpan> _runs = new();
        private StreamWriter? _log;

        private Node(Process process, Stopwatch clock)
        {
            _process = process;
            _clock = clock;
        }

        public bool Started { get; private set; }

        public bool Alive { get; private set; } = true;

        public TimeSpan LastRun => _runs.IsEmpty ? TimeSpan.MinValue : _runs.Max();

        public bool RunsSince(TimeSpan since) => _runs.Any(r => r >= since);

        public static Node Start(string sample, string redis, string cluster, IReadOnlyDictionary<string, string?> settings, Stopwatch clock)
        {
            var start = SampleClusterCommand.Create(sample, redis, cluster, settings);
            var process = Process.Start(start) ?? throw new InvalidOperationException("The sample did not start.");
            var node = new Node(process, clock);
            if (Environment.GetEnvironmentVariable("TEAMSCONNECTOR_BENCH_LOGS") is { Length: > 0 } logs)
            {
                // Each process's output, stamped with the harness clock, for reading a slow failover afterwards.
                Directory.CreateDirectory(logs);
                node._log = new StreamWriter(Path.Combine(logs, FormattableString.Invariant($"node-{Interlocked.Increment(ref s_count)}-pid{process.Id}.log"))) { AutoFlush = true };
            }

            process.OutputDataReceived += (_, e) => node.Add(e.Data);
            process.ErrorDataReceived += (_, e) => node.Add(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            return node;
        }

        public void KillHard()
        {
            Alive = false;
            _process.Kill(entireProcessTree: true);
        }

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            await _process.WaitForExitAsync();
            _process.Dispose();
            if (_log is { } log)
            {
                lock (log)
                {
                    _log = null;
                    log.Dispose();
                }
            }
        }

        private void Add(string? line)
        {
            if (line is null)
            {
                return;
            }

            if (_log is { } log)
            {
                lock (log)
                {
                    if (_log is not null)
                    {
                        log.WriteLine(FormattableString.Invariant($"{_clock.Elapsed.TotalMilliseconds:F0} {line}"));
                    }
                }
            }

            if (line.Contains("runs on silo", StringComparison.Ordinal))
            {
                _runs.Enqueue(_clock.Elapsed);
            }
            else if (line.Contains("is running against the configured services", StringComparison.Ordinal))
            {
                Started = true;
            }

            Wait.Pulse.Raise();
        }
    }
}
