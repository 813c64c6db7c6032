namespace Webex.TeamsConnector.Testing;

/// <summary>Change signalling: <see cref="StateChanged"/> and <see cref="WaitUntilAsync"/>, so tests wait on events, not on the clock.</summary>
public sealed partial class GraphEmulator
{
    private readonly Lock _changeGate = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// Raised after every change of the emulator: a user added, a presence set or cleared (by the control surface or
    /// over HTTP), a subscription created, renewed, reauthorized or deleted, a notification delivered or failed, and
    /// every request answered (it is in <see cref="Requests"/> when this is raised). Handlers run on the thread that
    /// made the change and must return quickly.
    /// </summary>
    public event EventHandler? StateChanged;

    /// <summary>
    /// Waits until <paramref name="condition"/> holds, checking it again after every change of the emulator (see
    /// <see cref="StateChanged"/>) — no polling. The timeout runs on the real clock, whatever the emulator's
    /// <see cref="GraphEmulatorOptions.TimeProvider"/>.
    /// </summary>
    /// <param name="condition">The condition.</param>
    /// <param name="timeout">The longest wait; 10 seconds when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes when the condition holds.</returns>
    /// <exception cref="TimeoutException">The condition did not hold in time.</exception>
    public async Task WaitUntilAsync(Func<GraphEmulator, bool> condition, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(condition);
        using var limit = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10), TimeProvider.System);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(limit.Token, cancellationToken);
        while (true)
        {
            Task changed;
            lock (_changeGate)
            {
                changed = _changed.Task;
            }

            if (condition(this))
            {
                return;
            }

            try
            {
                await changed.WaitAsync(linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                if (condition(this))
                {
                    return;
                }

                throw new TimeoutException("The Graph emulator did not reach the expected condition in time.");
            }
        }
    }

    private void Changed()
    {
        TaskCompletionSource old;
        lock (_changeGate)
        {
            old = _changed;
            _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        old.TrySetResult();
        StateChanged?.Invoke(this, EventArgs.Empty);
    }
}
