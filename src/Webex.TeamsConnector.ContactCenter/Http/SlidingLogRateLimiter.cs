using System.Threading.RateLimiting;

namespace Webex.TeamsConnector.RateLimiting;

/// <summary>
/// An exact sliding-log rate limiter on a <see cref="TimeProvider"/>: every permit granted is held for
/// <c>hold</c> from the moment it was granted, and at most <c>permitLimit</c> permits are held at once, so no window of
/// that length ever sees more grants than the limit. Waiters queue first in, first out, with a priority lane ahead of the
/// ordinary one; <see cref="PauseUntil"/> (a <c>Retry-After</c>) holds every caller. A lease can be given back unused
/// (<see cref="SlotLease.GiveBack"/>); disposing a lease does not free its permits early, time does.
/// </summary>
/// <remarks>
/// Shared as source by the Graph and Contact Center packages (each compiles its own internal copy). Thread-safe: state
/// under one lock, waiters completed outside it. A single timer on the time provider exists only while someone waits, so
/// a test on fake time sees a pending timer exactly when a caller is held.
/// </remarks>
internal sealed partial class SlidingLogRateLimiter : RateLimiter
{
    private readonly object _gate = new();
    private readonly TimeProvider _time;
    private readonly long _holdTicks;
    private readonly long[] _log;
    private readonly LinkedList<Waiter> _priority = new();
    private readonly LinkedList<Waiter> _ordinary = new();
    private int _head;
    private int _count;
    private int _queuedPermits;
    private long _pausedUntil = long.MinValue;
    private long _successful;
    private long _failed;
    private long _held;
    private long _idleFrom;
    private ITimer? _timer;
    private long _timerDue;
    private bool _disposed;

    /// <summary>Creates the limiter.</summary>
    /// <param name="permitLimit">The permits held at most at once (the most grants in any window of <paramref name="hold"/>).</param>
    /// <param name="hold">How long a granted permit is held.</param>
    /// <param name="timeProvider">The clock and timers.</param>
    public SlidingLogRateLimiter(int permitLimit, TimeSpan hold, TimeProvider timeProvider)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(permitLimit);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(hold, TimeSpan.Zero);
        ArgumentNullException.ThrowIfNull(timeProvider);
        PermitLimit = permitLimit;
        Hold = hold;
        _holdTicks = hold.Ticks;
        _time = timeProvider;
        _log = new long[permitLimit];
        _idleFrom = Now();
    }

    /// <summary>Raised (outside the lock) after a caller was queued or the wait was re-armed; the timer is registered.</summary>
    public event Action<TimeSpan>? Queued;

    /// <summary>The permits held at most at once.</summary>
    public int PermitLimit { get; }

    /// <summary>How long a granted permit is held.</summary>
    public TimeSpan Hold { get; }

    /// <summary>The permits held now (granted within the last <see cref="Hold"/> and not given back).</summary>
    public int InWindow
    {
        get
        {
            lock (_gate)
            {
                Purge(Now());
                return _count;
            }
        }
    }

    /// <summary>The callers waiting.</summary>
    public int Waiting
    {
        get
        {
            lock (_gate)
            {
                return _priority.Count + _ordinary.Count;
            }
        }
    }

    /// <summary>Permits granted since start, less those given back.</summary>
    public long Granted => Interlocked.Read(ref _held);

    /// <inheritdoc />
    public override TimeSpan? IdleDuration
    {
        get
        {
            lock (_gate)
            {
                var now = Now();
                Purge(now);
                return _count == 0 && _priority.Count + _ordinary.Count == 0 ? TimeSpan.FromTicks(Math.Max(0, now - _idleFrom)) : null;
            }
        }
    }

    /// <summary>Holds every caller until <paramref name="until"/> (a 429's <c>Retry-After</c>); never shortens a pause.</summary>
    /// <param name="until">When permits may be granted again.</param>
    public void PauseUntil(DateTimeOffset until)
    {
        lock (_gate)
        {
            if (until.UtcTicks > _pausedUntil)
            {
                _pausedUntil = until.UtcTicks;
            }
        }

        Pump();
    }

    /// <summary>Waits for <paramref name="permitCount"/> permits, in the priority lane when <paramref name="priority"/>.</summary>
    /// <param name="permitCount">The permits wanted (at most <see cref="PermitLimit"/>).</param>
    /// <param name="priority">Whether to queue ahead of every ordinary waiter.</param>
    /// <param name="cancellationToken">Cancels the wait (the waiter leaves the queue).</param>
    /// <returns>The lease (a <see cref="SlotLease"/> that can be given back).</returns>
    public ValueTask<RateLimitLease> AcquireAsync(int permitCount, bool priority, CancellationToken cancellationToken) =>
        AcquireCore(permitCount, priority, returnable: true, cancellationToken);

    private ValueTask<RateLimitLease> AcquireCore(int permitCount, bool priority, bool returnable, CancellationToken cancellationToken)
    {
        CheckCount(permitCount);
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<RateLimitLease>(cancellationToken);
        }

        Waiter waiter;
        TimeSpan wait;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var now = Now();
            Purge(now);
            var ahead = priority ? _priority.Count : _priority.Count + _ordinary.Count;
            if (ahead == 0 && CanGrant(permitCount, now))
            {
                return new ValueTask<RateLimitLease>(Grant(permitCount, now, returnable));
            }

            waiter = new Waiter(this, permitCount, returnable);
            waiter.Node = (priority ? _priority : _ordinary).AddLast(waiter);
            _queuedPermits += permitCount;
            wait = Arm(now);
        }

        waiter.Registration = cancellationToken.UnsafeRegister(static (s, token) => ((Waiter)s!).Cancel(token), waiter);
        Queued?.Invoke(wait);
        return new ValueTask<RateLimitLease>(waiter.Task);
    }

    /// <inheritdoc />
    public override RateLimiterStatistics? GetStatistics()
    {
        lock (_gate)
        {
            var now = Now();
            Purge(now);
            return new RateLimiterStatistics
            {
                CurrentAvailablePermits = now < _pausedUntil ? 0 : PermitLimit - _count,
                CurrentQueuedCount = _queuedPermits,
                TotalSuccessfulLeases = Interlocked.Read(ref _successful),
                TotalFailedLeases = Interlocked.Read(ref _failed),
            };
        }
    }

    /// <inheritdoc />
    protected override RateLimitLease AttemptAcquireCore(int permitCount)
    {
        CheckCount(permitCount);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var now = Now();
            Purge(now);
            var free = _priority.Count + _ordinary.Count == 0 && CanGrant(permitCount, now);
            if (free)
            {
                return Grant(permitCount, now, returnable: false);
            }

            Interlocked.Increment(ref _failed);
            return new FailedLease(TimeSpan.FromTicks(NextDue(Math.Max(permitCount, 1), now) - now));
        }
    }

    /// <inheritdoc />
    /// <remarks>Leases of the standard API are not returnable: a grant without a waiter then allocates nothing.</remarks>
    protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken) =>
        AcquireCore(permitCount, priority: false, returnable: false, cancellationToken);

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Close();
        }

        base.Dispose(disposing);
    }

    /// <inheritdoc />
    protected override ValueTask DisposeAsyncCore()
    {
        Close();
        return base.DisposeAsyncCore();
    }

    private long Now() => _time.GetUtcNow().UtcTicks;

    /// <summary>Fails every waiter (a lease that was not acquired) and drops the timer.</summary>
    private void Close()
    {
        List<Waiter> failed;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            failed = [.. _priority, .. _ordinary];
            _priority.Clear();
            _ordinary.Clear();
            _queuedPermits = 0;
            _timer?.Dispose();
            _timer = null;
        }

        foreach (var waiter in failed)
        {
            waiter.Registration.Dispose();
            Interlocked.Increment(ref _failed);
            waiter.TrySetResult(s_failed);
        }
    }

    private void CheckCount(int permitCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(permitCount);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(permitCount, PermitLimit);
    }

    private bool CanGrant(int permitCount, long now) => now >= _pausedUntil && _count + permitCount <= PermitLimit;

    private SlotLease Grant(int permitCount, long now, bool returnable)
    {
        for (var i = 0; i < permitCount; i++)
        {
            _log[(_head + _count) % _log.Length] = now;
            _count++;
        }

        Interlocked.Increment(ref _successful);
        Interlocked.Add(ref _held, permitCount);
        _idleFrom = Math.Max(_idleFrom, now + _holdTicks);
        return permitCount == 0 || !returnable ? SlotLease.Empty : new SlotLease(this, now, permitCount);
    }

    private void Purge(long now)
    {
        while (_count > 0 && _log[_head] + _holdTicks <= now)
        {
            _head = (_head + 1) % _log.Length;
            _count--;
        }
    }

    /// <summary>When <paramref name="permitCount"/> permits can next be granted (after a purge at <paramref name="now"/>).</summary>
    private long NextDue(int permitCount, long now)
    {
        var due = Math.Max(now, _pausedUntil);
        var excess = _count + permitCount - PermitLimit;
        if (excess > 0)
        {
            due = Math.Max(due, _log[(_head + excess - 1) % _log.Length] + _holdTicks);
        }

        return due;
    }

    /// <summary>Arms the timer for the head waiter (the caller holds the lock and a waiter exists); returns the wait.</summary>
    private TimeSpan Arm(long now)
    {
        var head = (_priority.First ?? _ordinary.First)!.Value;
        var due = NextDue(head.Permits, now);
        if (_timer is null || _timerDue != due)
        {
            _timer?.Dispose();
            _timerDue = due;
            _timer = _time.CreateTimer(static s => ((SlidingLogRateLimiter)s!).OnTimer(), this, TimeSpan.FromTicks(Math.Max(due - now, 1)), Timeout.InfiniteTimeSpan);
        }

        return TimeSpan.FromTicks(due - now);
    }

    /// <summary>
    /// The timer fired: it is spent, whether or not its due time has come (a real timer counts whole milliseconds and may
    /// fire a little early), so the pump arms a new one for whoever still waits.
    /// </summary>
    private void OnTimer()
    {
        lock (_gate)
        {
            _timer?.Dispose();
            _timer = null;
        }

        Pump();
    }

    /// <summary>Grants what can be granted, in queue order, and re-arms or drops the timer.</summary>
    private void Pump()
    {
        List<(Waiter Waiter, SlotLease Lease)>? granted = null;
        TimeSpan? wait = null;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            var now = Now();
            Purge(now);
            while ((_priority.First ?? _ordinary.First)?.Value is { } head && CanGrant(head.Permits, now))
            {
                head.Node!.List!.Remove(head.Node);
                _queuedPermits -= head.Permits;
                (granted ??= []).Add((head, Grant(head.Permits, now, head.Returnable)));
            }

            if (_priority.Count + _ordinary.Count > 0)
            {
                var before = _timerDue;
                var armed = _timer is not null;
                var next = Arm(now);
                if (!armed || before != _timerDue)
                {
                    wait = next;
                }
            }
            else
            {
                _timer?.Dispose();
                _timer = null;
            }
        }

        if (granted is not null)
        {
            foreach (var (waiter, lease) in granted)
            {
                waiter.Registration.Dispose();
                waiter.TrySetResult(lease);
            }
        }

        if (wait is { } w)
        {
            Queued?.Invoke(w);
        }
    }

    private void GiveBack(long grantedAt, int permitCount)
    {
        var removed = 0;
        lock (_gate)
        {
            // The newest match first: a lease given back is usually recent. Later entries shift down one place.
            for (var i = _count - 1; i >= 0 && removed < permitCount; i--)
            {
                if (_log[(_head + i) % _log.Length] != grantedAt)
                {
                    continue;
                }

                for (var j = i; j < _count - 1; j++)
                {
                    _log[(_head + j) % _log.Length] = _log[(_head + j + 1) % _log.Length];
                }

                _count--;
                removed++;
            }
        }

        Interlocked.Add(ref _held, -permitCount);
        if (removed > 0)
        {
            Pump();
        }
    }

    private void Cancel(Waiter waiter, CancellationToken token)
    {
        lock (_gate)
        {
            if (waiter.Node?.List is not { } list)
            {
                return;
            }

            list.Remove(waiter.Node);
            _queuedPermits -= waiter.Permits;
        }

        waiter.TrySetCanceled(token);
        Pump();
    }
}
