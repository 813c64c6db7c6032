namespace Webex.TeamsConnector.ContactCenter;

/// <summary>
/// The adapter's request budget: at most <c>RequestsPerMinute</c> requests in any sliding 60-second window, shared by
/// every call the adapter makes (tokens, writes, reads, subscriptions). A 429 pauses every caller until its
/// <c>Retry-After</c> has passed. Time comes from the <see cref="TimeProvider"/>, so tests drive it with fake time.
/// </summary>
/// <remarks>Thread-safe: the window is kept under one lock; waiting happens outside it.</remarks>
internal sealed class RequestBudget
{
    internal static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    // WxCC counts a request when it arrives, and a request may spend a moment on the wire after its slot was taken: each
    // slot is held a second longer than the window, so that no minute at the server sees more than the limit.
    private static readonly TimeSpan s_hold = Window + TimeSpan.FromSeconds(1);

    private readonly Queue<DateTimeOffset> _grants = new();
    private readonly TimeProvider _time;
    private DateTimeOffset _pausedUntil = DateTimeOffset.MinValue;
    private int _waiting;
    private long _granted;

    public RequestBudget(int requestsPerMinute, TimeProvider timeProvider)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(requestsPerMinute, 1);
        Limit = requestsPerMinute;
        _time = timeProvider;
    }

    /// <summary>The requests allowed per sliding minute.</summary>
    public int Limit { get; }

    /// <summary>Raised after a caller started waiting (its timer is registered), with the wait.</summary>
    public event Action<TimeSpan>? Throttled;

    /// <summary>The number of callers waiting for the budget.</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    /// <summary>Slots granted since start, less those given back unused (tests compare it with what the server saw).</summary>
    public long Granted => Interlocked.Read(ref _granted);

    /// <summary>The requests granted in the current window.</summary>
    public int Used
    {
        get
        {
            lock (_grants)
            {
                Purge(_time.GetUtcNow());
                return _grants.Count;
            }
        }
    }

    /// <summary>Waits for a request slot and takes it.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The slot; <see cref="Lease.Return"/> gives it back when it was not used.</returns>
    public async ValueTask<Lease> AcquireAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            TimeSpan wait;
            lock (_grants)
            {
                var now = _time.GetUtcNow();
                Purge(now);
                if (now < _pausedUntil)
                {
                    wait = _pausedUntil - now;
                }
                else if (_grants.Count < Limit)
                {
                    _grants.Enqueue(now);
                    Interlocked.Increment(ref _granted);
                    return new Lease(this, now);
                }
                else
                {
                    wait = _grants.Peek() + s_hold - now;
                }
            }

            if (wait <= TimeSpan.Zero)
            {
                wait = TimeSpan.FromMilliseconds(1);
            }

            Interlocked.Increment(ref _waiting);
            try
            {
                var delay = Task.Delay(wait, _time, cancellationToken);
                Throttled?.Invoke(wait);
                await delay.ConfigureAwait(false);
            }
            finally
            {
                Interlocked.Decrement(ref _waiting);
            }
        }
    }

    /// <summary>Stops every caller until <paramref name="until"/> (a 429's <c>Retry-After</c>).</summary>
    /// <param name="until">When requests may go again.</param>
    public void PauseUntil(DateTimeOffset until)
    {
        lock (_grants)
        {
            if (until > _pausedUntil)
            {
                _pausedUntil = until;
            }
        }
    }

    private void Purge(DateTimeOffset now)
    {
        while (_grants.Count > 0 && _grants.Peek() + s_hold <= now)
        {
            _grants.Dequeue();
        }
    }

    private void Return(DateTimeOffset grantedAt)
    {
        lock (_grants)
        {
            // Remove one grant with this time stamp (grants are in time order; rebuild without one match).
            var found = false;
            var count = _grants.Count;
            for (var i = 0; i < count; i++)
            {
                var g = _grants.Dequeue();
                if (!found && g == grantedAt)
                {
                    found = true;
                    Interlocked.Decrement(ref _granted);
                    continue;
                }

                _grants.Enqueue(g);
            }
        }
    }

    /// <summary>A request slot.</summary>
    internal readonly struct Lease(RequestBudget budget, DateTimeOffset grantedAt)
    {
        /// <summary>Gives the slot back unused.</summary>
        public void Return() => budget.Return(grantedAt);
    }
}
