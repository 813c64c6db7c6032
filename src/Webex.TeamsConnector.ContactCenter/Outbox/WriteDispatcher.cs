namespace Webex.TeamsConnector.ContactCenter;

/// <summary>
/// Decides which pending write goes next and how many are in flight: one loop takes a concurrency slot, waits until a
/// write is due, takes a request slot of the shared budget (in its priority lane when an Idle write is ready), and only
/// then takes the write, Idle first, so that when the budget is short the protective Idle writes go before Available
/// ones. A budget slot taken when no write was left is given back. At most <c>maxConcurrent</c> sends run at once.
/// </summary>
/// <remarks>The pending writes are shared with the outbox under its lock (<c>gate</c>); waiting happens outside it.</remarks>
internal sealed class WriteDispatcher
{
    private readonly object _gate;
    private readonly PendingWrites _pending;
    private readonly RequestBudget _budget;
    private readonly int _maxConcurrent;
    private readonly TimeProvider _time;
    private TaskCompletionSource _pulse = NewPulse();

    public WriteDispatcher(object gate, PendingWrites pending, RequestBudget budget, int maxConcurrent, TimeProvider timeProvider)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxConcurrent, 1);
        _gate = gate;
        _pending = pending;
        _budget = budget;
        _maxConcurrent = maxConcurrent;
        _time = timeProvider;
    }

    /// <summary>Raised when the dispatcher waits for a delayed write (its timer is registered), with the wait.</summary>
    public event Action<TimeSpan>? Waiting;

    /// <summary>Wakes the loop: a write was queued or a send finished.</summary>
    public void Signal()
    {
        TaskCompletionSource old;
        lock (_gate)
        {
            old = _pulse;
            _pulse = NewPulse();
        }

        old.TrySetResult();
    }

    /// <summary>
    /// Runs until <paramref name="cancellationToken"/> is cancelled, handing each write taken to <paramref name="send"/>;
    /// on the way out waits for every send started.
    /// </summary>
    /// <param name="send">Sends one write (its budget slot is held); must put it out of flight when done.</param>
    /// <param name="cancellationToken">Stops the loop.</param>
    public async Task RunAsync(Func<PendingWrite, CancellationToken, Task> send, CancellationToken cancellationToken)
    {
        var sends = new HashSet<Task>();
        using var slots = new SemaphoreSlim(_maxConcurrent);
        try
        {
            while (true)
            {
                await slots.WaitAsync(cancellationToken).ConfigureAwait(false);
                PendingWrite? write;
                try
                {
                    await WaitForDueWorkAsync(cancellationToken).ConfigureAwait(false);
                    // Every write waits in the priority lane, ahead of reads (reconciliation at start reads hundreds of
                    // pages): this loop takes one slot at a time, so an Available write queued behind reads would hold
                    // back every Idle write after it. Idle still goes before Available: Take picks Idle first.
                    var lease = await _budget.AcquireAsync(priority: true, cancellationToken).ConfigureAwait(false);
                    lock (_gate)
                    {
                        write = _pending.Take(_time.GetUtcNow());
                    }

                    if (write is null)
                    {
                        lease.Return();
                    }
                }
                catch
                {
                    slots.Release();
                    throw;
                }

                if (write is null)
                {
                    slots.Release();
                    continue;
                }

                var sent = send(write, cancellationToken);
                lock (sends)
                {
                    sends.Add(sent);
                }

                _ = sent.ContinueWith(
                    t =>
                    {
                        lock (sends)
                        {
                            sends.Remove(t);
                        }

                        slots.Release();
                    },
                    CancellationToken.None,
                    TaskContinuationOptions.ExecuteSynchronously,
                    TaskScheduler.Default);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            Task[] started;
            lock (sends)
            {
                started = [.. sends];
            }

            await Task.WhenAll(started).ConfigureAwait(false);
        }
    }

    /// <summary>Waits until a write can be taken; true when an Idle write is ready.</summary>
    private async Task<bool> WaitForDueWorkAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task pulse;
            TimeSpan? wait = null;
            lock (_gate)
            {
                var now = _time.GetUtcNow();
                if (_pending.HasReady(now))
                {
                    return _pending.HasReadyIdle(now);
                }

                pulse = _pulse.Task;
                if (_pending.NextDelayedDue is { } due)
                {
                    wait = due - now;
                }
            }

            if (wait is { } w)
            {
                using var cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                var delay = Task.Delay(w, _time, cancel.Token);
                Waiting?.Invoke(w);
                await Task.WhenAny(pulse, delay).ConfigureAwait(false);
                await cancel.CancelAsync().ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested();
            }
            else
            {
                await pulse.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static TaskCompletionSource NewPulse() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
