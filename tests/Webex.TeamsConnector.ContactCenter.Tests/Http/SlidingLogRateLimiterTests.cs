using System.Threading.RateLimiting;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.Extensions.Time.Testing;
using Webex.TeamsConnector.RateLimiting;

namespace Webex.TeamsConnector.ContactCenter.Tests.Http;

/// <summary>The shared sliding-log limiter on fake time: exact release, queue order, pause, give-back, statistics.</summary>
public sealed class SlidingLogRateLimiterTests
{
    private static readonly TimeSpan s_hold = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task AcquireAsync_FullWindow_GrantsExactlyWhenTheOldestSlotIsHeldForTheWholeWindow()
    {
        var time = new FakeTimeProvider();
        using var limiter = new SlidingLogRateLimiter(3, s_hold, time);
        for (var i = 0; i < 3; i++)
        {
            (await limiter.AcquireAsync(1, false, CancellationToken.None)).IsAcquired.Should().BeTrue();
            time.Advance(TimeSpan.FromSeconds(1));
        }

        var waits = new List<TimeSpan>();
        limiter.Queued += waits.Add;
        var fourth = limiter.AcquireAsync(1, false, CancellationToken.None).AsTask();

        waits.Should().Equal(TimeSpan.FromSeconds(27));
        time.Advance(TimeSpan.FromSeconds(27) - TimeSpan.FromTicks(1));
        fourth.IsCompleted.Should().BeFalse("the first slot is still held one tick before its 30 s are up");
        time.Advance(TimeSpan.FromTicks(1));
        (await fourth.WaitAsync(s_wait)).IsAcquired.Should().BeTrue();
        limiter.InWindow.Should().Be(3);
    }

    [Fact]
    public async Task AcquireAsync_TimerFiresEarly_WaiterIsStillGrantedWhenTheSlotFrees()
    {
        var time = new EarlyTimers();
        using var limiter = new SlidingLogRateLimiter(1, s_hold, time);
        await limiter.AcquireAsync(1, false, CancellationToken.None);
        var waiting = limiter.AcquireAsync(1, false, CancellationToken.None).AsTask();

        time.Advance(s_hold - TimeSpan.FromMilliseconds(1));
        waiting.IsCompleted.Should().BeFalse("the timer fired a millisecond before the slot frees");
        time.Advance(TimeSpan.FromMilliseconds(1));

        (await waiting.WaitAsync(s_wait)).IsAcquired.Should().BeTrue();
    }

    [Fact]
    public async Task AcquireAsync_ManyWaiters_GrantedFirstInFirstOutWithThePriorityLaneAhead()
    {
        var time = new FakeTimeProvider();
        using var limiter = new SlidingLogRateLimiter(1, s_hold, time);
        (await limiter.AcquireAsync(1, false, CancellationToken.None)).IsAcquired.Should().BeTrue();
        var first = limiter.AcquireAsync(1, false, CancellationToken.None).AsTask();
        var second = limiter.AcquireAsync(1, false, CancellationToken.None).AsTask();
        var urgent = limiter.AcquireAsync(1, true, CancellationToken.None).AsTask();
        Task[] waiters = [first, second, urgent];

        var order = new List<Task>();
        for (var i = 0; i < 3; i++)
        {
            time.Advance(s_hold);
            order.AddRange(waiters.Where(t => t.IsCompleted && !order.Contains(t)));
            order.Should().HaveCount(i + 1, "one slot frees every window");
        }

        order.Should().Equal(urgent, first, second);
        await Task.WhenAll(waiters).WaitAsync(s_wait);
    }

    [Fact]
    public async Task AcquireAsync_WaiterCancelled_LeavesTheQueueAndTheNextWaiterTakesTheSlot()
    {
        var time = new FakeTimeProvider();
        using var limiter = new SlidingLogRateLimiter(1, s_hold, time);
        await limiter.AcquireAsync(1, false, CancellationToken.None);
        using var cancel = new CancellationTokenSource();
        var cancelled = limiter.AcquireAsync(1, false, cancel.Token).AsTask();
        var next = limiter.AcquireAsync(1, false, CancellationToken.None).AsTask();

        await cancel.CancelAsync();
        await FluentActions.Awaiting(() => cancelled.WaitAsync(s_wait)).Should().ThrowAsync<OperationCanceledException>();
        limiter.Waiting.Should().Be(1);
        time.Advance(s_hold);

        (await next.WaitAsync(s_wait)).IsAcquired.Should().BeTrue();
        limiter.GetStatistics()!.CurrentQueuedCount.Should().Be(0);
    }

    [Fact]
    public async Task PauseUntil_RetryAfter_HoldsEveryCallerUntilItsEnd()
    {
        var time = new FakeTimeProvider();
        using var limiter = new SlidingLogRateLimiter(100, s_hold, time);
        limiter.PauseUntil(time.GetUtcNow() + TimeSpan.FromSeconds(5));

        limiter.AttemptAcquire().IsAcquired.Should().BeFalse();
        var waiting = limiter.AcquireAsync(1, false, CancellationToken.None).AsTask();
        time.Advance(TimeSpan.FromSeconds(4));
        waiting.IsCompleted.Should().BeFalse();
        limiter.PauseUntil(time.GetUtcNow() - TimeSpan.FromSeconds(10));
        time.Advance(TimeSpan.FromSeconds(1));

        (await waiting.WaitAsync(s_wait)).IsAcquired.Should().BeTrue("an earlier pause never shortens the one in force");
        limiter.AttemptAcquire().IsAcquired.Should().BeTrue();
    }

    [Fact]
    public async Task GiveBack_UnusedLease_FreesItsSlotForTheWaiterAtOnce()
    {
        var time = new FakeTimeProvider();
        using var limiter = new SlidingLogRateLimiter(1, s_hold, time);
        var unused = (SlidingLogRateLimiter.SlotLease)await limiter.AcquireAsync(1, false, CancellationToken.None);
        var waiting = limiter.AcquireAsync(1, false, CancellationToken.None).AsTask();

        unused.GiveBack();
        unused.GiveBack();

        (await waiting.WaitAsync(s_wait)).IsAcquired.Should().BeTrue();
        limiter.Granted.Should().Be(1, "the slot given back (once, however often asked) no longer counts");
        limiter.InWindow.Should().Be(1);
    }

    [Fact]
    public void AttemptAcquire_FullWindow_FailsWithRetryAfterAndCountsInStatistics()
    {
        var time = new FakeTimeProvider();
        using var limiter = new SlidingLogRateLimiter(2, s_hold, time);
        limiter.AttemptAcquire().IsAcquired.Should().BeTrue();
        time.Advance(TimeSpan.FromSeconds(10));
        limiter.AttemptAcquire().IsAcquired.Should().BeTrue();

        using var refused = limiter.AttemptAcquire();

        refused.IsAcquired.Should().BeFalse();
        refused.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter).Should().BeTrue();
        retryAfter.Should().Be(TimeSpan.FromSeconds(20));
        var stats = limiter.GetStatistics()!;
        stats.CurrentAvailablePermits.Should().Be(0);
        stats.TotalSuccessfulLeases.Should().Be(2);
        stats.TotalFailedLeases.Should().Be(1);
        limiter.IdleDuration.Should().BeNull();
    }

    [Fact]
    public async Task Dispose_WithWaiters_FailsThemAndDropsTheTimer()
    {
        var time = new FakeTimeProvider();
        var limiter = new SlidingLogRateLimiter(1, s_hold, time);
        await limiter.AcquireAsync(1, false, CancellationToken.None);
        var waiting = limiter.AcquireAsync(1, false, CancellationToken.None).AsTask();

        limiter.Dispose();

        (await waiting.WaitAsync(s_wait)).IsAcquired.Should().BeFalse();
        FluentActions.Invoking(() => limiter.AttemptAcquire()).Should().Throw<ObjectDisposedException>();
    }

    /// <summary>Random arrivals (gaps, callers, give-backs, pauses): never more than the limit granted in any window.</summary>
    [FsCheck.Xunit.Property(MaxTest = 200)]
    public Property AcquireAsync_AnyArrivalPattern_NeverMoreThanTheLimitInAnyWindow() =>
        Prop.ForAll(Gen.ArrayOf(Gen.ArrayOf(Gen.Choose(0, 40), 3)).ToArbitrary(), Play);

    private static bool Play(int[][] script)
    {
        const int limit = 4;
        var hold = TimeSpan.FromSeconds(10);
        var time = new FakeTimeProvider();
        using var limiter = new SlidingLogRateLimiter(limit, hold, time);
        var grants = new List<(DateTimeOffset At, SlidingLogRateLimiter.SlotLease Lease)>();
        var given = new HashSet<SlidingLogRateLimiter.SlotLease>();
        var waiting = new List<Task<RateLimitLease>>();

        void Collect()
        {
            foreach (var done in waiting.Where(t => t.IsCompletedSuccessfully).ToList())
            {
                waiting.Remove(done);
                grants.Add((time.GetUtcNow(), (SlidingLogRateLimiter.SlotLease)done.Result));
            }
        }

        foreach (var step in script.Where(s => s.Length == 3))
        {
            switch (step[0] % 4)
            {
                case 0 or 1:
                    waiting.Add(limiter.AcquireAsync(1, step[2] % 3 == 0, CancellationToken.None).AsTask());
                    break;
                case 2 when grants.Count > 0 && step[2] % 4 == 0:
                    var back = grants[step[1] % grants.Count].Lease;
                    back.GiveBack();
                    given.Add(back);
                    break;
                case 3 when step[2] % 8 == 0:
                    limiter.PauseUntil(time.GetUtcNow() + TimeSpan.FromSeconds(step[1] % 15));
                    break;
            }

            // Every due time is a whole quarter second (grants, 10 s holds, whole-second pauses): stepping by a quarter
            // second and collecting after each step records every grant at the moment it was made.
            Collect();
            for (var q = 0; q < step[1]; q++)
            {
                time.Advance(TimeSpan.FromMilliseconds(250));
                Collect();
            }
        }

        // Run out every waiter: the limiter must make progress on its own timer.
        for (var i = 0; i < 10_000 && waiting.Count > 0; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(250));
            Collect();
        }

        var kept = grants.Where(g => !given.Contains(g.Lease)).Select(g => g.At).ToList();
        return waiting.Count == 0 && kept.All(start => kept.Count(t => t >= start && t < start + hold) <= limit);
    }

    /// <summary>Fake time whose timers fire a millisecond early, as a real timer rounding to milliseconds may.</summary>
    private sealed class EarlyTimers : FakeTimeProvider
    {
        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
            base.CreateTimer(callback, state, dueTime > TimeSpan.FromMilliseconds(1) ? dueTime - TimeSpan.FromMilliseconds(1) : dueTime, period);
    }
}
