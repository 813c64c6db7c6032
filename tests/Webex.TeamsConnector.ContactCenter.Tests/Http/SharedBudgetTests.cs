using System.Threading.Channels;
using Webex.TeamsConnector.Testing;

namespace Webex.TeamsConnector.ContactCenter.Tests.Http;

/// <summary>One request budget of <c>RequestsPerMinute</c>, shared by every call the adapter makes, proven at the server.</summary>
public sealed class SharedBudgetTests
{
    [Fact]
    public async Task Budget_ReconcilingFiveHundredAgentsWhileWritingAThousand_NoMinuteAtTheServerExceedsTheLimit()
    {
        const int limit = 60;
        await using var h = await Harness.StartAsync(
            e => e.RequestsPerMinute = limit,
            settings: new() { ["RequestsPerMinute"] = "60", ["ReconciliationInterval"] = "00:01:00" });
        var code = h.Wxcc.AddIdleCode("Teams call");
        var agents = new List<string>();
        for (var i = 0; i < 1000; i++)
        {
            // Every other user is a contact-center agent the feed reconciles: 500 agents, 1,000 users to page through.
            var agent = h.Wxcc.AddAgent(contactCenterEnabled: i % 2 == 0);
            h.Wxcc.SignIn(agent);
            agents.Add(agent);
        }

        var progress = Channel.CreateUnbounded<bool>();
        h.Budget.Throttled += _ => progress.Writer.TryWrite(true);
        h.Feed.Reconciled += _ => progress.Writer.TryWrite(true);
        foreach (var agent in agents)
        {
            h.OutboxPort.Enqueue(agent, AgentState.Idle(code));
        }

        h.RunFeed();
        h.RunOutbox();
        var results = new List<AgentWriteResult>();
        while (results.Count < agents.Count || h.Feed.Reconciliations < 3)
        {
            while (h.Results.Reader.TryRead(out var result))
            {
                results.Add(result);
            }

            while (progress.Reader.TryRead(out _))
            {
            }

            // Time moves only while every granted request has reached the emulator, so each is seen at its grant time.
            var seen = h.Wxcc.RequestLog.Count;
            if (h.Budget.Granted == seen && (h.Budget.Waiting > 0 || results.Count >= agents.Count))
            {
                h.Time.Advance(TimeSpan.FromSeconds(1));
                continue;
            }

            var moved = h.Wxcc.WaitUntilAsync(w => w.RequestLog.Count != seen, Harness.Wait);
            var done = await Task.WhenAny(moved, h.Results.Reader.WaitToReadAsync().AsTask(), progress.Reader.WaitToReadAsync().AsTask());
            if (done == moved)
            {
                await moved;
            }
        }

        results.Should().HaveCount(1000).And.OnlyContain(r => r.Succeeded);
        var log = h.Wxcc.RequestLog;
        log.Should().Contain(r => r.Path.EndsWith("/v2/user", StringComparison.Ordinal));
        log.Count(r => r.Path == "/v1/agents/activities").Should().BeGreaterThanOrEqualTo(15, "three reconciliations of 500 agents, 100 per call");
        log.Should().Contain(r => r.Path == "/v1/access_token");
        foreach (var request in log)
        {
            log.Count(r => r.ReceivedAt >= request.ReceivedAt && r.ReceivedAt < request.ReceivedAt + TimeSpan.FromMinutes(1))
                .Should().BeLessThanOrEqualTo(limit, "every call (token, reads, writes) shares one budget of {0} a minute", limit);
        }

        h.Wxcc.ThrottledRequests.Should().Be(0);
    }

    [Fact]
    public async Task Read_TooManyRequestsWithRetryAfter_EveryCallerWaitsItOut()
    {
        await using var h = await Harness.StartAsync();
        await h.Directory.GetPresenceSyncSettingAsync(CancellationToken.None);
        var start = h.Time.GetUtcNow();
        var earlier = h.Wxcc.RequestLog.Count;
        var waiting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        h.Budget.Throttled += _ => waiting.TrySetResult();
        h.Wxcc.Faults.TooManyRequests = 1;
        h.Wxcc.Faults.RetryAfter = TimeSpan.FromSeconds(30);

        var codes = h.Directory.GetIdleCodesAsync(CancellationToken.None);
        await waiting.Task.WaitAsync(Harness.Wait);
        var users = h.Directory.GetUsersAsync(CancellationToken.None);
        await h.Wxcc.WaitUntilAsync(static w => w.ThrottledRequests == 1);
        h.Time.Advance(TimeSpan.FromSeconds(29));
        var beforeRetryAfter = h.Wxcc.RequestLog.Count - earlier;
        h.Time.Advance(TimeSpan.FromSeconds(1));
        await Task.WhenAll(codes, users).WaitAsync(Harness.Wait);

        beforeRetryAfter.Should().Be(1, "neither the retried read nor another read goes before Retry-After has passed");
        (await codes).Should().Contain(c => c.Id == h.Wxcc.RonaCodeId);
        var after = h.Wxcc.RequestLog.Skip(earlier).ToList();
        after.Should().HaveCount(3);
        after.Skip(1).Should().OnlyContain(r => r.ReceivedAt >= start + TimeSpan.FromSeconds(30));
        h.Wxcc.RequestCount("auxiliary-code").Should().Be(2);
    }
}
