using System.Threading.Channels;
using Webex.TeamsConnector.TestFixtures;
using Webex.TeamsConnector.Testing;

namespace Webex.TeamsConnector.ContactCenter.Tests.Events;

/// <summary>
/// The start at scale: the feed's first reconciliation uses the roster's users read, hands states over per activities
/// request, and reads the agents marked first (busy in Teams) before the others.
/// </summary>
public sealed class StartAtScaleTests
{
    [Fact]
    public async Task Run_AfterTheRosterReadTheUsers_ReconcilesWithoutReadingThemAgain()
    {
        await using var h = await Harness.StartAsync();
        var agents = SignInAgents(h, 250);
        await h.Directory.GetUsersAsync(CancellationToken.None); // the roster's read
        h.Wxcc.RequestCount("v2/user").Should().Be(3);

        h.RunFeed();
        await h.WaitForReconciliationAsync();

        h.Wxcc.RequestCount("v2/user").Should().Be(3, "the reconciliation used the roster's read");
        h.Wxcc.RequestCount("agents/activities").Should().Be(3);
        var seen = new HashSet<string>();
        while (h.Events.Reader.TryRead(out var e))
        {
            seen.Add(e.AgentId);
        }

        seen.Should().BeEquivalentTo(agents);
        h.Logs.GetSnapshot().Should().Contain(r => r.Id.Id == 4064);
    }

    [Fact]
    public async Task Run_LaterReconciliation_ReadsTheUsersAgainAndFindsANewAgent()
    {
        await using var h = await Harness.StartAsync();
        SignInAgents(h, 20);
        await h.Directory.GetUsersAsync(CancellationToken.None);
        h.RunFeed();
        await h.WaitForReconciliationAsync();
        var newcomer = h.Wxcc.AddAgent();
        h.Wxcc.SignIn(newcomer, AgentState.Available);

        h.Feed.RequestReconciliation();
        await h.WaitForReconciliationAsync(2);

        h.Wxcc.RequestCount("v2/user").Should().Be(2, "one read at start (shared), one by the second reconciliation");
        (await h.EventAsync(e => e.AgentId == newcomer)).Event.State.Should().Be(AgentState.Available);

        // The roster refresh always reads the users itself.
        await h.Directory.GetUsersAsync(CancellationToken.None);
        h.Wxcc.RequestCount("v2/user").Should().Be(3);
    }

    [Fact]
    public async Task Run_WithoutAnEarlierUsersRead_ReadsTheUsersItself()
    {
        await using var h = await Harness.StartAsync();
        var agents = SignInAgents(h, 5);

        h.RunFeed();
        await h.WaitForReconciliationAsync();

        h.Wxcc.RequestCount("v2/user").Should().Be(1);
        var seen = new HashSet<string>();
        while (h.Events.Reader.TryRead(out var e))
        {
            seen.Add(e.AgentId);
        }

        seen.Should().BeEquivalentTo(agents);
    }

    [Fact]
    public async Task Run_ManyAgents_FirstGroupIsPassedOnBeforeTheLastGroupIsRead()
    {
        await using var h = await Harness.StartAsync();
        var agents = SignInAgents(h, 250);
        await h.Directory.GetUsersAsync(CancellationToken.None);

        // A channel of one: the feed can only go on once the test has taken what it passed on.
        var events = Channel.CreateBounded<AgentFeedEvent>(1);
        using var stop = new CancellationTokenSource();
        var run = h.Feed.RunAsync(events.Writer, stop.Token);

        var first = await events.Reader.ReadAsync().AsTask().WaitAsync(Harness.Wait);

        // The first group's state arrived while only its own request has been made (before: after all three).
        h.Wxcc.RequestCount("agents/activities").Should().Be(1);
        var seen = new HashSet<string> { first.AgentId };
        while (seen.Count < agents.Count)
        {
            seen.Add((await events.Reader.ReadAsync().AsTask().WaitAsync(Harness.Wait)).AgentId);
        }

        seen.Should().BeEquivalentTo(agents);
        await h.WaitForReconciliationAsync();
        h.Wxcc.RequestCount("agents/activities").Should().Be(3);
        await stop.CancelAsync();
        await run.WaitAsync(Harness.Wait);
    }

    [Fact]
    public async Task Run_AgentMarkedWhileTheFirstGroupIsPassedOn_IsInTheNextRequest()
    {
        await using var h = await Harness.StartAsync();
        var agents = SignInAgents(h, 250);
        await h.Directory.GetUsersAsync(CancellationToken.None);
        var marked = agents[^1]; // by order, in the third request
        var events = Channel.CreateBounded<AgentFeedEvent>(1);
        using var stop = new CancellationTokenSource();
        var run = h.Feed.RunAsync(events.Writer, stop.Token);

        var first = await events.Reader.ReadAsync().AsTask().WaitAsync(Harness.Wait);
        h.Feed.StartPriority.Mark(marked); // its Teams presence asks for a decision
        var order = new List<string> { first.AgentId };
        while (order.Count < agents.Count)
        {
            order.Add((await events.Reader.ReadAsync().AsTask().WaitAsync(Harness.Wait)).AgentId);
        }

        order.IndexOf(marked).Should().BeInRange(100, 199, "the second request carried the marked agent");
        order.Take(100).Should().BeEquivalentTo(agents.Take(100));
        await h.WaitForReconciliationAsync();
        h.Feed.StartPriority.IsOpen.Should().BeFalse("the first reconciliation has ended");
        h.Wxcc.RequestCount("agents/activities").Should().Be(3);
        await stop.CancelAsync();
        await run.WaitAsync(Harness.Wait);
    }

    [Fact]
    public async Task Run_AgentsMarkedBeforeTheStart_AreInTheFirstRequest()
    {
        await using var h = await Harness.StartAsync();
        var agents = SignInAgents(h, 250);
        var marked = agents.Skip(200).ToList();
        foreach (var agent in marked)
        {
            h.Feed.StartPriority.Mark(agent);
        }

        h.Feed.StartPriority.Mark("not-an-agent-of-this-org"); // never asked about
        var events = Channel.CreateBounded<AgentFeedEvent>(1);
        using var stop = new CancellationTokenSource();
        var run = h.Feed.RunAsync(events.Writer, stop.Token);

        var order = new List<string>();
        while (order.Count < agents.Count)
        {
            order.Add((await events.Reader.ReadAsync().AsTask().WaitAsync(Harness.Wait)).AgentId);
        }

        order.Take(100).Should().Contain(marked);
        order.Should().OnlyHaveUniqueItems().And.BeEquivalentTo(agents);
        await h.WaitForReconciliationAsync();
        h.Wxcc.RequestCount("agents/activities").Should().Be(3);
        await stop.CancelAsync();
        await run.WaitAsync(Harness.Wait);
    }

    [Fact]
    public async Task Run_WebSocketMode_ReconcilesOnceAtStart_AfterTheSocketIsWelcomed()
    {
        await using var h = await Harness.StartAsync(Harness.OrganizationWideWebSocket, settings: new() { ["EventSource"] = "WebSocket" });
        var agents = SignInAgents(h, 150);
        await h.Directory.GetUsersAsync(CancellationToken.None);
        var start = h.Time.GetUtcNow();
        var finished = new System.Collections.Concurrent.ConcurrentQueue<(DateTimeOffset At, int Connections, int UserReads, int ActivityReads)>();
        h.Feed.Reconciled += _ => finished.Enqueue((h.Time.GetUtcNow(), h.WebSocket.Connections, h.Wxcc.RequestCount("v2/user"), h.Wxcc.RequestCount("agents/activities")));

        h.RunFeed();
        await h.WaitForReconciliationAsync();
        h.Time.Advance(h.Options.ReconciliationInterval);
        await h.WaitForReconciliationAsync(2);

        // The first reconciliation came after the welcome, on the roster's two pages of users and two activities
        // requests; the second only when the interval had passed (before, the welcome asked for a second one at once).
        finished.Should().HaveCountGreaterThanOrEqualTo(2);
        finished.First().Should().Be((start, 1, 2, 2));
        finished.ElementAt(1).At.Should().Be(start + h.Options.ReconciliationInterval);
        var log = h.Wxcc.RequestLog.Select(r => r.Path).ToList();
        log.FindIndex(p => p.Contains("notification/subscribe", StringComparison.Ordinal))
            .Should().BeLessThan(log.FindIndex(p => p.Contains("agents/activities", StringComparison.Ordinal)));
        var seen = new HashSet<string>();
        while (h.Events.Reader.TryRead(out var e))
        {
            seen.Add(e.AgentId);
        }

        seen.Should().BeEquivalentTo(agents);
    }

    [Fact]
    public async Task Run_ReconciliationFails_IsTriedAgainWithinSeconds_NotAfterTheInterval()
    {
        // Found by the storm fault test: 503s failed the start's reconciliation, the next came only after
        // ReconciliationInterval (5 minutes), and until then no agent's state was known, so none was synced.
        var time = new DelaySignallingTimeProvider(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero));
        await using var h = await Harness.StartAsync(time: time);
        var agents = SignInAgents(h, 5);
        h.Wxcc.Faults.ServiceUnavailable = 1_000;
        var start = h.Time.GetUtcNow();
        var reconciled = h.WaitForReconciliationAsync();
        h.RunFeed();

        // Each delay the code starts on the fake clock (a read's retry, the feed's back-off) is run out once its timer
        // exists, never the reconciliation interval; WxCC recovers once the first failure is logged.
        var delay = time.Delays.Reader.ReadAsync().AsTask();
        while (await Task.WhenAny(reconciled, delay).WaitAsync(TimeSpan.FromSeconds(30)) == delay)
        {
            var due = await delay;
            delay = time.Delays.Reader.ReadAsync().AsTask();
            if (h.Logs.GetSnapshot().Any(r => r.Id.Id == 4041))
            {
                h.Wxcc.Faults.ServiceUnavailable = 0;
            }

            if (due < h.Options.ReconciliationInterval)
            {
                time.Advance(due);
            }
        }

        reconciled.IsCompleted.Should().BeTrue("a failed reconciliation is tried again within seconds");
        (h.Time.GetUtcNow() - start).Should().BeLessThan(h.Options.ReconciliationInterval);
        var seen = new HashSet<string>();
        while (h.Events.Reader.TryRead(out var e))
        {
            seen.Add(e.AgentId);
        }

        seen.Should().BeEquivalentTo(agents);
    }

    private static List<string> SignInAgents(Harness h, int count)
    {
        var agents = new List<string>(count);
        for (var i = 0; i < count; i++)
        {
            var agent = h.Wxcc.AddAgent();
            h.Wxcc.SignIn(agent, AgentState.Available);
            agents.Add(agent);
        }

        return agents;
    }
}
