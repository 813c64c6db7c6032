using Microsoft.Extensions.Options;
using Microsoft.Kiota.Abstractions;

namespace Webex.TeamsConnector.Graph;

/// <summary>
/// Deletes the connector's Graph presence subscriptions when the connector is deleted: those this process created and
/// every presence subscription to the configured notification URL (also those an earlier run left). Polling without a
/// notification URL has none to delete.
/// </summary>
internal sealed class GraphSubscriptionCleanup(GraphClientProvider graph, SubscriptionRegistry registry, IOptions<GraphOptions> options) : IConnectorCleanup
{
    public string Name => "Graph subscriptions";

    public async Task<int> CleanUpAsync(CancellationToken cancellationToken)
    {
        var url = options.Value.NotificationUrl?.ToString();
        if (url is null && registry.Count == 0)
        {
            return 0;
        }

        var existing = (await graph.SubscriptionClient.Subscriptions.GetAsync(cancellationToken: cancellationToken).ConfigureAwait(false))?.Value ?? [];
        var removed = 0;
        foreach (var subscription in existing)
        {
            if (subscription.Id is not { } id
                || !(registry.Contains(id) || url is not null && string.Equals(subscription.NotificationUrl, url, StringComparison.OrdinalIgnoreCase)
                    && subscription.Resource?.Contains("presences", StringComparison.OrdinalIgnoreCase) == true))
            {
                continue;
            }

            try
            {
                await graph.SubscriptionClient.Subscriptions[id].DeleteAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
                removed++;
            }
            catch (ApiException ex) when (ex.ResponseStatusCode == 404)
            {
                // Gone already.
            }

            registry.Remove(id);
        }

        return removed;
    }
}
