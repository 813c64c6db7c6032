using Microsoft.Extensions.Logging;

namespace Webex.TeamsConnector;

/// <summary>
/// While a sync session runs, reads the organization's presence-sync setting every
/// <see cref="StateSyncOptions.PresenceSyncCheckInterval"/> (one GET of the Webex Calling MS Teams settings). When it is
/// off, the connector becomes degraded: the status change ends the session, and the host checks the setting again at
/// the same interval to resume. A failed read is reported and retried at the next check; it does not stop sync.
/// </summary>
internal static class PresenceSyncSettingWatch
{
    public static async Task RunAsync(IContactCenterDirectory directory, ConnectorRuntime runtime, TimeSpan interval, TimeProvider time, ILogger logger, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(interval, time, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (cancellationToken.IsCancellationRequested)
            {
                break;
            }

            bool enabled;
            try
            {
                enabled = await directory.GetPresenceSyncSettingAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
            {
                Log.PresenceSyncCheckFailed(logger, ex.GetType().Name + ": " + ex.Message);
                continue;
            }

            if (!enabled)
            {
                Log.PresenceSyncTurnedOff(logger);
                await runtime.UpdateAsync(r => (r with { PresenceSyncEnabled = false }, true), cancellationToken).ConfigureAwait(false);
                break;
            }
        }

        // A session's feeds end only when it stops: wait for that.
        await Task.Delay(Timeout.InfiniteTimeSpan, time, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }
}
