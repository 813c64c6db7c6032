using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Webex.TeamsConnector.Testing;

namespace Webex.TeamsConnector.Graph.Tests;

public sealed class PollingPresenceFeedTests
{
    [Fact]
    public async Task RunAsync_WatchedUsers_EmitsFirstPresenceThenOnlyChanges()
    {
        await using var host = await GraphTestHost.StartAsync();
        var ann = host.Emulator.AddUser("Ann Lee");
        var bob = host.Emulator.AddUser("Bob Stone");
        host.Feed.SetWatchedUsers([ann, bob]);
        host.StartFeed();

        await host.RunUntilAsync(r => r.Count == 2);
        await host.Clock.RunForAsync(TimeSpan.FromSeconds(5));
        host.Received.Should().HaveCount(2, "an unchanged presence is no event");

        host.Emulator.SetPresence(ann, "Busy", "InACall");
        await host.RunUntilAsync(r => r.Count == 3);

        var change = host.For(ann).Last();
        change.Availability.Should().Be("Busy");
        change.Activity.Should().Be("InACall");
        change.SequenceNumber.Should().Be(host.Emulator.GetPresence(ann).SequenceNumber);
        change.ReceivedAt.Should().BeOnOrBefore(host.Clock.GetUtcNow()).And.BeAfter(host.For(ann)[0].ReceivedAt);
        host.For(bob).Should().ContainSingle().Which.Activity.Should().Be("Available");
    }

    [Fact]
    public async Task RunAsync_TenThousandUsersFixedInterval_ReadsEveryoneEachSecondWithinTheBudget()
    {
        await using var host = await GraphTestHost.StartAsync(settings: new Dictionary<string, string?> { ["TeamsConnector:Graph:PollInterval"] = "00:00:01" });
        var users = host.Emulator.AddUsers(10_000);
        host.Feed.SetWatchedUsers(users);
        host.StartFeed();

        await host.RunUntilAsync(r => r.Count == 10_000);
        for (var i = 0; i < 50; i++)
        {
            host.Emulator.SetPresence(users[i * 200], "DoNotDisturb", "Presenting");
        }

        await host.Clock.RunForAsync(TimeSpan.FromSeconds(35));

        host.Received.Should().HaveCount(10_050, "every user once at start, then the 50 changes, nothing repeated");
        var polls = host.Emulator.RequestCount(GraphEmulatorOperation.GetPresencesByUserId);
        polls.Should().BeInRange(16 * 35, 16 * 37, "ceil(10,000 / 650) = 16 requests per 1-second cycle");
        host.Emulator.PeakRequests(GraphEmulatorOperation.GetPresencesByUserId).Should().BeLessThanOrEqualTo(16 * 31);
        host.Emulator.PeakRequests().Should().BeLessThan(1500);
        host.Emulator.ThrottledRequests.Should().Be(0);
        ((PollingPresenceFeed)host.Feed).CycleLength.Should().Be(TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task RunAsync_UsersNeedMoreThanTheBudgetAtAFixedInterval_LengthensTheCycleAndReportsIt()
    {
        // 1,000 users in batches of 10 need 100 requests a second; 90% of 1,500 per 30 s allows 45.
        await using var host = await GraphTestHost.StartAsync(settings: new Dictionary<string, string?> { ["TeamsConnector:Graph:PollBatchSize"] = "10", ["TeamsConnector:Graph:PollInterval"] = "00:00:01" });
        var users = host.Emulator.AddUsers(1_000);
        host.Feed.SetWatchedUsers(users);
        host.StartFeed();

        await host.Clock.RunForAsync(TimeSpan.FromSeconds(65));

        var feed = (PollingPresenceFeed)host.Feed;
        feed.CycleLength.TotalSeconds.Should().BeApproximately(100 / 45.0, 0.01);
        host.Emulator.ThrottledRequests.Should().Be(0);
        host.Emulator.PeakRequests(GraphEmulatorOperation.GetPresencesByUserId).Should().BeInRange(1300, 1500);
        host.Received.Should().HaveCount(1_000);
        host.Logs.GetSnapshot().Should().Contain(r => r.Id.Id == 3002 && r.Level == LogLevel.Warning && r.Message.Contains("1000 users", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SetWatchedUsers_UserAdded_IsReadInTheNextCycle()
    {
        await using var host = await GraphTestHost.StartAsync();
        var first = host.Emulator.AddUser("First");
        host.Feed.SetWatchedUsers([first]);
        host.StartFeed();
        await host.RunUntilAsync(r => r.Count == 1);

        var late = host.Emulator.AddUser("Late Joiner");
        host.Emulator.SetPresence(late, "Busy", "InACall");
        var added = host.Clock.GetUtcNow();
        host.Feed.SetWatchedUsers([first, late]);
        await host.RunUntilAsync(r => r.Count == 2);

        var update = host.For(late).Should().ContainSingle().Subject;
        update.Activity.Should().Be("InACall");
        (update.ReceivedAt - added).Should().BeLessThanOrEqualTo(TimeSpan.FromMilliseconds(250), "a newly watched user is read in the next cycle (Auto: the 250 ms floor for one user)");
    }

    [Fact]
    public async Task RunAsync_ThrottleStorm_HonoursRetryAfterAndLosesNoChange()
    {
        // One batch of 650 users: every request is sent alone, so arrival times show the waits exactly.
        await using var host = await GraphTestHost.StartAsync();
        var users = host.Emulator.AddUsers(650);
        host.Feed.SetWatchedUsers(users);
        host.StartFeed();
        await host.RunUntilAsync(r => r.Count == 650);

        host.Emulator.Faults.ThrottleNext(12, TimeSpan.FromSeconds(3), GraphEmulatorOperation.GetPresencesByUserId);
        await host.Clock.RunUntilAsync(() => host.Emulator.ThrottledRequests >= 1, TimeSpan.FromMinutes(1));
        for (var i = 0; i < 40; i++)
        {
            host.Emulator.SetPresence(users[i * 15], "Busy", "InACall"); // during the storm
        }

        await host.RunUntilAsync(r => r.Count == 690, TimeSpan.FromMinutes(2));

        host.Emulator.ThrottledRequests.Should().Be(12, string.Join(" ", host.Emulator.Requests.Select(r => $"{r.At:ss.fff}:{r.StatusCode}")));
        users.Where((_, i) => i % 15 == 0 && i < 600).Should().OnlyContain(u => host.For(u).Last().Activity == "InACall");
        var log = host.Emulator.Requests.Where(r => r.Operation == GraphEmulatorOperation.GetPresencesByUserId).ToList();
        foreach (var throttled in log.Where(r => r.StatusCode == 429))
        {
            log.Should().NotContain(
                r => r.At > throttled.At && r.At < throttled.At + TimeSpan.FromSeconds(3),
                "nothing is sent to the presence API during a Retry-After");
        }

        host.Logs.GetSnapshot().Should().Contain(r => r.Id.Id == 3000);
    }

    [Fact]
    public async Task RunAsync_ServiceUnavailableAndDroppedConnections_RecoversWithoutLosingChanges()
    {
        await using var host = await GraphTestHost.StartAsync();
        var ann = host.Emulator.AddUser("Ann Lee");
        host.Feed.SetWatchedUsers([ann]);
        host.Emulator.Faults.FailNext(2, 503);
        host.Emulator.Faults.FailNext(1, 504);
        host.Emulator.Faults.DropNextConnections(2);
        host.StartFeed();

        await host.RunUntilAsync(r => r.Count == 1, TimeSpan.FromMinutes(2));

        host.Emulator.Requests.Select(r => r.StatusCode).Should().StartWith([503, 503, 504, 0, 0, 200]);
        host.Received.Should().ContainSingle().Which.Availability.Should().Be("Available");
    }

    [Fact]
    public async Task RunAsync_RetriesExhausted_ReadsTheBatchAgainInTheNextCycle()
    {
        await using var host = await GraphTestHost.StartAsync(settings: new Dictionary<string, string?> { ["TeamsConnector:Graph:MaxRetryAttempts"] = "1" });
        var ann = host.Emulator.AddUser("Ann Lee");
        host.Feed.SetWatchedUsers([ann]);
        host.Emulator.Faults.FailNext(2, 503);
        host.StartFeed();

        await host.RunUntilAsync(r => r.Count == 1, TimeSpan.FromMinutes(1));

        host.Metrics.ReadFailures.Should().Be(1);
        host.Emulator.Requests.Select(r => r.StatusCode).Should().StartWith([503, 503, 200], "one retry, then the next cycle reads the batch again");
        host.Logs.GetSnapshot().Should().Contain(r => r.Id.Id == 3004);
    }

    [Fact]
    public async Task SetWatchedUsers_InvalidIds_AreIgnoredAndCounted()
    {
        await using var host = await GraphTestHost.StartAsync();
        var ann = host.Emulator.AddUser("Ann Lee");
        host.Feed.SetWatchedUsers([ann, "not-a-guid", "", "') or 1 eq 1", ann.ToUpperInvariant()]);
        host.StartFeed();

        await host.RunUntilAsync(r => r.Count == 1);
        await host.Clock.RunForAsync(TimeSpan.FromSeconds(3));

        host.Received.Should().ContainSingle().Which.TeamsUserId.Should().Be(ann);
        host.Metrics.InvalidIds.Should().Be(3);
        host.Emulator.Requests.Should().OnlyContain(r => r.StatusCode == 200);
    }

    [Fact]
    public async Task RunAsync_UpperCaseWatchedId_ReportsTheIdAsWatched()
    {
        await using var host = await GraphTestHost.StartAsync();
        var ann = host.Emulator.AddUser("Ann Lee");
        host.Feed.SetWatchedUsers([ann.ToUpperInvariant()]);
        host.StartFeed();

        await host.RunUntilAsync(r => r.Count == 1);

        host.Received.Single().TeamsUserId.Should().Be(ann.ToUpperInvariant());
    }

    [Fact]
    public async Task RunAsync_CalledTwice_Throws()
    {
        await using var host = await GraphTestHost.StartAsync();
        host.StartFeed();

        var second = () => host.Feed.RunAsync(System.Threading.Channels.Channel.CreateUnbounded<TeamsPresenceUpdate>().Writer, CancellationToken.None);

        await second.Should().ThrowAsync<InvalidOperationException>();
    }
}
