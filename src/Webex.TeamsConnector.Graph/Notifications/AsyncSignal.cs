namespace Webex.TeamsConnector.Graph;

/// <summary>An auto-reset wake-up signal whose timed wait runs on a <see cref="TimeProvider"/>.</summary>
internal sealed class AsyncSignal
{
    private TaskCompletionSource _signal = New();

    public void Set() => Volatile.Read(ref _signal).TrySetResult();

    /// <summary>Waits until set or until <paramref name="timeout"/> passed on the time provider.</summary>
    public async Task WaitAsync(TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        var current = Volatile.Read(ref _signal);
        if (!current.Task.IsCompleted && timeout > TimeSpan.Zero)
        {
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var delay = Task.Delay(timeout, time, stop.Token);
            await Task.WhenAny(current.Task, delay).ConfigureAwait(false);
            await stop.CancelAsync().ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
        }

        if (current.Task.IsCompleted)
        {
            Interlocked.CompareExchange(ref _signal, New(), current);
        }
    }

    private static TaskCompletionSource New() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
