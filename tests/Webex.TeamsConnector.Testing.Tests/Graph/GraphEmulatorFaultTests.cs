using System.Net;
using System.Text;
using Microsoft.Extensions.Time.Testing;

namespace Webex.TeamsConnector.Testing.Tests.Graph;

public sealed class GraphEmulatorFaultTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 24, 8, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task PresenceBudget_1501stRequestWithin30Seconds_Is429WithRetryAfter()
    {
        await using var graph = await GraphEmulator.StartAsync(new GraphEmulatorOptions { TimeProvider = _time });
        var ann = graph.AddUser("Ann Lee");
        using var http = GraphClients.Raw(graph);
        for (var i = 0; i < 1_500; i++)
        {
            if (i == 750)
            {
                _time.Advance(TimeSpan.FromSeconds(10));
            }

            (await http.GetAsync($"users/{ann}/presence")).StatusCode.Should().Be(HttpStatusCode.OK);
        }

        var throttled = await http.GetAsync($"users/{ann}/presence");
        throttled.StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
        throttled.Headers.RetryAfter!.Delta.Should().Be(TimeSpan.FromSeconds(20), "the oldest request leaves the window in 20 s");
        (await http.GetAsync("users")).StatusCode.Should().Be(HttpStatusCode.OK, "the users API has its own budget");

        _time.Advance(TimeSpan.FromSeconds(20));
        (await http.GetAsync($"users/{ann}/presence")).StatusCode.Should().Be(HttpStatusCode.OK);
        graph.ThrottledRequests.Should().Be(1);
        graph.PeakRequests(GraphEmulatorOperation.GetPresence).Should().Be(1_501);
        graph.PeakRequests(GraphEmulatorOperation.GetPresence, TimeSpan.FromSeconds(5)).Should().Be(751);
    }

    [Fact]
    public async Task ThrottleNext_AnswersThatMany429sThenRecovers()
    {
        await using var graph = await GraphEmulator.StartAsync(new GraphEmulatorOptions { TimeProvider = _time });
        using var http = GraphClients.Raw(graph);
        graph.Faults.ThrottleNext(2, TimeSpan.FromSeconds(4), GraphEmulatorOperation.ListUsers);
        graph.Faults.ThrottleNext(1);

        var first = await http.GetAsync("users");
        var second = await http.GetAsync("users");
        var other = await http.GetAsync("subscriptions");
        var third = await http.GetAsync("users");

        (first.StatusCode, first.Headers.RetryAfter!.Delta).Should().Be((HttpStatusCode.TooManyRequests, TimeSpan.FromSeconds(4)));
        second.StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
        (other.StatusCode, other.Headers.RetryAfter).Should().Be((HttpStatusCode.TooManyRequests, null));
        third.StatusCode.Should().Be(HttpStatusCode.OK);
        graph.Requests.Select(r => r.StatusCode).Should().Equal(429, 429, 429, 200);
    }

    [Theory]
    [InlineData(503)]
    [InlineData(504)]
    [InlineData(500)]
    public async Task FailNext_AnswersTheStatus(int status)
    {
        await using var graph = await GraphEmulator.StartAsync();
        using var http = GraphClients.Raw(graph);
        graph.Faults.FailNext(1, status);

        ((int)(await http.GetAsync("users")).StatusCode).Should().Be(status);
        (await http.GetAsync("users")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task DropNextConnections_ClosesTheConnectionWithoutAnAnswer()
    {
        await using var graph = await GraphEmulator.StartAsync();
        using var http = GraphClients.Raw(graph);
        graph.Faults.DropNextConnections(1);

        var dropped = () => http.GetAsync("users");

        await dropped.Should().ThrowAsync<HttpRequestException>();
        (await http.GetAsync("users")).StatusCode.Should().Be(HttpStatusCode.OK);
        graph.Requests.Select(r => r.StatusCode).Should().Equal(0, 200);
    }

    [Fact]
    public async Task Latency_HoldsTheAnswerUntilTheEmulatorClockMoves()
    {
        var time = new SignallingTimeProvider();
        await using var graph = await GraphEmulator.StartAsync(new GraphEmulatorOptions { TimeProvider = time });
        using var http = GraphClients.Raw(graph);
        graph.Faults.Latency = TimeSpan.FromSeconds(2);
        var waiting = time.NextTimer;

        var request = http.GetAsync("users");
        await waiting.WaitAsync(TimeSpan.FromSeconds(10));
        time.Advance(TimeSpan.FromSeconds(1));
        request.IsCompleted.Should().BeFalse();
        time.Advance(TimeSpan.FromSeconds(1));

        (await request.WaitAsync(TimeSpan.FromSeconds(10))).StatusCode.Should().Be(HttpStatusCode.OK);
        graph.Requests.Single().At.Should().Be(time.Start, "the arrival time is recorded");
    }

    [Fact]
    public async Task Reset_SwitchesEveryFaultOff()
    {
        await using var graph = await GraphEmulator.StartAsync();
        using var http = GraphClients.Raw(graph);
        graph.Faults.FailNext(5);
        graph.Faults.ThrottleNext(5);
        graph.Faults.DuplicateNotifications = true;

        graph.Faults.Reset();

        (await http.GetAsync("users")).StatusCode.Should().Be(HttpStatusCode.OK);
        graph.Faults.DuplicateNotifications.Should().BeFalse();
    }

    [Fact]
    public async Task RequestCount_CountsEachOperation()
    {
        await using var graph = await GraphEmulator.StartAsync();
        var ann = graph.AddUser("Ann Lee");
        using var http = GraphClients.Raw(graph);

        await http.GetAsync("users");
        await http.GetAsync($"users/{ann}");
        await http.GetAsync($"users/{ann}/presence");
        await http.PostAsync("communications/getPresencesByUserId", new StringContent($"{{\"ids\":[\"{ann}\"]}}", Encoding.UTF8, "application/json"));

        graph.RequestCount(GraphEmulatorOperation.ListUsers).Should().Be(1);
        graph.RequestCount(GraphEmulatorOperation.GetUser).Should().Be(1);
        graph.RequestCount(GraphEmulatorOperation.GetPresence).Should().Be(1);
        graph.RequestCount(GraphEmulatorOperation.GetPresencesByUserId).Should().Be(1);
        graph.RequestCount().Should().Be(4);
    }
}

/// <summary>A fake clock that tells when someone starts waiting on it.</summary>
public sealed class SignallingTimeProvider : FakeTimeProvider
{
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public SignallingTimeProvider()
        : base(new DateTimeOffset(2026, 11, 24, 8, 0, 0, TimeSpan.Zero))
    {
    }

    /// <summary>Completes when the next timer is created.</summary>
    public Task NextTimer => Volatile.Read(ref _next).Task;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        return timer;
    }
}
