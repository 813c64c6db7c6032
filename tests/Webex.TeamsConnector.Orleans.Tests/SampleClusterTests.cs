using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;
using Webex.TeamsConnector.Tests.Fakes;
using Webex.TeamsConnector.TestFixtures;

namespace Webex.TeamsConnector.Orleans.Tests;

/// <summary>Two real processes of the sample (<c>--cluster redis=...</c>) on the real redis-server, one org on the emulators.</summary>
[Collection("Cluster")]
public class SampleClusterTests
{
    [Fact]
    public async Task SampleCluster_TwoProcessesOverRedis_KillMinus9TheOwner_TheOtherTakesOverWithRightFinalStates()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var org = await WorldOrg.StartAsync("org-sample", agents: 2);
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        org.AddSettings(settings);
        var cluster = "sample-" + Guid.NewGuid().ToString("N")[..8];
        await using var first = SampleProcess.Start(redis.Endpoint, cluster, settings);
        await using var second = SampleProcess.Start(redis.Endpoint, cluster, settings);
        // On any failure, say why: whether each process still runs (a silo declared dead stops itself) and what it logged.
        await ExplainAsync(async () =>
        {
            var (onCall, onCallTeams) = org.Agents[0];
            var (later, laterTeams) = org.Agents[1];

            await Wait.UntilAsync(() => first.Owns || second.Owns, "one process runs the org", 90);
            org.Graph.SetPresence(onCallTeams, "Busy", "InACall");
            await Wait.UntilAsync(() => org.Wxcc.GetState(onCall) == AgentState.Idle(org.CallCode), "the agent on a Teams call is engaged", 30);
            var (owner, survivor) = first.Owns ? (first, second) : (second, first);
            owner.Owns.Should().BeTrue();
            survivor.Owns.Should().BeFalse("exactly one process runs the org");

            owner.KillHard();
            org.Graph.SetPresence(onCallTeams, "Available", "Available");
            org.Graph.SetPresence(laterTeams, "Busy", "InACall");

            await Wait.UntilAsync(() => survivor.Owns, "the surviving process takes the org over", 90);

            await Wait.UntilAsync(
                () => org.Wxcc.GetState(onCall) == AgentState.Available && org.Wxcc.GetState(later) == AgentState.Idle(org.CallCode),
                "every agent is in the rules' state",
                60);
            org.WritesOf(onCall).Should().Be(2, "engaged once, released once");
            org.WritesOf(later).Should().Be(1);
        }, () => [first, second]);
    }

    [Fact]
    public async Task SampleCluster_OwnerKilledWhileTheOnlyOtherSiloIsStillJoining_TheJoinerTakesOverWithinSeconds()
    {
        // The owner is the only active silo when it dies: nobody is active to vote it dead, and the joiner's connectivity
        // check waits until the owner's I-am-alive row is stale (Orleans' defaults: 3 x 30 s, the 90 s failovers).
        await using var redis = await RedisServer.StartAsync();
        await using var org = await WorldOrg.StartAsync("org-joining", agents: 1);
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        org.AddSettings(settings);
        var cluster = "joining-" + Guid.NewGuid().ToString("N")[..8];
        await using var owner = SampleProcess.Start(redis.Endpoint, cluster, settings);
        SampleProcess? joiner = null;
        try
        {
            await ExplainAsync(async () =>
            {
                await Wait.UntilAsync(() => owner.Owns, "the first process runs the org", 90);

                // Killed after its unit reached WxCC, so after it stored the refresh token the token endpoint rotated: a
                // kill between that rotation and the store would leave no valid refresh token for any new owner.
                await Wait.UntilAsync(() => org.Wxcc.WebSocketsAccepted >= 1, "the owner's unit is connected to WxCC", 60);
                joiner = SampleProcess.Start(redis.Endpoint, cluster, settings);
                await Wait.UntilAsync(() => joiner.Logged("is running against the configured services"), "the second process started (its silo joins after)", 60);
                joiner.Owns.Should().BeFalse();

                owner.KillHard();
                var (agent, teams) = org.Agents[0];
                org.Graph.SetPresence(teams, "Busy", "InACall");

                await Wait.UntilAsync(() => joiner.Owns, "the joiner takes the org over well before the owner's I-am-alive row is 90 s old", 20);
                await Wait.UntilAsync(() => org.Wxcc.GetState(agent) == AgentState.Idle(org.CallCode), "the new owner engages the agent", 30);
                org.WritesOf(agent).Should().Be(1);
            }, () => [owner, joiner]);
        }
        finally
        {
            if (joiner is not null)
            {
                await joiner.DisposeAsync();
            }
        }
    }

    [Theory]
    [InlineData("--cluster", "--cluster needs a clustering provider: --cluster redis=host:port")]
    [InlineData("--cluster=consul=127.0.0.1:8500", "--cluster: unknown setting 'consul'")]
    public async Task Sample_ClusterWithoutAClusteringProvider_RefusesToStartAndListsTheError(string option, string error)
    {
        var (exitCode, output) = await RunToEndAsync([option]);

        exitCode.Should().Be(2);
        output.Should().Contain(error);
    }

    [Fact]
    public async Task Sample_ClusterWithSingleOrgKeys_RefusesToStartAndNeverEchoesValues()
    {
        var (exitCode, output) = await RunToEndAsync(
            ["--cluster", "redis=127.0.0.1:1", "--TeamsConnector:ContactCenter:OrgId=org-visible-value", "--TeamsConnector:ContactCenter:ClientSecret=super-secret-value"]);

        exitCode.Should().Be(2);
        output.Should().Contain("The connector runs on Orleans but lists no org: set TeamsConnector:Orgs:<name>:...");
        output.Should().NotContain("super-secret-value").And.NotContain("org-visible-value");
    }

    /// <summary>Runs the test's steps; on a failure, adds each process's state and last lines (with the time each was read).</summary>
    private static async Task ExplainAsync(Func<Task> steps, Func<SampleProcess?[]> processes)
    {
        try
        {
            await steps();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            var logs = string.Join("\n", processes().Where(static p => p is not null).Select(static p => p!.Describe()));
            throw new InvalidOperationException($"{ex.Message}\n{logs}", ex);
        }
    }

    private static async Task<(int ExitCode, string Output)> RunToEndAsync(IEnumerable<string> arguments)
    {
        var sample = typeof(SampleClusterTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "SampleAssembly").Value!;
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(sample);
        start.ArgumentList.Add("--urls=http://127.0.0.1:0");
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(limit.Token);
        return (process.ExitCode, await output + await errors);
    }

    private sealed class SampleProcess : IAsyncDisposable
    {
        private readonly Process _process;
        private static readonly Stopwatch s_clock = Stopwatch.StartNew();
        private static int s_count;
        private readonly ConcurrentQueue<string> _lines = new();
        private readonly int _number = Interlocked.Increment(ref s_count);

        private SampleProcess(Process process) => _process = process;

        /// <summary>Whether this process logged that it runs the org's unit.</summary>
        public bool Owns => Logged("runs on silo");

        /// <summary>Whether this process printed a line holding <paramref name="text"/>.</summary>
        public bool Logged(string text) => _lines.Any(l => l.Contains(text, StringComparison.Ordinal));

        public static SampleProcess Start(string redis, string cluster, IReadOnlyDictionary<string, string?> settings)
        {
            var sample = typeof(SampleClusterTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "SampleAssembly").Value!;
            var start = SampleClusterCommand.Create(sample, redis, cluster, settings);
            var process = Process.Start(start) ?? throw new InvalidOperationException("The sample did not start.");
            var sampleProcess = new SampleProcess(process);
            process.OutputDataReceived += (_, e) => sampleProcess.Add(e.Data);
            process.ErrorDataReceived += (_, e) => sampleProcess.Add(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            return sampleProcess;
        }

        /// <summary>Whether the process still runs and its last lines, for a failure message.</summary>
        public string Describe() =>
            $"process {_number} (pid {_process.Id}) " + (_process.HasExited ? $"exited with {_process.ExitCode}" : "still runs") + ", its last lines:\n" + string.Join("\n", _lines.TakeLast(60));

        /// <summary>kill -9: no shutdown, no deactivation.</summary>
        public void KillHard() => _process.Kill(entireProcessTree: true);

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            await _process.WaitForExitAsync();
            _process.Dispose();
        }

        private void Add(string? line)
        {
            if (line is not null)
            {
                _lines.Enqueue($"[{s_clock.Elapsed.TotalSeconds:F1}s] {line}");
                Wait.Pulse.Raise();
            }
        }
    }
}
