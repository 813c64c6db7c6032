using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Webex.TeamsConnector.Testing;

namespace Webex.TeamsConnector.Benchmarks.Scale;

/// <summary>
/// Starts the connector (Graph polling with <c>PollInterval=Auto</c>, WxCC events by websocket) on the emulators with
/// the real budgets enforced (Graph 1,500 requests per 30 s for every request, each inside a <c>$batch</c> counting;
/// WxCC 300 per minute) and N agents, and measures: the time from start until every agent is synced (its Teams presence
/// read and its WxCC state known) with the requests each service took; the steady-state latency of a Teams change to
/// the WxCC state (p50 / p99); the peak requests in any 30 s (Graph) and any minute (WxCC); memory per agent. A measured
/// harness, outside BenchmarkDotNet (one start per size is the measurement):
/// <c>dotnet run -c Release --project benchmarks/Webex.TeamsConnector.Benchmarks -- --scale 1000 5000 10000 30000 --output benchmarks/results/scale.md</c>.
/// <c>--scale 200</c> is the small mode CI can afford. <c>--settle 61</c> waits that many seconds after every agent is
/// synced before measuring latency, so that the start's reads have left WxCC's sliding minute (steady state).
/// </summary>
internal static class ScaleHarness
{
    public const string Switch = "--scale";

    private static int s_samples = 40;
    private static int s_usersPageSize = 100;
    private static int s_busy;

    public static async Task<int> RunAsync(string[] args)
    {
        var output = args.SkipWhile(a => a != "--output").Skip(1).FirstOrDefault();
        s_samples = int.Parse(args.SkipWhile(a => a != "--samples").Skip(1).FirstOrDefault() ?? "40", CultureInfo.InvariantCulture);
        s_usersPageSize = int.Parse(args.SkipWhile(a => a != "--users-page-size").Skip(1).FirstOrDefault() ?? "100", CultureInfo.InvariantCulture);
        s_busy = int.Parse(args.SkipWhile(a => a != "--busy").Skip(1).FirstOrDefault() ?? "0", CultureInfo.InvariantCulture);
        var settle = TimeSpan.FromSeconds(double.Parse(args.SkipWhile(a => a != "--settle").Skip(1).FirstOrDefault() ?? "0", CultureInfo.InvariantCulture));
        var sizes = args.TakeWhile(a => !a.StartsWith("--", StringComparison.Ordinal)).Select(a => int.Parse(a, CultureInfo.InvariantCulture)).ToList();
        if (sizes.Count == 0)
        {
            sizes = [1_000, 5_000, 10_000, 30_000];
        }

        var results = new List<Result>();
        foreach (var size in sizes)
        {
            Console.WriteLine($"Scale: {size} agents...");
            var result = await RunOneAsync(size, settle).ConfigureAwait(false);
            Console.WriteLine(result.Row());
            results.Add(result);
        }

        var report = Report(results, args);
        Console.WriteLine(report);
        if (output is not null)
        {
            await File.WriteAllTextAsync(output, report).ConfigureAwait(false);
        }

        return results.All(r => r.AllSynced && r.Timeouts == 0 && r.GraphPeak <= 1_500 && r.WxccPeak <= 300) ? 0 : 1;
    }

    private static async Task<Result> RunOneAsync(int agents, TimeSpan settle)
    {
        await using var graph = await GraphEmulator.StartAsync(new GraphEmulatorOptions { ThrottleAllRequests = true }).ConfigureAwait(false);
        await using var wxcc = await ContactCenterEmulator.StartAsync(new ContactCenterEmulatorOptions { WebSocketScope = ContactCenterWebSocketScope.Organization, MaxPageSize = Math.Max(100, s_usersPageSize) }).ConfigureAwait(false);
        var callCode = wxcc.AddIdleCode("Teams - In a call");
        wxcc.SetDesktopProfile(new DesktopProfile("teams", StateSynchronizationMS: true));
        var ids = new (string AgentId, string TeamsId)[agents];
        for (var i = 0; i < agents; i++)
        {
            var mail = string.Create(CultureInfo.InvariantCulture, $"agent{i}@contoso.example");
            ids[i] = (wxcc.AddAgent(email: mail, desktopProfileId: "teams"), graph.AddUser(new EmulatedUser { DisplayName = "Agent " + i, UserPrincipalName = mail }));
            wxcc.SignIn(ids[i].AgentId, AgentState.Available);
        }

        // --busy K: the last K agents (the last read by user order) are in a Teams call when the connector starts.
        var busy = new HashSet<string>(StringComparer.Ordinal);
        for (var i = Math.Max(0, agents - s_busy); i < agents; i++)
        {
            graph.SetPresence(ids[i].TeamsId, "Busy", "InACall");
            busy.Add(ids[i].AgentId);
        }

        var settings = EmulatorSettings.For(graph, wxcc);
        settings["TeamsConnector:Graph:PollInterval"] = "Auto";
        settings["TeamsConnector:StateSync:IdleCodes:InACall"] = callCode;
        settings["TeamsConnector:StateSync:TimerResolution"] = "00:00:00.100";
        settings["TeamsConnector:ContactCenter:UsersPageSize"] = s_usersPageSize.ToString(CultureInfo.InvariantCulture);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.ClearProviders();
        builder.Services.AddTeamsConnector(builder.Configuration.GetSection("TeamsConnector")).AddGraphPresence().AddWebexContactCenter();
        using var host = builder.Build();

        var heapBefore = Heap();
        var workingSetBefore = Environment.WorkingSet;
        var clock = Stopwatch.StartNew();
        await host.StartAsync().ConfigureAwait(false);
        var admin = host.Services.GetRequiredService<ITeamsConnectorAdmin>();
        var firstSynced = TimeSpan.Zero;
        var halfSynced = TimeSpan.Zero;
        var busySynced = TimeSpan.Zero;
        var synced = 0;
        var limit = TimeSpan.FromSeconds(60 + (agents / 50));
        while (clock.Elapsed < limit)
        {
            var snapshot = await admin.GetAgentsAsync(CancellationToken.None).ConfigureAwait(false);
            synced = snapshot.Count(a => a.ObservedPresence is not null && a.LastEventAt is not null);
            if (synced > 0 && firstSynced == TimeSpan.Zero)
            {
                firstSynced = clock.Elapsed;
            }

            if (synced * 2 >= agents && halfSynced == TimeSpan.Zero)
            {
                halfSynced = clock.Elapsed;
            }

            if (busy.Count > 0 && busySynced == TimeSpan.Zero
                && snapshot.Count(a => busy.Contains(a.AgentId) && a.ObservedPresence is not null && a.LastEventAt is not null) == busy.Count)
            {
                busySynced = clock.Elapsed;
            }

            if (synced == agents)
            {
                break;
            }

            await Task.Delay(250).ConfigureAwait(false);
        }

        var allSynced = clock.Elapsed;
        var graphAtSync = graph.Requests.Count(r => r.CountsAgainstBudget);
        var wxccAtSync = wxcc.BudgetedRequests;
        var wxccUserReads = wxcc.RequestCount("v2/user");
        var wxccActivities = wxcc.RequestCount("agents/activities");
        var userReads = graph.RequestCount(GraphEmulatorOperation.ListUsers) + graph.RequestCount(GraphEmulatorOperation.GetUser);

        // Steady state: Teams changes at random moments; the time until WxCC holds the state the rules give. With
        // --settle, after the start's reads have left WxCC's sliding minute.
        await Task.Delay(settle).ConfigureAwait(false);
        var random = new Random(14);
        var latencies = new List<double>();
        var timeouts = 0;
        for (var i = 0; i < s_samples && synced == agents; i++)
        {
            var (agentId, teamsId) = ids[random.Next(agents)];
            await Task.Delay(random.Next(0, 1_000)).ConfigureAwait(false);
            var start = Stopwatch.GetTimestamp();
            try
            {
                graph.SetPresence(teamsId, "Busy", "InACall");
                await wxcc.WaitUntilAsync(w => w.GetAgent(agentId).State == AgentState.Idle(callCode), TimeSpan.FromSeconds(30)).ConfigureAwait(false);
                latencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                graph.SetPresence(teamsId, "Available", "Available");
                await wxcc.WaitUntilAsync(w => w.GetAgent(agentId).State == AgentState.Available, TimeSpan.FromSeconds(30)).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                timeouts++;
                var tracked = (await admin.GetAgentsAsync(CancellationToken.None).ConfigureAwait(false)).Where(a => a.AgentId == agentId).ToList();
                var seen = tracked.Count == 1 ? $"{tracked[0].State} / {tracked[0].Origin} / pending {tracked[0].PendingWrite} / presence {tracked[0].ObservedPresence}" : "not tracked";
                Console.WriteLine($"  timeout: WxCC {wxcc.GetAgent(agentId).State}, connector {seen}; WxCC throttled {wxcc.ThrottledRequests}, writes {wxcc.StateWrites.Count}");
                graph.SetPresence(teamsId, "Available", "Available");
            }
        }

        var heapAfter = Heap();
        var workingSetAfter = Environment.WorkingSet;
        var result = new Result(
            agents,
            synced == agents,
            synced,
            firstSynced,
            halfSynced,
            busy.Count,
            busySynced,
            allSynced,
            graphAtSync,
            userReads,
            wxccAtSync,
            wxccUserReads,
            wxccActivities,
            graph.PeakBudgetedRequests(),
            wxcc.PeakBudgetedRequests(),
            graph.ThrottledRequests,
            wxcc.ThrottledRequests,
            Percentile(latencies, 50),
            Percentile(latencies, 99),
            latencies.Count,
            timeouts,
            (heapAfter - heapBefore) / (double)agents,
            workingSetAfter / (double)agents,
            (workingSetAfter - workingSetBefore) / (double)agents);
        await host.StopAsync().ConfigureAwait(false);
        return result;
    }

    private static long Heap()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    /// <summary>A latency in whole milliseconds, or a dash when none was measured (<c>--samples 0</c>).</summary>
    private static string Ms(double value) => double.IsNaN(value) ? "–" : value.ToString("F0", System.Globalization.CultureInfo.InvariantCulture) + " ms";

    private static double Percentile(List<double> values, int percentile)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = values.Order().ToArray();
        var rank = (int)Math.Ceiling(percentile / 100.0 * sorted.Length) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Length - 1)];
    }

    private static string Report(List<Result> results, string[] args)
    {
        var text = new StringBuilder();
        text.AppendLine("# Scale: start, steady-state latency, budgets and memory at 1,000 to 30,000 agents");
        text.AppendLine();
        text.AppendLine("The connector (Graph polling with `PollInterval=Auto`, WxCC agent events by websocket) on the emulators in one");
        text.AppendLine("process, with the real budgets enforced by the emulators: Graph 1,500 requests per 30 s counting every request");
        text.AppendLine("(each request inside a `$batch` counts; the envelope does not), WxCC 300 requests per minute. Every agent is");
        text.AppendLine("signed in (Available) before the connector starts. *Synced* = the agent's Teams presence has been read and its");
        text.AppendLine("WxCC state is known. Latency: a Teams call starts for a random agent at a random moment; the time until WxCC");
        text.AppendLine($"holds the mapped idle code ({s_samples} changes per size). Memory: managed heap growth from before the");
        text.AppendLine("connector starts (emulators already filled) to after the run, per agent; and the whole process's working set");
        text.AppendLine("(connector, both emulators holding every user and agent, the runtime) per agent.");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Machine: {Environment.ProcessorCount} logical cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}; measured {DateTime.UtcNow:yyyy-MM-dd} (shared with other work).");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Command: `dotnet run -c Release --project benchmarks/Webex.TeamsConnector.Benchmarks -- {string.Join(' ', args)}`");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"WxCC users page size {s_usersPageSize} (`ContactCenter:UsersPageSize`; the emulator serves pages up to {Math.Max(100, s_usersPageSize)}); {s_busy:N0} agents in a Teams call at start (the last by user order).");
        text.AppendLine();
        text.AppendLine("| Agents | All synced | First synced | Half synced | Busy-in-Teams agents synced | All synced after | Graph requests to sync (user reads) | WxCC requests to sync (users / activities) | Peak Graph / 30 s | Peak WxCC / min | Graph 429 | WxCC 429 | Latency p50 | Latency p99 | Heap growth / agent | Working set / agent |");
        text.AppendLine("|---:|:---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in results)
        {
            text.AppendLine(r.Row());
        }

        text.AppendLine();
        text.AppendLine("Targets (issue 14): every agent synced within 60 s at 30,000; p99 at most 400 ms at 1,000 and 5,000 agents;");
        text.AppendLine("never more than 1,500 Graph requests in 30 s nor 300 WxCC requests in a minute; at most 4 KiB per agent at 30,000.");
        return text.ToString();
    }

    private sealed record Result(
        int Agents,
        bool AllSynced,
        int Synced,
        TimeSpan FirstSynced,
        TimeSpan HalfSynced,
        int Busy,
        TimeSpan BusySynced,
        TimeSpan AllSyncedAfter,
        int GraphRequests,
        long UserReads,
        int WxccRequests,
        int WxccUserReads,
        int WxccActivities,
        int GraphPeak,
        int WxccPeak,
        long GraphThrottled,
        long WxccThrottled,
        double P50,
        double P99,
        int Samples,
        int Timeouts,
        double HeapPerAgent,
        double WorkingSetPerAgent,
        double WorkingSetGrowthPerAgent)
    {
        public string Row() => string.Create(
            CultureInfo.InvariantCulture,
            $"| {Agents:N0} | {(AllSynced ? "yes" : $"no ({Synced:N0})")} | {FirstSynced.TotalSeconds:F1} s | {HalfSynced.TotalSeconds:F1} s | {(Busy > 0 ? $"{Busy:N0} after {BusySynced.TotalSeconds:F1} s" : "–")} | {AllSyncedAfter.TotalSeconds:F1} s | {GraphRequests:N0} ({UserReads:N0}) | {WxccRequests:N0} ({WxccUserReads:N0} / {WxccActivities:N0}) | {GraphPeak:N0} | {WxccPeak:N0} | {GraphThrottled} | {WxccThrottled} | {Ms(P50)} | {Ms(P99)}{(Timeouts > 0 ? $" ({Timeouts} of {Samples + Timeouts} changes not synced in 30 s)" : string.Empty)} | {HeapPerAgent / 1024:F2} KiB | {WorkingSetPerAgent / 1024:F1} KiB (+{WorkingSetGrowthPerAgent / 1024:F1} KiB) |");
    }
}
