using Microsoft.Extensions.Logging;

namespace Webex.TeamsConnector;

/// <summary>
/// The clean-up that delete does before the connector becomes Deleted: each adapter's <see cref="IConnectorCleanup"/>
/// (the WxCC webhook subscription, the Graph subscriptions), then every Teams presence the connector published, cleared
/// through the publisher port (the feeds are stopped while the connector is inactive). Every step runs even when an
/// earlier one failed; the failures are returned and logged, and running it again is harmless.
/// </summary>
internal sealed class ConnectorDeletion(IEnumerable<IConnectorCleanup> cleanups, ITeamsPresencePublisher? publisher, PublishedPresenceLedger ledger, ILogger logger)
{
    /// <summary>Runs every step.</summary>
    /// <param name="cancellationToken">Cancels the clean-up.</param>
    /// <returns>What failed, in words (empty when all is clean).</returns>
    public async Task<IReadOnlyList<string>> RunAsync(CancellationToken cancellationToken)
    {
        var failures = new List<string>();
        foreach (var cleanup in cleanups)
        {
            try
            {
                var removed = await cleanup.CleanUpAsync(cancellationToken).ConfigureAwait(false);
                Log.CleanupDone(logger, cleanup.Name, removed);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                var problem = Describe(ex);
                failures.Add($"{cleanup.Name}: {problem}");
                Log.CleanupFailed(logger, cleanup.Name, problem, ex);
            }
        }

        if (publisher is not null)
        {
            const string Name = "published Teams presence";
            var users = ledger.Users;
            var failed = 0;
            Exception? first = null;
            foreach (var user in users)
            {
                try
                {
                    await publisher.ClearAsync(user, cancellationToken).ConfigureAwait(false);
                    ledger.Cleared(user);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    failed++;
                    first ??= ex;
                }
            }

            if (failed == 0)
            {
                Log.CleanupDone(logger, Name, users.Count);
            }
            else
            {
                var problem = $"{failed} of {users.Count} users could not be cleared ({Describe(first!)})";
                failures.Add($"{Name}: {problem}");
                Log.CleanupFailed(logger, Name, problem, first);
            }
        }

        return failures;
    }

    private static string Describe(Exception ex)
    {
        var message = ex.Message.Length <= 300 ? ex.Message : ex.Message[..300];
        return $"{ex.GetType().Name}: {message}";
    }
}
