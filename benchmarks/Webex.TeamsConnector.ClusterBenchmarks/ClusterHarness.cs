using System.Diagnostics;
using System.Globalization;
using Webex.TeamsConnector.Orleans.Tests;
using Webex.TeamsConnector.Tests.Fakes;

namespace Webex.TeamsConnector.ClusterBenchmarks;

/// <summary>
/// Cluster measurements outside BenchmarkDotNet, on the cluster tests' world (in-process silos over a real
/// redis-server, emulators on 127.0.0.1):
/// <c>--cluster-failover [kills]</c>: kill the silo that owns the org, change a Teams presence at once, and time until
/// the new owner's correct WxCC write (split into the takeover, when the grain runs again elsewhere, and the rest);
/// <c>--cluster-orgs [orgs] [agents] [silos]</c>: steady-state Teams changes handled per second and managed memory per
/// agent, for many small orgs on a cluster or one big org.
/// </summary>
public static class ClusterHarness
{
    public const string FailoverSwitch = "--cluster-failover";
    public const string OrgsSwitch = "--cluster-orgs";

    public static async Task<int> Main(string[] args)
    {
        if (args is [ProcessFailover.Switch, ..])
        {
            return await ProcessFailover.RunAsync(
                args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 20,
                SampleDll(),
                TimeSpan.FromSeconds(args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 0));
        }

        if (args is not [FailoverSwitch or OrgsSwitch, ..])
        {
            Console.Error.WriteLine($"Usage: {ProcessFailover.Switch} [kills] [settle seconds] | {FailoverSwitch} [kills] | {OrgsSwitch} [orgs] [agents per org] [silos]");
            return 2;
        }

        int Arg(int index, int fallback) => args.Length > index ? int.Parse(args[index], CultureInfo.InvariantCulture) : fallback;
        return args[0] == FailoverSwitch
            ? await FailoverAsync(Arg(1, 20))
            : await OrgsAsync(Arg(1, 100), Arg(2, 100), Arg(3, 3));
    }

    private static async Task<int> FailoverAsync(int kills)
    {
        await using var world = await ClusterWorld.StartAsync(silos: 3, orgs: 1, agentsPerOrg: 1);
        await world.WaitForOneUnitPerOrgAsync(60);
        var org = world.Orgs[0];
        var (agent, teams) = org.Agents[0];
        var takeovers = new List<double>();
        var totals = new List<double>();
        for (var i = 0; i < kills; i++)
        {
            var busy = i % 2 == 0;
            var expected = busy ? AgentState.Idle(org.CallCode) : AgentState.Available;
            var owner = world.RunningOn(org).Single();
            var clock = Stopwatch.StartNew();
            await world.Cluster.KillSiloAsync(owner);
            org.Graph.SetPresence(teams, busy ? "Busy" : "Available", busy ? "InACall" : "Available");
            await Wait.UntilAsync(() => world.RunningOn(org) is [var next] && next.SiloAddress != owner.SiloAddress, "another silo runs the org", 120);
            var takeover = clock.Elapsed.TotalMilliseconds;
            await Wait.UntilAsync(() => org.Wxcc.GetState(agent) == expected, "the new owner wrote the state", 120);
            totals.Add(clock.Elapsed.TotalMilliseconds);
            takeovers.Add(takeover);
            Console.WriteLine(FormattableString.Invariant($"kill {i + 1}: takeover {takeover:F0} ms, first correct write {totals[^1]:F0} ms, writes {org.WritesOf(agent)}"));
            await world.Cluster.StartAdditionalSiloAsync();
            await world.WaitForOneUnitPerOrgAsync(60);
        }

        Table(totals, takeovers);
        Console.WriteLine(FormattableString.Invariant($"writes for {kills} decisions: {org.WritesOf(agent)}"));
        return 0;
    }

    private static async Task<int> OrgsAsync(int orgs, int agents, int silos)
    {
        GC.Collect();
        var before = GC.GetTotalMemory(forceFullCollection: true);
        await using var world = await ClusterWorld.StartAsync(silos: silos, orgs: orgs, agentsPerOrg: agents, requestsPerMinute: 100_000);
        await world.WaitForOneUnitPerOrgAsync(300);
        var total = orgs * agents;
        await Wait.UntilAsync(() => world.Orgs.Sum(o => o.Wxcc.StateWrites.Count) >= 0 && Tracked(world) == total, "every agent is tracked", 600);
        GC.Collect();
        var running = GC.GetTotalMemory(forceFullCollection: true);

        var rounds = 4;
        var clock = Stopwatch.StartNew();
        for (var round = 0; round < rounds; round++)
        {
            var busy = round % 2 == 0;
            foreach (var org in world.Orgs)
            {
                foreach (var (_, teams) in org.Agents)
                {
                    org.Graph.SetPresence(teams, busy ? "Busy" : "Available", busy ? "InACall" : "Available");
                }
            }

            await Wait.UntilAsync(
                () => world.Orgs.All(o => o.Agents.All(a => o.Wxcc.GetState(a.AgentId) == (busy ? AgentState.Idle(o.CallCode) : AgentState.Available))),
                $"round {round + 1} applied",
                600);
        }

        var seconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine(FormattableString.Invariant($"orgs {orgs} x agents {agents} on {silos} silo(s): {rounds * total / seconds:F0} Teams changes applied per second ({rounds} rounds of {total} in {seconds:F1} s)"));
        // The emulators live in this process too: the growth is an upper bound of the connector's memory per agent.
        Console.WriteLine(FormattableString.Invariant($"managed memory after sync: {(running - before) / 1024.0 / 1024:F1} MiB over the start (emulators, silos and connectors) = {(running - before) / (double)total / 1024:F2} KiB per agent, at most; process working set {Environment.WorkingSet / 1024.0 / 1024:F0} MiB"));
        return 0;
    }

    /// <summary>Prints p50/p99/max of the failover times, split into Orleans' takeover and the rest.</summary>
    public static void Table(List<double> totals, List<double> takeovers)
    {
        var ours = takeovers.Zip(totals, static (t, w) => w - t).ToList();
        Console.WriteLine();
        Console.WriteLine("| measure (ms) | p50 | p99 | max |");
        Console.WriteLine("|---|---:|---:|---:|");
        Row("kill -> first correct WxCC write by the new owner", totals);
        Row("kill -> org's unit running on another node (Orleans: failure detection, placement, activation)", takeovers);
        Row("unit running -> first correct write (ours: container, roster, first poll, write)", ours);
    }

    private static string SampleDll() =>
        Path.Combine(AppContext.BaseDirectory, "../../../../../samples/Webex.TeamsConnector.Sample/bin/Release/net10.0/Webex.TeamsConnector.Sample.dll");

    private static int Tracked(ClusterWorld world) =>
        world.Cluster.Silos.Sum(s => world.Activations(s).OrgIds.Sum(id => world.Activations(s).Find(id)?.Connector.Runtime.TrackedAgents ?? 0));

    private static void Row(string name, List<double> values)
    {
        var sorted = values.Order().ToList();
        double At(double p) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
        Console.WriteLine(FormattableString.Invariant($"| {name} | {At(0.50):F0} | {At(0.99):F0} | {sorted[^1]:F0} |"));
    }
}
