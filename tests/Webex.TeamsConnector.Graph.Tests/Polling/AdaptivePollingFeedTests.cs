using FsCheck;
using FsCheck.Fluent;
using Microsoft.Extensions.Logging;
using Webex.TeamsConnector.Testing;

namespace Webex.TeamsConnector.Graph.Tests;

public sealed class AdaptivePollingFeedTests
{
    [Fact]
    public async Task RunAsync_AutoWithThirteenThousandUsers_PollsAsOftenAsNinetyPercentOfTheBudgetAllows()
    {
        // ceil(13,000 / 650) = 20 requests a cycle: a cycle every 30 s * 20 / 1,350 = 0.444 s.
        await using var host = await GraphTestHost.StartAsync();
        var users = host.Emulator.AddUsers(13_000);
        host.Feed.SetWatchedUsers(users);
        host.StartFeed();

        var feed = (PollingPresenceFeed)host.Feed;
        var cycles = 0;
        feed.CycleCompleted += _ => Interlocked.Increment(ref cycles);
        await host.RunUntilAsync(r => r.Count == 13_000);
        // 40 s of cycles, counted by the feed's own event (a wall-clock pause of the machine cannot cut the run short).
        await host.Clock.RunUntilAsync(() => Volatile.Read(ref cycles) >= 90, TimeSpan.FromMinutes(2));

        feed.CycleLength.TotalSeconds.Should().BeApproximately(30.0 * 20 / 1350, 0.001);
        host.Emulator.ThrottledRequests.Should().Be(0);
        // The feed sends at most 1,351 in any 30 s (reads at least 30 s / 1,350 apart); the emulator stamps arrival, and
        // fake time may jump while a few reads are in flight, so it may count a handful more: never the limit.
        host.Emulator.PeakRequests(GraphEmulatorOperation.GetPresencesByUserId).Should().BeInRange(1300, 1360, "90 % of 1,500 per 30 s, spread evenly");
        host.Logs.GetSnapshot().Should().Contain(r => r.Id.Id == 3003 && r.Message.Contains("13000 users", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RunAsync_AutoWithFewUsers_PollsAtTheFloor()
    {
        await using var host = await GraphTestHost.StartAsync();
        var ann = host.Emulator.AddUser("Ann Lee");
        host.Feed.SetWatchedUsers([ann]);
        host.StartFeed();
        await host.RunUntilAsync(r => r.Count == 1);

        await host.Clock.RunForAsync(TimeSpan.FromSeconds(10));

        ((PollingPresenceFeed)host.Feed).CycleLength.Should().Be(TimeSpan.FromMilliseconds(250));
        host.Emulator.RequestCount(GraphEmulatorOperation.GetPresencesByUserId).Should().BeInRange(40, 42, "one read every 250 ms");
    }

    [Fact]
    public async Task RunAsync_Throttled_LengthensAtOnceAndShortensSlowlyAfter()
    {
        // ceil(7,800 / 650) = 12 requests a cycle: a target of 30 s * 12 / 1,350 = 0.267 s, above the floor.
        await using var host = await GraphTestHost.StartAsync();
        var users = host.Emulator.AddUsers(7_800);
        host.Feed.SetWatchedUsers(users);
        host.StartFeed();
        await host.RunUntilAsync(r => r.Count == 7_800);
        var feed = (PollingPresenceFeed)host.Feed;
        var target = feed.CycleLength;
        var cycles = new List<PollCycle>();
        feed.CycleCompleted += c => { lock (cycles) { cycles.Add(c); } };

        host.Emulator.Faults.ThrottleNext(1, TimeSpan.FromSeconds(2), GraphEmulatorOperation.GetPresencesByUserId);
        await host.Clock.RunUntilAsync(() => host.Emulator.ThrottledRequests == 1, TimeSpan.FromMinutes(1));
        await host.Clock.RunUntilAsync(
            () =>
            {
                lock (cycles)
                {
                    return cycles.Count >= 20;
                }
            },
            TimeSpan.FromMinutes(1));

        List<PollCycle> seen;
        lock (cycles)
        {
            seen = [.. cycles];
        }

        // The retried read takes one more permit of the window, which the interval leaves to "others": hence 1 % slack.
        var lengths = seen.Select(c => c.Length.TotalSeconds).ToList();
        lengths.Max().Should().BeApproximately(target.TotalSeconds * 2, target.TotalSeconds * 0.01, "the interval doubles at once after a 429");
        var longest = lengths.IndexOf(lengths.Max());
        lengths.Skip(longest).Should().BeInDescendingOrder("it shortens slowly after");
        lengths[^1].Should().BeApproximately(target.TotalSeconds, target.TotalSeconds * 0.01, "and comes back to the target");
        lengths.Skip(longest).Count(l => l > target.TotalSeconds * 1.01).Should().BeInRange(9, 11, "additive increase takes about ten cycles");
        host.Logs.GetSnapshot().Should().Contain(r => r.Id.Id == 3008 && r.Level == LogLevel.Warning);
    }

    [Fact]
    public void RunAsync_RandomWatchedCountsAndThrottling_NeverExceedsTheBudgetInAnySlidingWindow()
    {
        // Over long simulated runs on the emulator, whatever the watched count and the 429s (with their Retry-After),
        // no 30 s window sees more presence requests than the poll's share (1,350 of 1,500; the emulator may count a
        // handful more as fake time jumps while reads are in flight). That nothing starts during a Retry-After is
        // PollingPresenceFeedTests.RunAsync_ThrottleStorm_HonoursRetryAfterAndLosesNoChange.
        var segment = Gen.Choose(1, 6_500).SelectMany(w => Gen.Choose(0, 3).SelectMany(t => Gen.Choose(1, 5).Select(r => (Watched: w, Throttles: t, RetryAfterSeconds: r))));
        Prop.ForAll(
            Gen.ArrayOf(segment).Where(s => s.Length is >= 3 and <= 8).ToArbitrary(),
            segments => RunSegmentsAsync(segments).GetAwaiter().GetResult())
            .Check(Config.QuickThrowOnFailure.WithMaxTest(5));
    }

    private static async Task<bool> RunSegmentsAsync((int Watched, int Throttles, int RetryAfterSeconds)[] segments)
    {
        await using var host = await GraphTestHost.StartAsync();
        var users = host.Emulator.AddUsers(segments.Max(s => s.Watched));
        host.StartFeed();
        foreach (var (watched, throttles, retryAfter) in segments)
        {
            host.Feed.SetWatchedUsers([.. users.Take(watched)]);
            if (throttles > 0)
            {
                host.Emulator.Faults.ThrottleNext(throttles, TimeSpan.FromSeconds(retryAfter), GraphEmulatorOperation.GetPresencesByUserId);
            }

            await host.Clock.RunForAsync(TimeSpan.FromSeconds(15));
        }

        var peak = host.Emulator.PeakRequests(GraphEmulatorOperation.GetPresencesByUserId);
        var throttled = host.Emulator.ThrottledRequests;
        return peak <= 1360 ? true : throw new InvalidOperationException($"peak {peak} with {throttled} answers 429, segments {string.Join(", ", segments)}");
    }
}
