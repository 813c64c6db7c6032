using Microsoft.Extensions.Time.Testing;
using Microsoft.Graph;

namespace Webex.TeamsConnector.Testing.Tests.Graph;

public sealed class GraphEmulatorWaitTests : IAsyncLifetime
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(10);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 24, 8, 0, 0, TimeSpan.Zero));
    private GraphEmulator _graph = null!;
    private GraphServiceClient _client = null!;
    private string _ann = null!;

    public async Task InitializeAsync()
    {
        _graph = await GraphEmulator.StartAsync(new GraphEmulatorOptions { TimeProvider = _time });
        _client = GraphClients.Sdk(_graph);
        _ann = _graph.AddUser("Ann Lee");
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _graph.DisposeAsync();
    }

    [Fact]
    public async Task WaitUntilAsync_ConditionAlreadyHolds_CompletesAtOnce()
    {
        var wait = _graph.WaitUntilAsync(g => g.UserCount == 1);

        wait.IsCompletedSuccessfully.Should().BeTrue();
        await wait;
    }

    [Fact]
    public async Task WaitUntilAsync_PresenceSetByTheTeamsClient_WakesTheWait()
    {
        var wait = _graph.WaitUntilAsync(g => g.GetPresence(_ann).Availability == "Busy");
        wait.IsCompleted.Should().BeFalse("Ann is available");

        _graph.SetPresence(_ann, "Busy", "InACall");

        await wait.WaitAsync(s_wait);
        _graph.GetPresence(_ann).Activity.Should().Be("InACall");
    }

    [Fact]
    public async Task WaitUntilAsync_PresenceSetOverHttp_WakesTheWaitOnceTheRequestIsLogged()
    {
        var wait = _graph.WaitUntilAsync(g => g.GetSessions(_ann).Count == 1 && g.Requests.Count == 1);
        wait.IsCompleted.Should().BeFalse();

        await _client.Users[_ann].Presence.SetPresence.PostAsync(new()
        {
            SessionId = GraphClients.AppId,
            Availability = "Busy",
            Activity = "InACall",
            ExpirationDuration = TimeSpan.FromMinutes(5),
        });

        await wait.WaitAsync(s_wait);
        _graph.Requests.Should().ContainSingle().Which.Operation.Should().Be(GraphEmulatorOperation.SetPresence);
    }

    [Fact]
    public async Task WaitUntilAsync_UserAdded_WakesTheWait()
    {
        var wait = _graph.WaitUntilAsync(g => g.UserCount == 3);

        _graph.AddUser("Bob Stone");
        wait.IsCompleted.Should().BeFalse("two users, not three");
        _graph.AddUsers(1);

        await wait.WaitAsync(s_wait);
    }

    [Fact]
    public async Task StateChanged_EveryAnsweredRequest_IsRaisedAfterTheRequestIsInTheLog()
    {
        var seen = new List<int>();
        _graph.StateChanged += (_, _) =>
        {
            lock (seen)
            {
                seen.Add(_graph.Requests.Count);
            }
        };

        await _client.Users[_ann].Presence.GetAsync();
        await _client.Users[_ann].Presence.GetAsync();

        await _graph.WaitUntilAsync(g => g.RequestCount(GraphEmulatorOperation.GetPresence) == 2);
        lock (seen)
        {
            seen.Should().Equal(1, 2);
        }
    }

    [Fact]
    public async Task WaitUntilAsync_ConditionNeverHolds_TimesOutOnTheRealClockWhileFakeTimeStandsStill()
    {
        var wait = () => _graph.WaitUntilAsync(static _ => false, TimeSpan.FromMilliseconds(50));

        await wait.Should().ThrowAsync<TimeoutException>().WithMessage("*Graph emulator*");
        _time.GetUtcNow().Should().Be(new DateTimeOffset(2026, 11, 24, 8, 0, 0, TimeSpan.Zero));
    }

    [Fact]
    public async Task WaitUntilAsync_Cancelled_ThrowsOperationCanceled()
    {
        using var cancel = new CancellationTokenSource();
        var wait = _graph.WaitUntilAsync(static _ => false, cancellationToken: cancel.Token);

        await cancel.CancelAsync();

        await ((Func<Task>)(() => wait)).Should().ThrowAsync<OperationCanceledException>();
    }

    [Fact]
    public async Task WaitUntilAsync_NullCondition_Throws()
    {
        var wait = () => _graph.WaitUntilAsync(null!);

        await wait.Should().ThrowAsync<ArgumentNullException>();
    }
}
