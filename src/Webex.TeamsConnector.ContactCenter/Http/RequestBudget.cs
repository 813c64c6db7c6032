using System.Threading.RateLimiting;
using Webex.TeamsConnector.RateLimiting;

namespace Webex.TeamsConnector.ContactCenter;

/// <summary>
/// The adapter's request budget: at most <c>RequestsPerMinute</c> requests in any sliding 60-second window, shared by
/// every call the adapter makes (tokens, writes, reads, subscriptions). Everything but state writes may use at most four
/// fifths of it, so that writes always have headroom (60 a minute at 300). A 429 pauses every caller until its
/// <c>Retry-After</c> has passed. Time comes from the <see cref="TimeProvider"/>, so tests drive it with fake time.
/// A thin wrapper over the shared <see cref="SlidingLogRateLimiter"/>.
/// </summary>
internal sealed class RequestBudget : IDisposable
{
    internal static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    // WxCC counts a request when it arrives, and a request may spend a moment on the wire after its slot was taken: each
    // slot is held a second longer than the window, so that no minute at the server sees more than the limit.
    private static readonly TimeSpan s_hold = Window + TimeSpan.FromSeconds(1);

    private readonly SlidingLogRateLimiter _limiter;

    // Ordinary callers (reads, tokens, subscriptions) also take a slot of this one: at most four fifths of the budget, so
    // that a fifth is always left for state writes (priority), however many pages the start's reconciliation reads.
    private readonly SlidingLogRateLimiter? _ordinary;

    public RequestBudget(int requestsPerMinute, TimeProvider timeProvider)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(requestsPerMinute, 1);
        _limiter = new SlidingLogRateLimiter(requestsPerMinute, s_hold, timeProvider);
        var ordinary = Math.Max(1, requestsPerMinute - (requestsPerMinute / 5));
        _ordinary = ordinary < requestsPerMinute ? new SlidingLogRateLimiter(ordinary, s_hold, timeProvider) : null;
    }

    /// <summary>The most requests ordinary callers (everything but state writes) may make per sliding minute.</summary>
    public int OrdinaryLimit => _ordinary?.PermitLimit ?? _limiter.PermitLimit;

    /// <summary>Raised after a caller started waiting (its timer is registered), with the wait.</summary>
    public event Action<TimeSpan>? Throttled
    {
        add => _limiter.Queued += value;
        remove => _limiter.Queued -= value;
    }

    /// <summary>The requests allowed per sliding minute.</summary>
    public int Limit => _limiter.PermitLimit;

    /// <summary>The number of callers waiting for the budget.</summary>
    public int Waiting => _limiter.Waiting;

    /// <summary>Slots granted since start, less those given back unused (tests compare it with what the server saw).</summary>
    public long Granted => _limiter.Granted;

    /// <summary>The requests granted in the current window.</summary>
    public int Used => _limiter.InWindow;

    /// <summary>The limiter itself (statistics, benchmarks).</summary>
    public RateLimiter Limiter => _limiter;

    /// <summary>Waits for a request slot and takes it.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The slot; <see cref="Lease.Return"/> gives it back when it was not used.</returns>
    public ValueTask<Lease> AcquireAsync(CancellationToken cancellationToken) => AcquireAsync(priority: false, cancellationToken);

    /// <summary>Waits for a request slot and takes it, ahead of ordinary callers when <paramref name="priority"/>.</summary>
    /// <param name="priority">Whether to wait in the priority lane.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The slot; <see cref="Lease.Return"/> gives it back when it was not used.</returns>
    public async ValueTask<Lease> AcquireAsync(bool priority, CancellationToken cancellationToken)
    {
        if (!priority && _ordinary is not null)
        {
            // Held for the window whatever happens to the lease (it frees nothing early), like every slot.
            using var share = await _ordinary.AcquireAsync(1, false, cancellationToken).ConfigureAwait(false);
            ObjectDisposedException.ThrowIf(!share.IsAcquired, this);
        }

        var lease = await _limiter.AcquireAsync(1, priority, cancellationToken).ConfigureAwait(false);
        return lease is SlidingLogRateLimiter.SlotLease slot ? new Lease(slot) : throw new ObjectDisposedException(nameof(RequestBudget));
    }

    /// <summary>Stops every caller until <paramref name="until"/> (a 429's <c>Retry-After</c>).</summary>
    /// <param name="until">When requests may go again.</param>
    public void PauseUntil(DateTimeOffset until) => _limiter.PauseUntil(until);

    public void Dispose()
    {
        _ordinary?.Dispose();
        _limiter.Dispose();
    }

    /// <summary>A request slot.</summary>
    internal readonly struct Lease(SlidingLogRateLimiter.SlotLease slot)
    {
        /// <summary>Gives the slot back unused.</summary>
        public void Return() => slot.GiveBack();
    }
}

/// <summary>
/// Marks requests that someone waits for (verifying an agent's state before a write, loading an agent who just signed
/// in, a write sent again): an <see cref="AsyncLocal{T}"/> flag that flows into the HTTP layer, which then takes its
/// slot in the priority lane, ahead of (and beyond the share of) bulk reads such as reconciliation.
/// </summary>
internal static class UrgentRequests
{
    /// <summary>At most this many agents make a state read urgent (a verification or a sign-in, not a reconciliation).</summary>
    public const int MaxAgents = 10;

    private static readonly AsyncLocal<bool> s_active = new();

    public static bool IsActive => s_active.Value;

    /// <summary>Marks the rest of the calling async method (and what it awaits) as urgent.</summary>
    public static void Enter() => s_active.Value = true;
}
