using Microsoft.Extensions.Time.Testing;

namespace Webex.TeamsConnector.Graph.Tests;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that knows its pending timers, so a test drives fake time the way a
/// discrete-event simulation does: jump to the next timer someone waits on, then wait (with a wall-clock guard,
/// never a sleep) until the code under test reacted: created its next timer, or completed what the test awaits.
/// Timeouts (timers owned by a <see cref="CancellationTokenSource"/>: Polly's attempt timeout, the emulator's
/// handshake timeout) are never jumped to; they fire only when a test advances past them itself.
/// </summary>
public sealed class ManualClock : FakeTimeProvider
{
    private static readonly TimeSpan s_guard = TimeSpan.FromSeconds(20);
    private readonly Lock _gate = new();
    private readonly HashSet<Tracked> _timers = [];
    private TaskCompletionSource _created = New();

    public ManualClock()
        : base(new DateTimeOffset(2026, 11, 24, 8, 0, 0, TimeSpan.Zero))
    {
    }

    private enum Kind
    {
        Timeout,
        Delay,
        Other,
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var kind = state is CancellationTokenSource ? Kind.Timeout
            : state?.GetType().Name.Contains("Delay", StringComparison.Ordinal) == true ? Kind.Delay
            : Kind.Other;
        var tracked = new Tracked(this, kind);
        tracked.Inner = base.CreateTimer(
            s =>
            {
                tracked.Fired();
                callback(s);
            },
            state,
            dueTime,
            period);
        tracked.Schedule(dueTime, period);
        return tracked;
    }

    /// <summary>Raised whenever a timer is scheduled (someone waits on fake time).</summary>
    public event Action? TimerScheduled;

    /// <summary>The earliest due time of a pending timer that is not a timeout, if any.</summary>
    public DateTimeOffset? NextWait() => Earliest()?.Due;

    /// <summary>
    /// Drives fake time until <paramref name="done"/> holds: jumps to the next pending wait, then waits until the
    /// code reacts. Fails when fake time would pass <paramref name="maxFakeTime"/> or nothing happens for 20 s.
    /// </summary>
    /// <param name="done">The condition.</param>
    /// <param name="maxFakeTime">The most fake time to let pass.</param>
    /// <param name="progress">A task whose completion also counts as a reaction (for example the call under test).</param>
    /// <returns>A task that completes when the condition holds.</returns>
    public async Task RunUntilAsync(Func<bool> done, TimeSpan maxFakeTime, Task? progress = null)
    {
        var limit = GetUtcNow() + maxFakeTime;
        while (!done())
        {
            if (progress is { IsFaulted: true })
            {
                await progress.ConfigureAwait(false);
            }

            if (!await StepAsync(limit, progress, s_guard, waitBeyondLimit: true).ConfigureAwait(false) && !done())
            {
                throw new TimeoutException($"The condition did not hold within {maxFakeTime} of fake time, or nothing happened for {s_guard.TotalSeconds} s of wall-clock time (fake time {GetUtcNow():O}; pending: {Pending()}).");
            }
        }
    }

    /// <summary>Lets <paramref name="span"/> of fake time pass, running everything due in it.</summary>
    /// <param name="span">The fake time.</param>
    /// <returns>A task that completes when the time has passed.</returns>
    public async Task RunForAsync(TimeSpan span)
    {
        var end = GetUtcNow() + span;
        while (await StepAsync(end, null, TimeSpan.FromSeconds(2)).ConfigureAwait(false))
        {
        }

        if (GetUtcNow() < end)
        {
            Advance(end - GetUtcNow());
        }
    }

    /// <summary>
    /// One step: jump to the next pending wait (if it is due by <paramref name="limit"/>), then wait for the code to
    /// react (a new timer, or <paramref name="progress"/>). False when nothing is due by the limit or nothing reacted.
    /// </summary>
    private async Task<bool> StepAsync(DateTimeOffset limit, Task? progress, TimeSpan idle, bool waitBeyondLimit = false)
    {
        Task created;
        lock (_gate)
        {
            created = _created.Task;
        }

        if (Earliest() is { Due: { } due } next)
        {
            if (due > limit)
            {
                if (!waitBeyondLimit)
                {
                    return false;
                }

                // Nothing more is due in time; work still in flight may yet satisfy the condition.
                try
                {
                    await (progress is null ? created : Task.WhenAny(created, progress)).WaitAsync(idle).ConfigureAwait(false);
                    return true;
                }
                catch (TimeoutException)
                {
                    return false;
                }
            }

            var delta = due - GetUtcNow();
            Advance(delta > TimeSpan.Zero ? delta : TimeSpan.Zero);
            if (next.Kind != Kind.Delay)
            {
                return true;
            }
        }

        try
        {
            await (progress is null ? created : Task.WhenAny(created, progress)).WaitAsync(idle).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    private string Pending()
    {
        lock (_gate)
        {
            return _timers.Count == 0 ? "none" : string.Join(", ", _timers.Select(t => $"{t.Kind} at {t.Due:HH:mm:ss.fffffff}"));
        }
    }

    private static TaskCompletionSource New() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private Tracked? Earliest()
    {
        lock (_gate)
        {
            Tracked? earliest = null;
            foreach (var timer in _timers)
            {
                if (timer.Kind != Kind.Timeout && timer.Due is { } due && (earliest is null || due < earliest.Due))
                {
                    earliest = timer;
                }
            }

            return earliest;
        }
    }

    private void Signal()
    {
        TaskCompletionSource created;
        lock (_gate)
        {
            created = _created;
            _created = New();
        }

        created.TrySetResult();
        TimerScheduled?.Invoke();
    }

    private sealed class Tracked(ManualClock clock, Kind kind) : ITimer
    {
        private TimeSpan _period = Timeout.InfiniteTimeSpan;

        public ITimer Inner { get; set; } = null!;

        public Kind Kind { get; } = kind;

        public DateTimeOffset? Due { get; private set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            var changed = Inner.Change(dueTime, period);
            Schedule(dueTime, period);
            return changed;
        }

        public void Dispose()
        {
            Inner.Dispose();
            Remove();
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return default;
        }

        public void Schedule(TimeSpan dueTime, TimeSpan period)
        {
            lock (clock._gate)
            {
                _period = period;
                if (dueTime == Timeout.InfiniteTimeSpan)
                {
                    Due = null;
                    clock._timers.Remove(this);
                    return;
                }

                Due = clock.GetUtcNow() + dueTime;
                clock._timers.Add(this);
            }

            clock.Signal();
        }

        public void Fired()
        {
            lock (clock._gate)
            {
                if (_period == Timeout.InfiniteTimeSpan || _period == TimeSpan.Zero)
                {
                    Due = null;
                    clock._timers.Remove(this);
                }
                else
                {
                    Due = clock.GetUtcNow() + _period;
                }
            }
        }

        private void Remove()
        {
            lock (clock._gate)
            {
                Due = null;
                clock._timers.Remove(this);
            }
        }
    }
}
