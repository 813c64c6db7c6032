using Microsoft.Extensions.Logging;
using Webex.TeamsConnector.Graph;

namespace Webex.TeamsConnector.Orleans;

/// <summary>
/// The org's Graph subscriptions across owners: the ids the org's earlier owner held (from grain storage) are the
/// only leftovers this owner may delete (it replaces them with its own); the ids it holds are written back to the grain,
/// one write after the other, in the order of the changes.
/// </summary>
internal sealed class GrainSubscriptionOwnership(IOrgConnectorGrain grain, IReadOnlyCollection<string> previous, ILogger logger) : ISubscriptionOwnership
{
    private readonly HashSet<string> _previous = new(previous, StringComparer.OrdinalIgnoreCase);
    private readonly Lock _gate = new();
    private Task _writes = Task.CompletedTask;

    public bool MayDelete(string subscriptionId) => _previous.Contains(subscriptionId);

    public void Held(IReadOnlyCollection<string> subscriptionIds)
    {
        string[] ids = [.. subscriptionIds];
        lock (_gate)
        {
            _writes = _writes.ContinueWith(_ => WriteAsync(ids), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default).Unwrap();
        }
    }

    private async Task WriteAsync(string[] ids)
    {
        try
        {
            await grain.SaveSubscriptionsAsync(ids).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Log.SubscriptionsNotStored(logger, ex);
        }
    }
}
