using Microsoft.Extensions.DependencyInjection;
using Webex.TeamsConnector.Testing;

namespace Webex.TeamsConnector.ContactCenter.Tests.Outbox;

public sealed class OutboxTests
{
    private static (string Code, List<string> Agents) Agents(ContactCenterEmulator wxcc, int count)
    {
        var code = wxcc.AddIdleCode("Teams call");
        var agents = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var agent = wxcc.AddAgent();
            wxcc.SignIn(agent);
            agents.Add(agent);
        }

        return (code, agents);
    }

    [Fact]
    public async Task Enqueue_Idle_PutsStateWithCodeMarkerAndTrackingId()
    {
        await using var h = await Harness.StartAsync();
        var (code, agents) = Agents(h.Wxcc, 1);
        h.RunOutbox();

        h.OutboxPort.Enqueue(agents[0], AgentState.Idle(code));
        var result = await h.NextResultAsync();

        result.Should().Be(new AgentWriteResult(agents[0], AgentState.Idle(code), true, null, result.TrackingId));
        var write = h.Wxcc.StateWrites.Should().ContainSingle().Which;
        write.Should().Be(new EmulatedStateWrite(agents[0], "Idle", code, "teams-presence-sync", result.TrackingId, 202, write.ReceivedAt));
        write.TrackingId.Should().NotBeNullOrEmpty();
        h.Wxcc.GetState(agents[0]).Should().Be(AgentState.Idle(code));
        h.Wxcc.GetAgent(agents[0]).LastStateChangeReason.Should().Be("teams-presence-sync");
    }

    [Fact]
    public async Task Enqueue_Available_SendsAuxCodeZeroAndEachRequestItsOwnTrackingId()
    {
        await using var h = await Harness.StartAsync();
        var (code, agents) = Agents(h.Wxcc, 1);
        h.RunOutbox();

        h.OutboxPort.Enqueue(agents[0], AgentState.Idle(code));
        await h.NextResultAsync();
        h.OutboxPort.Enqueue(agents[0], AgentState.Available);
        await h.NextResultAsync();

        var writes = h.Wxcc.StateWrites;
        writes[1].State.Should().Be("Available");
        writes[1].AuxCodeId.Should().Be("0");
        writes.Select(w => w.TrackingId).Should().OnlyHaveUniqueItems();
    }

    [Fact]
    public async Task Enqueue_SeveralStatesBeforeSending_OnlyTheNewestIsSent()
    {
        await using var h = await Harness.StartAsync();
        var (code, agents) = Agents(h.Wxcc, 1);
        var other = h.Wxcc.AddIdleCode("Meeting");

        h.OutboxPort.Enqueue(agents[0], AgentState.Idle(code));
        h.OutboxPort.Enqueue(agents[0], AgentState.Idle(other));
        h.OutboxPort.Enqueue(agents[0], AgentState.Idle(code));
        h.OutboxPort.Depth.Should().Be(1);
        h.RunOutbox();
        var result = await h.NextResultAsync();

        result.State.Should().Be(AgentState.Idle(code));
        h.Wxcc.StateWrites.Should().ContainSingle();
        h.OutboxPort.Depth.Should().Be(0);
    }

    [Fact]
    public async Task Withdraw_BeforeSending_NothingIsSentForThatAgent()
    {
        await using var h = await Harness.StartAsync();
        var (code, agents) = Agents(h.Wxcc, 2);

        h.OutboxPort.Enqueue(agents[0], AgentState.Idle(code));
        h.OutboxPort.Enqueue(agents[1], AgentState.Idle(code));
        h.OutboxPort.Withdraw(agents[0]).Should().BeTrue();
        h.OutboxPort.Withdraw(agents[0]).Should().BeFalse("nothing is left to withdraw");
        h.OutboxPort.Depth.Should().Be(1);
        h.RunOutbox();
        var results = await h.DrainAsync(1);

        results.Should().ContainSingle().Which.AgentId.Should().Be(agents[1]);
        h.Wxcc.StateWrites.Should().ContainSingle().Which.AgentId.Should().Be(agents[1]);
        h.Wxcc.GetState(agents[0]).Should().Be(AgentState.Available);
    }

    [Fact]
    public async Task Withdraw_WhileThrottled_TheWriteIsNotRetried()
    {
        await using var h = await Harness.StartAsync();
        var (code, agents) = Agents(h.Wxcc, 2);
        await h.Tokens.GetAccessTokenAsync(CancellationToken.None);
        h.Wxcc.Faults.TooManyRequests = 1;
        h.Wxcc.Faults.RetryAfter = TimeSpan.FromSeconds(7);
        var waiting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        h.Budget.Throttled += _ => waiting.TrySetResult();

        h.OutboxPort.Enqueue(agents[0], AgentState.Idle(code));
        h.RunOutbox();
        await waiting.Task.WaitAsync(Harness.Wait);
        h.OutboxPort.Withdraw(agents[0]).Should().BeTrue("the throttled write waits to be sent again");
        h.OutboxPort.Enqueue(agents[1], AgentState.Idle(code));
        var results = await h.DrainAsync(1);

        results.Should().ContainSingle().Which.AgentId.Should().Be(agents[1]);
        h.Wxcc.StateWrites.Where(w => w.StatusCode == 202).Should().ContainSingle().Which.AgentId.Should().Be(agents[1]);
        h.Wxcc.GetState(agents[0]).Should().Be(AgentState.Available);
        h.OutboxPort.Depth.Should().Be(0);
    }

    [Fact]
    public async Task Enqueue_WhileTheAgentsWriteIsInFlight_WaitsAndSendsTheNewestAfter()
    {
        await using var h = await Harness.StartAsync();
        var (code, agents) = Agents(h.Wxcc, 1);
        var other = h.Wxcc.AddIdleCode("Meeting");
        h.RunOutbox();
        await h.Tokens.GetAccessTokenAsync(CancellationToken.None);
        h.Wxcc.Faults.Latency = TimeSpan.FromSeconds(2);

        h.OutboxPort.Enqueue(agents[0], AgentState.Idle(code));
        await h.Wxcc.WaitUntilAsync(w => w.RequestCount("agents/session/state") == 1);
        h.OutboxPort.Enqueue(agents[0], AgentState.Idle(other));
        h.OutboxPort.Enqueue(agents[0], AgentState.Available);
        h.Wxcc.Faults.Latency = TimeSpan.Zero;
        h.Time.Advance(TimeSpan.FromSeconds(2));
        var results = await h.DrainAsync(2);

        results.Select(r => r.State).Should().Equal(AgentState.Idle(code), AgentState.Available);
        h.Wxcc.StateWrites.Select(w => w.State).Should().Equal("Idle", "Available");
    }

    [Fact]
    public async Task Run_BudgetShort_IdleWritesGoBeforeAvailableWrites()
    {
        // One write at a time, so that the order the outbox takes writes in is the order WxCC receives them.
        await using var h = await Harness.StartAsync(settings: new() { ["RequestsPerMinute"] = "2", ["MaxConcurrentWrites"] = "1" });
        var (code, agents) = Agents(h.Wxcc, 4);

        h.OutboxPort.Enqueue(agents[0], AgentState.Available);
        h.OutboxPort.Enqueue(agents[1], AgentState.Idle(code));
        h.OutboxPort.Enqueue(agents[2], AgentState.Available);
        h.OutboxPort.Enqueue(agents[3], AgentState.Idle(code));
        h.RunOutbox();
        var results = await h.DrainAsync(4);

        results.Should().OnlyContain(r => r.Succeeded);
        h.Wxcc.StateWrites.Select(w => w.AgentId).Should().Equal(agents[1], agents[3], agents[0], agents[2]);
        h.Wxcc.ThrottledRequests.Should().Be(0);
    }

    [Fact]
    public async Task Run_ThousandAgentsInOneSecond_DrainWithinTheBudgetWithOneWriteEach()
    {
        await using var h = await Harness.StartAsync();
        var (code, agents) = Agents(h.Wxcc, 1000);
        var start = h.Time.GetUtcNow();

        foreach (var agent in agents)
        {
            h.OutboxPort.Enqueue(agent, AgentState.Idle(code));
        }

        h.RunOutbox();
        var results = await h.DrainAsync(1000);

        results.Should().OnlyContain(r => r.Succeeded);
        results.Select(r => r.AgentId).Should().OnlyHaveUniqueItems().And.HaveCount(1000);
        var writes = h.Wxcc.StateWrites;
        writes.Should().HaveCount(1000).And.OnlyContain(w => w.StatusCode == 202);
        writes.Select(w => w.AgentId).Should().OnlyHaveUniqueItems();
        foreach (var write in writes)
        {
            writes.Count(w => w.ReceivedAt >= write.ReceivedAt && w.ReceivedAt < write.ReceivedAt + TimeSpan.FromMinutes(1))
                .Should().BeLessThanOrEqualTo(300);
        }

        h.Wxcc.ThrottledRequests.Should().Be(0);
        (h.Time.GetUtcNow() - start).Should().BeGreaterThanOrEqualTo(TimeSpan.FromMinutes(3)).And.BeLessThan(TimeSpan.FromMinutes(4));
        agents.Should().OnlyContain(a => h.Wxcc.GetState(a) == AgentState.Idle(code));
    }

    [Fact]
    public async Task Run_TooManyRequests_HonoursRetryAfterAndSendsOnce()
    {
        await using var h = await Harness.StartAsync();
        var (code, agents) = Agents(h.Wxcc, 1);
        await h.Tokens.GetAccessTokenAsync(CancellationToken.None);
        h.Wxcc.Faults.TooManyRequests = 2;
        h.Wxcc.Faults.RetryAfter = TimeSpan.FromSeconds(7);
        var start = h.Time.GetUtcNow();

        h.OutboxPort.Enqueue(agents[0], AgentState.Idle(code));
        h.RunOutbox();
        var results = await h.DrainAsync(1);

        results.Should().ContainSingle().Which.Succeeded.Should().BeTrue();
        h.Wxcc.ThrottledRequests.Should().Be(2);
        h.Wxcc.StateWrites.Should().ContainSingle().Which.StatusCode.Should().Be(202);
        (h.Time.GetUtcNow() - start).Should().BeGreaterThanOrEqualTo(TimeSpan.FromSeconds(14));
    }

    [Fact]
    public async Task Run_ServiceUnavailable_RetriedWithoutDuplicates()
    {
        await using var h = await Harness.StartAsync();
        var (code, agents) = Agents(h.Wxcc, 1);
        await h.Tokens.GetAccessTokenAsync(CancellationToken.None);
        h.Wxcc.Faults.ServiceUnavailable = 2;

        h.OutboxPort.Enqueue(agents[0], AgentState.Idle(code));
        h.RunOutbox();
        var results = await h.DrainAsync(1);

        results.Should().ContainSingle().Which.Succeeded.Should().BeTrue();
        h.Wxcc.RequestCount("agents/session/state").Should().Be(3);
        h.Wxcc.StateWrites.Should().ContainSingle();
    }

    [Fact]
    public async Task Run_TransientFailuresExhausted_ReportedAsFailed()
    {
        await using var h = await Harness.StartAsync(settings: new() { ["MaxWriteAttempts"] = "2" });
        var (code, agents) = Agents(h.Wxcc, 1);
        await h.Tokens.GetAccessTokenAsync(CancellationToken.None);
        h.Wxcc.Faults.ServiceUnavailable = 5;

        h.OutboxPort.Enqueue(agents[0], AgentState.Idle(code));
        h.RunOutbox();
        var result = (await h.DrainAsync(1)).Single();

        result.Succeeded.Should().BeFalse();
        result.Reason.Should().Contain("HTTP 503");
        h.Wxcc.RequestCount("agents/session/state").Should().Be(2);
    }

    [Fact]
    public async Task Run_WriteRefused_ReportedAsFailedWithTheStatus()
    {
        await using var h = await Harness.StartAsync();
        var (_, agents) = Agents(h.Wxcc, 1);
        h.RunOutbox();

        h.OutboxPort.Enqueue(agents[0], AgentState.Idle("no-such-code"));
        var result = await h.NextResultAsync();

        result.Succeeded.Should().BeFalse();
        result.Reason.Should().Contain("HTTP 400");
        result.TrackingId.Should().Be(h.Wxcc.StateWrites.Single().TrackingId);
    }

    [Fact]
    public async Task Run_Stopped_ReportsEveryUnsentWriteAsFailed()
    {
        await using var h = await Harness.StartAsync(settings: new() { ["RequestsPerMinute"] = "2" });
        var (code, agents) = Agents(h.Wxcc, 3);
        foreach (var agent in agents)
        {
            h.OutboxPort.Enqueue(agent, AgentState.Idle(code));
        }

        h.RunOutbox();
        var first = await h.NextResultAsync();
        await h.StopAsync();
        var rest = new List<AgentWriteResult>();
        while (h.Results.Reader.TryRead(out var r))
        {
            rest.Add(r);
        }

        first.Succeeded.Should().BeTrue();
        rest.Should().HaveCount(2).And.OnlyContain(r => !r.Succeeded && r.Reason!.Contains("stopped"));
        rest.Select(r => r.AgentId).Should().BeEquivalentTo(agents.Except([first.AgentId]));
        h.OutboxPort.Depth.Should().Be(0);
    }

    [Fact]
    public async Task Enqueue_InvalidArguments_Throw()
    {
        await using var h = await Harness.StartAsync();

        ((Action)(() => h.OutboxPort.Enqueue("", AgentState.Available))).Should().Throw<ArgumentException>();
        ((Action)(() => h.OutboxPort.Enqueue("a", AgentState.Engaged))).Should().Throw<ArgumentException>().WithMessage("*Available or Idle*");
    }

    [Fact]
    public async Task AgentStateChangeFailed_AfterAccepted_PassedToTheRulesAsAFailureEvent()
    {
        await using var h = await Harness.StartAsync(Harness.OrganizationWideWebSocket, settings: new() { ["EventSource"] = "WebSocket" });
        var (code, agents) = Agents(h.Wxcc, 1);
        h.RunFeed();
        h.RunOutbox();
        await h.Wxcc.WaitUntilAsync(w => w.OpenWebSockets == 1);
        h.Wxcc.Faults.FailStateChanges = 1;

        h.OutboxPort.Enqueue(agents[0], AgentState.Idle(code));
        var accepted = await h.NextResultAsync();
        var failed = await h.EventAsync(e => e.Event.Kind == AgentEventKind.StateChangeFailed);

        accepted.Succeeded.Should().BeTrue();
        failed.AgentId.Should().Be(agents[0]);
        failed.TrackingId.Should().Be(accepted.TrackingId);
        h.Wxcc.GetState(agents[0]).Should().Be(AgentState.Available);
    }

    [Fact]
    public async Task Enqueue_InFlightStateWantedAgainWhileAnotherIsQueued_DropsTheQueuedOneWithoutASecondWrite()
    {
        await using var h = await Harness.StartAsync();
        var (code, agents) = Agents(h.Wxcc, 1);
        var other = h.Wxcc.AddIdleCode("Meeting");
        h.RunOutbox();
        await h.Tokens.GetAccessTokenAsync(CancellationToken.None);
        h.Wxcc.Faults.Latency = TimeSpan.FromSeconds(2);

        h.OutboxPort.Enqueue(agents[0], AgentState.Idle(code));
        await h.Wxcc.WaitUntilAsync(w => w.RequestCount("agents/session/state") == 1);
        h.OutboxPort.Enqueue(agents[0], AgentState.Idle(other));
        h.OutboxPort.Enqueue(agents[0], AgentState.Idle(code));
        var depth = h.OutboxPort.Depth;
        h.Wxcc.Faults.Latency = TimeSpan.Zero;
        h.Time.Advance(TimeSpan.FromSeconds(2));
        var results = await h.DrainAsync(1);

        depth.Should().Be(0, "the newest wanted state is the one in flight");
        results.Should().ContainSingle().Which.State.Should().Be(AgentState.Idle(code));
        h.OutboxPort.Depth.Should().Be(0);
        h.Wxcc.StateWrites.Should().ContainSingle().Which.AuxCodeId.Should().Be(code);
    }

    [Fact]
    public async Task Run_UnexpectedExceptionDuringASend_RetriedAsTransient()
    {
        var faults = new ThrowingHandler { Remaining = 1 };
        await using var h = await Harness.StartAsync(services: s => s.AddHttpClient(ContactCenterHttp.ClientName).AddHttpMessageHandler(() => faults.Fresh()));
        var (code, agents) = Agents(h.Wxcc, 1);
        await h.Tokens.GetAccessTokenAsync(CancellationToken.None);

        h.OutboxPort.Enqueue(agents[0], AgentState.Idle(code));
        h.RunOutbox();
        var results = await h.DrainAsync(1);

        results.Should().ContainSingle().Which.Succeeded.Should().BeTrue();
        faults.Thrown.Should().Be(1);
        h.Wxcc.StateWrites.Should().ContainSingle();
        h.Outbox.InFlight.Should().Be(0);
    }

    [Fact]
    public async Task Run_UnexpectedExceptionsOnEveryAttempt_ReportedFailedAndNotLeftInFlight()
    {
        var faults = new ThrowingHandler { Remaining = int.MaxValue };
        await using var h = await Harness.StartAsync(settings: new() { ["MaxWriteAttempts"] = "2" }, services: s => s.AddHttpClient(ContactCenterHttp.ClientName).AddHttpMessageHandler(() => faults.Fresh()));
        var (code, agents) = Agents(h.Wxcc, 1);
        var other = h.Wxcc.AddIdleCode("Meeting");
        await h.Tokens.GetAccessTokenAsync(CancellationToken.None);

        h.OutboxPort.Enqueue(agents[0], AgentState.Idle(code));
        h.RunOutbox();
        var result = (await h.DrainAsync(1)).Single();

        result.Succeeded.Should().BeFalse();
        result.Reason.Should().Contain(nameof(IOException)).And.NotContain(ThrowingHandler.Detail);
        faults.Thrown.Should().Be(2);
        h.Outbox.InFlight.Should().Be(0);

        // The agent is not stuck: a later write goes out.
        faults.Remaining = 0;
        h.OutboxPort.Enqueue(agents[0], AgentState.Idle(other));
        (await h.DrainAsync(1)).Single().Succeeded.Should().BeTrue();
    }

    [Fact]
    public async Task Run_StoppedWhileAWriteWaitsToRetryAfterAnUnexpectedException_ReportsItAsUnsent()
    {
        var faults = new ThrowingHandler { Remaining = int.MaxValue };
        await using var h = await Harness.StartAsync(settings: new() { ["MaxWriteAttempts"] = "5" }, services: s => s.AddHttpClient(ContactCenterHttp.ClientName).AddHttpMessageHandler(() => faults.Fresh()));
        var (code, agents) = Agents(h.Wxcc, 1);
        await h.Tokens.GetAccessTokenAsync(CancellationToken.None);
        var waiting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        h.Outbox.Waiting += _ => waiting.TrySetResult();

        h.OutboxPort.Enqueue(agents[0], AgentState.Idle(code));
        h.RunOutbox();
        await waiting.Task.WaitAsync(Harness.Wait);
        await h.StopAsync();

        h.Results.Reader.TryRead(out var result).Should().BeTrue();
        result!.Succeeded.Should().BeFalse();
        result.Reason.Should().Contain("stopped");
        h.Outbox.InFlight.Should().Be(0);
    }

    /// <summary>Throws an <see cref="IOException"/> for state writes while <see cref="Remaining"/> is positive.</summary>
    private sealed class ThrowingHandler
    {
        public const string Detail = "socket detail";

        private int _thrown;

        public int Remaining { get; set; }

        public int Thrown => Volatile.Read(ref _thrown);

        public DelegatingHandler Fresh() => new Handler(this);

        private sealed class Handler(ThrowingHandler owner) : DelegatingHandler
        {
            protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            {
                if (request.Method == HttpMethod.Put && owner.Remaining > 0)
                {
                    owner.Remaining--;
                    Interlocked.Increment(ref owner._thrown);
                    throw new IOException(Detail);
                }

                return base.SendAsync(request, cancellationToken);
            }
        }
    }
}
