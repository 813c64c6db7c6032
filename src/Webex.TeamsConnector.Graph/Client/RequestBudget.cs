using System.Threading.RateLimiting;
using Webex.TeamsConnector.RateLimiting;

namespace Webex.TeamsConnector.Graph;

/// <summary>
/// Graph's presence request budget: at most <c>limit</c> requests start within any sliding window, and nothing starts
/// while paused by a <c>Retry-After</c>. A thin wrapper over the shared <see cref="SlidingLogRateLimiter"/>.
/// </summary>
internal sealed class RequestBudget : IDisposable
{
    private readonly SlidingLogRateLimiter _limiter;
    private readonly TimeProvider _time;
    private long _throttles;
    private long _pausedUntilTicks;

    public RequestBudget(int limit, TimeSpan window, TimeProvider time)
    {
        _limiter = new SlidingLogRateLimiter(limit, window, time);
        _time = time;
    }

    public int Limit => _limiter.PermitLimit;

    public TimeSpan Window => _limiter.Hold;

    /// <summary>Requests started within the current window.</summary>
    public int InWindow => _limiter.InWindow;

    /// <summary>The limiter itself (statistics, benchmarks).</summary>
    public RateLimiter Limiter => _limiter;

    /// <summary>
    /// Waits for <paramref name="permits"/> permits: in the priority lane unless the caller runs inside a
    /// <see cref="PollingScope"/>, so that expert search and user resolution go ahead of presence polling.
    /// </summary>
    public async ValueTask AcquireAsync(CancellationToken cancellationToken, int permits = 1)
    {
        // A permit is held for the whole window whatever happens to the lease: disposing it frees nothing early.
        using var lease = await _limiter.AcquireAsync(Math.Min(permits, _limiter.PermitLimit), !PollingScope.IsActive, cancellationToken).ConfigureAwait(false);
        ObjectDisposedException.ThrowIf(!lease.IsAcquired, this);
    }

    /// <summary>How many times Graph answered 429 (the adaptive poll interval backs off when this grows).</summary>
    public long Throttles => Interlocked.Read(ref _throttles);

    /// <summary>Until when the last 429 stops every request (in the past when none is in force).</summary>
    public DateTimeOffset PausedUntil => new(Interlocked.Read(ref _pausedUntilTicks), TimeSpan.Zero);

    /// <summary>Stops every request from starting for <paramref name="delay"/> (Graph answered 429).</summary>
    public void Pause(TimeSpan delay)
    {
        var until = _time.GetUtcNow() + delay;
        _limiter.PauseUntil(until);
        long seen;
        do
        {
            seen = Interlocked.Read(ref _pausedUntilTicks);
        }
        while (until.UtcTicks > seen && Interlocked.CompareExchange(ref _pausedUntilTicks, until.UtcTicks, seen) != seen);

        Interlocked.Increment(ref _throttles);
    }

    public void Dispose() => _limiter.Dispose();
}

/// <summary>
/// Marks the requests of presence polling (an <see cref="AsyncLocal{T}"/> flag that flows into the HTTP pipeline), so
/// that they wait in the ordinary lane of the <see cref="RequestBudget"/> behind everything else.
/// </summary>
internal static class PollingScope
{
    private static readonly AsyncLocal<bool> s_active = new();

    public static bool IsActive => s_active.Value;

    /// <summary>Marks the rest of the calling async method (and what it awaits) as polling.</summary>
    public static void Enter() => s_active.Value = true;
}
