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

    public async ValueTask AcquireAsync(CancellationToken cancellationToken)
    {
        // A permit is held for the whole window whatever happens to the lease: disposing it frees nothing early.
        using var lease = await _limiter.AcquireAsync(1, cancellationToken).ConfigureAwait(false);
        ObjectDisposedException.ThrowIf(!lease.IsAcquired, this);
    }

    /// <summary>Stops every request from starting for <paramref name="delay"/> (Graph answered 429).</summary>
    public void Pause(TimeSpan delay) => _limiter.PauseUntil(_time.GetUtcNow() + delay);

    public void Dispose() => _limiter.Dispose();
}
