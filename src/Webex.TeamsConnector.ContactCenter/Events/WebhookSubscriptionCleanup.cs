namespace Webex.TeamsConnector.ContactCenter;

/// <summary>Deletes the connector's WxCC webhook subscription (by name or destination) when the connector is deleted.</summary>
internal sealed class WebhookSubscriptionCleanup(WebhookSubscriptionManager subscriptions) : IConnectorCleanup
{
    public string Name => "Webex Contact Center webhook subscription";

    public Task<int> CleanUpAsync(CancellationToken cancellationToken) => subscriptions.RemoveAllAsync(cancellationToken);
}
