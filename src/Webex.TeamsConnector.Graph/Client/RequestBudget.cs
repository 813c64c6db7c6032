namespace Webex.TeamsConnector.Graph;

/// <summary>
/// A sliding-window request budget on a <see cref="TimeProvider"/>: at most <c>limit</c> requests start within any
/// window, and nothing starts while paused by a <c>Retry-After</c>. Waiters sleep on the time provider.
/// </summary>
internal sealed class RequestBudget
{
    private readonly Queue<DateTimeOffset> _starts = new();
    private readonly TimeProvider _time;
    private DateTimeOffset _pausedUntil;

    public RequestBudget(int limit, TimeSpan window, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        Limit = limit;
        Window = window;
        _time = time;
    }

    public int Limit { get; }

    public TimeSpan Window { get; }

    /// <summary>Requests started within the current window.</summary>
    public int InWindow
    {
        get
        {
            lock (_starts)
            {
                Prune(_time.GetUtcNow());
                return _starts.Count;
            }
        }
    }

    public async ValueTask AcquireAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            TimeSpan wait;
            lock (_starts)
            {
                var now = _time.GetUtcNow();
                Prune(now);
                if (now >= _pausedUntil && _starts.Count < Limit)
                {
                    _starts.Enqueue(now);
                    return;
                }

                wait = _pausedUntil - now;
                if (_starts.Count >= Limit)
                {
                    var free = _starts.Peek() + Window - now;
                    wait = free > wait ? free : wait;
                }
            }

            await Task.Delay(wait > TimeSpan.Zero ? wait : TimeSpan.FromMilliseconds(1), _time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Stops every request from starting for <paramref name="delay"/> (Graph answered 429).</summary>
    public void Pause(TimeSpan delay)
    {
        lock (_starts)
        {
            var until = _time.GetUtcNow() + delay;
            if (until > _pausedUntil)
            {
                _pausedUntil = until;
            }
        }
    }

    private void Prune(DateTimeOffset now)
    {
        while (_starts.Count > 0 && now - _starts.Peek() >= Window)
        {
            _starts.Dequeue();
        }
    }
}
