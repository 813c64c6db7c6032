using Microsoft.Extensions.DependencyInjection;
using Microsoft.Graph.Models.ODataErrors;
using Microsoft.Kiota.Abstractions;
using Webex.TeamsConnector.Testing;

namespace Webex.TeamsConnector.Graph.Tests;

public sealed class GraphResilienceTests
{
    [Theory]
    [InlineData(400)]
    [InlineData(401)]
    [InlineData(403)]
    [InlineData(404)]
    [InlineData(500)]
    public async Task Request_ClientErrorOrOther5xx_IsNotRetried(int status)
    {
        await using var host = await GraphTestHost.StartAsync();
        var ann = host.Emulator.AddUser("Ann Lee");
        host.Emulator.Faults.FailNext(1, status);

        var publish = () => host.Services.GetRequiredService<ITeamsPresencePublisher>().PublishAsync(ann, PublishedPresence.InACall, TimeSpan.FromHours(1), CancellationToken.None);

        (await publish.Should().ThrowAsync<ApiException>()).Which.ResponseStatusCode.Should().Be(status);
        host.Emulator.RequestCount().Should().Be(1);
    }

    [Theory]
    [InlineData(429)]
    [InlineData(503)]
    [InlineData(504)]
    public async Task Request_TransientStatus_IsRetriedByOneLayerOnly(int status)
    {
        await using var host = await GraphTestHost.StartAsync();
        var ann = host.Emulator.AddUser("Ann Lee");
        host.Emulator.Faults.FailNext(50, status);

        var publish = host.Services.GetRequiredService<ITeamsPresencePublisher>().PublishAsync(ann, PublishedPresence.InACall, TimeSpan.FromHours(1), CancellationToken.None);
        await host.Clock.RunUntilAsync(() => publish.IsCompleted, TimeSpan.FromHours(1), publish);

        var error = (await FluentActions.Awaiting(() => publish).Should().ThrowAsync<ODataError>()).Which;
        error.ResponseStatusCode.Should().Be(status, "the last answer surfaces as the Graph error, not an AggregateException");
        host.Emulator.RequestCount().Should().Be(5, "1 attempt and MaxRetryAttempts (4) retries; the SDK's RetryHandler is not stacked on top");
    }

    [Fact]
    public async Task Request_ThrottledWithoutRetryAfter_BacksOffWithJitter()
    {
        await using var host = await GraphTestHost.StartAsync();
        var ann = host.Emulator.AddUser("Ann Lee");
        host.Emulator.Faults.ThrottleNext(3);

        var publish = host.Services.GetRequiredService<ITeamsPresencePublisher>().PublishAsync(ann, PublishedPresence.InACall, TimeSpan.FromHours(1), CancellationToken.None);
        await host.Clock.RunUntilAsync(() => publish.IsCompleted, TimeSpan.FromMinutes(5), publish);
        await publish;

        var times = host.Emulator.Requests.Select(r => r.At).ToList();
        times.Should().HaveCount(4);
        times.Zip(times.Skip(1), (a, b) => b - a).Should().OnlyContain(gap => gap > TimeSpan.Zero && gap <= TimeSpan.FromMinutes(1), "each retry waits, at most MaxRetryDelay");
    }

    [Fact]
    public async Task Request_CancelledWhileWaitingForRetryAfter_StopsAtOnce()
    {
        await using var host = await GraphTestHost.StartAsync();
        var ann = host.Emulator.AddUser("Ann Lee");
        host.Emulator.Faults.ThrottleNext(1, TimeSpan.FromSeconds(30));
        using var cancel = new CancellationTokenSource();

        var publish = host.Services.GetRequiredService<ITeamsPresencePublisher>().PublishAsync(ann, PublishedPresence.InACall, TimeSpan.FromHours(1), cancel.Token);
        await host.Clock.RunUntilAsync(() => host.Clock.NextWait() is not null && host.Emulator.RequestCount() == 1, TimeSpan.Zero, publish);
        await cancel.CancelAsync();

        await FluentActions.Awaiting(() => publish).Should().ThrowAsync<OperationCanceledException>();
        host.Emulator.RequestCount().Should().Be(1);
    }

    [Fact]
    public async Task Request_AlreadyCancelled_SendsNothing()
    {
        await using var host = await GraphTestHost.StartAsync();
        var ann = host.Emulator.AddUser("Ann Lee");

        var publish = () => host.Services.GetRequiredService<ITeamsPresencePublisher>().PublishAsync(ann, PublishedPresence.InACall, TimeSpan.FromHours(1), new CancellationToken(canceled: true));

        await publish.Should().ThrowAsync<OperationCanceledException>();
        host.Emulator.RequestCount().Should().Be(0);
    }

    [Fact]
    public async Task Request_RetryAfterLongerThanMaxRetryDelay_IsHonouredInFullAndLogged()
    {
        await using var host = await GraphTestHost.StartAsync(settings: new Dictionary<string, string?> { ["TeamsConnector:Graph:MaxRetryDelay"] = "00:00:20" });
        var ann = host.Emulator.AddUser("Ann Lee");
        host.Emulator.Faults.ThrottleNext(1, TimeSpan.FromMinutes(10));

        var publish = host.Services.GetRequiredService<ITeamsPresencePublisher>().PublishAsync(ann, PublishedPresence.InACall, TimeSpan.FromHours(1), CancellationToken.None);
        await host.Clock.RunUntilAsync(() => publish.IsCompleted, TimeSpan.FromMinutes(15), publish);
        await publish;

        var requests = host.Emulator.Requests;
        requests.Should().HaveCount(2);
        (requests[1].At - requests[0].At).Should().Be(TimeSpan.FromMinutes(10), "nothing is sent before Graph allows");
        host.Logs.GetSnapshot().Should().Contain(r => r.Id.Id == 3007 && r.Message.Contains("00:10:00", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Request_NotPresence_RetryAfterLongerThanMaxRetryDelay_IsHonouredInFull()
    {
        await using var host = await GraphTestHost.StartAsync(settings: new Dictionary<string, string?> { ["TeamsConnector:Graph:MaxRetryDelay"] = "00:00:20" });
        host.Emulator.AddUser("Ann Lee", mail: "ann@contoso.example");
        host.Emulator.Faults.ThrottleNext(1, TimeSpan.FromMinutes(3));

        var resolve = host.Services.GetRequiredService<ITeamsUserResolver>().ResolveAsync("ann@contoso.example", CancellationToken.None).AsTask();
        await host.Clock.RunUntilAsync(() => resolve.IsCompleted, TimeSpan.FromMinutes(5), resolve);
        (await resolve).Should().NotBeNull();

        var requests = host.Emulator.Requests;
        (requests[1].At - requests[0].At).Should().Be(TimeSpan.FromMinutes(3));
    }

    [Fact]
    public async Task Request_ThrottledForLongerThanMaxRetryDelayWithoutRetries_PausesTheBudgetForTheWholeRetryAfter()
    {
        await using var host = await GraphTestHost.StartAsync(settings: new Dictionary<string, string?>
        {
            ["TeamsConnector:Graph:MaxRetryDelay"] = "00:00:20",
            ["TeamsConnector:Graph:MaxRetryAttempts"] = "0",
        });
        var ann = host.Emulator.AddUser("Ann Lee");
        var publisher = host.Services.GetRequiredService<ITeamsPresencePublisher>();
        host.Emulator.Faults.ThrottleNext(1, TimeSpan.FromMinutes(2));
        var start = host.Clock.GetUtcNow();
        await FluentActions.Awaiting(() => publisher.PublishAsync(ann, PublishedPresence.InACall, TimeSpan.FromHours(1), CancellationToken.None)).Should().ThrowAsync<ODataError>();

        var next = publisher.PublishAsync(ann, PublishedPresence.InACall, TimeSpan.FromHours(1), CancellationToken.None);
        await host.Clock.RunUntilAsync(() => next.IsCompleted, TimeSpan.FromMinutes(5), next);
        await next;

        host.Emulator.Requests.Select(r => r.At - start).Should().Equal(TimeSpan.Zero, TimeSpan.FromMinutes(2));
    }

    [Fact]
    public async Task Request_WaitingForThePausedBudgetLongerThanTheAttemptTimeout_IsSentWhenThePauseEnds()
    {
        await using var host = await GraphTestHost.StartAsync(settings: new Dictionary<string, string?> { ["TeamsConnector:Graph:MaxRetryAttempts"] = "0" });
        var ann = host.Emulator.AddUser("Ann Lee");
        var start = host.Clock.GetUtcNow();
        host.Services.GetRequiredService<RequestBudget>().Pause(TimeSpan.FromSeconds(45));

        var publish = host.Services.GetRequiredService<ITeamsPresencePublisher>().PublishAsync(ann, PublishedPresence.InACall, TimeSpan.FromHours(1), CancellationToken.None);
        await host.Clock.RunUntilAsync(() => publish.IsCompleted, TimeSpan.FromMinutes(2), publish);
        await publish;

        host.Emulator.Requests.Should().ContainSingle().Which.At.Should().Be(start + TimeSpan.FromSeconds(45), "waiting for the budget is not part of the 30 s attempt timeout");
        host.Emulator.GetSessions(ann).Should().ContainSingle();
    }

    [Fact]
    public async Task Request_AttemptTimesOutEveryTime_SurfacesAsHttpRequestException()
    {
        await using var host = await GraphTestHost.StartAsync(settings: new Dictionary<string, string?> { ["TeamsConnector:Graph:MaxRetryAttempts"] = "0" });
        var ann = host.Emulator.AddUser("Ann Lee");
        host.Emulator.Faults.Latency = TimeSpan.FromMinutes(1);

        var publish = host.Services.GetRequiredService<ITeamsPresencePublisher>().PublishAsync(ann, PublishedPresence.InACall, TimeSpan.FromHours(1), CancellationToken.None);
        await host.Clock.RunUntilAsync(() => host.Clock.NextWait() is not null, TimeSpan.Zero, publish);
        host.Clock.Advance(TimeSpan.FromSeconds(30));

        var error = (await FluentActions.Awaiting(() => publish.WaitAsync(TimeSpan.FromSeconds(20))).Should().ThrowAsync<HttpRequestException>()).Which;
        error.Message.Should().Contain("AttemptTimeout");
        error.InnerException.Should().BeOfType<Polly.Timeout.TimeoutRejectedException>();
    }

    [Fact]
    public async Task RequestBudget_FullWindow_MakesTheNextRequestWait()
    {
        var clock = new ManualClock();
        var budget = new RequestBudget(3, TimeSpan.FromSeconds(30), clock);
        for (var i = 0; i < 3; i++)
        {
            budget.AcquireAsync(CancellationToken.None).AsTask().IsCompletedSuccessfully.Should().BeTrue();
            clock.Advance(TimeSpan.FromSeconds(1));
        }

        var fourth = budget.AcquireAsync(CancellationToken.None).AsTask();
        fourth.IsCompleted.Should().BeFalse();
        clock.Advance(TimeSpan.FromSeconds(26));
        fourth.IsCompleted.Should().BeFalse();
        clock.Advance(TimeSpan.FromSeconds(1));
        await fourth.WaitAsync(TimeSpan.FromSeconds(10));
        budget.InWindow.Should().Be(3);
    }

    [Fact]
    public async Task RequestBudget_Paused_HoldsEveryRequestUntilTheEnd()
    {
        var clock = new ManualClock();
        var budget = new RequestBudget(100, TimeSpan.FromSeconds(30), clock);
        budget.Pause(TimeSpan.FromSeconds(5));

        var waiting = budget.AcquireAsync(CancellationToken.None).AsTask();
        clock.Advance(TimeSpan.FromSeconds(4));
        waiting.IsCompleted.Should().BeFalse();
        clock.Advance(TimeSpan.FromSeconds(1));
        await waiting.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Theory]
    [InlineData("https://graph.microsoft.com/v1.0/communications/getPresencesByUserId", true)]
    [InlineData("https://graph.microsoft.com/v1.0/users/abc/presence/setPresence", true)]
    [InlineData("https://graph.microsoft.com/v1.0/users?$search=x", false)]
    [InlineData("https://graph.microsoft.com/v1.0/subscriptions", false)]
    public void IsPresenceRequest_OnlyThePresenceApiSpendsTheBudget(string url, bool expected)
    {
        GraphResilienceHandler.IsPresenceRequest(new Uri(url)).Should().Be(expected);
    }
}
