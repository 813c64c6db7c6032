using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Webex.TeamsConnector.Graph;
using Webex.TeamsConnector.Tests.Fakes;

namespace Webex.TeamsConnector.Orleans.Tests;

public class SubscriptionOwnershipTests
{
    [Fact]
    public void MayDeleteLeftover_InACluster_OnlyTheOrgsEarlierOwnersSubscriptionsMayBeDeleted()
    {
        var registry = new SubscriptionRegistry(Options.Create(new GraphOptions { NotificationClientState = "client-state-0123456789" }));
        registry.Ownership = new GrainSubscriptionOwnership(new RecordingGrain(), ["held-by-the-dead-owner"], NullLogger.Instance);
        registry.Add("held-here");

        registry.MayDeleteLeftover("held-by-the-dead-owner").Should().BeTrue("the org's earlier owner is gone: its subscription is replaced");
        registry.MayDeleteLeftover("held-here").Should().BeFalse("this owner holds it");
        registry.MayDeleteLeftover("held-by-someone-else").Should().BeFalse("a subscription the org never held may belong to a live owner elsewhere");
    }

    [Fact]
    public void MayDeleteLeftover_InOneProcess_EveryLeftoverIsThisUnitsOwn()
    {
        var registry = new SubscriptionRegistry(Options.Create(new GraphOptions { NotificationClientState = "client-state-0123456789" }));
        registry.Add("held-here");

        registry.MayDeleteLeftover("left-by-a-previous-run").Should().BeTrue();
        registry.MayDeleteLeftover("held-here").Should().BeFalse();
    }

    [Fact]
    public async Task Held_EveryChange_ReachesTheGrainInOrderWithTheNewestLast()
    {
        var grain = new RecordingGrain();
        var registry = new SubscriptionRegistry(Options.Create(new GraphOptions { NotificationClientState = "client-state-0123456789" }))
        {
            Ownership = new GrainSubscriptionOwnership(grain, [], NullLogger.Instance),
        };

        registry.Add("a");
        registry.Add("b");
        registry.Remove("a");

        await Wait.UntilAsync(() => grain.Saved.Count == 3, "three changes stored", 10);
        grain.Saved[^1].Should().Equal("b");
    }

    private sealed class RecordingGrain : IOrgConnectorGrain
    {
        public List<string[]> Saved { get; } = [];

        public Task SaveSubscriptionsAsync(string[] subscriptionIds)
        {
            lock (Saved)
            {
                Saved.Add(subscriptionIds);
            }

            Wait.Pulse.Raise();
            return Task.CompletedTask;
        }

        public Task<OrgOwner> EnsureRunningAsync() => throw new NotSupportedException();

        public Task<int> DeliverWxccAsync(byte[] body, string[] headerNames, string?[] headerValues) => throw new NotSupportedException();

        public Task<OrgDelivery> DeliverGraphAsync(byte[] body) => throw new NotSupportedException();

        public Task<OrgAdminAnswer> InvokeAdminAsync(string operation, string method, string path, string[] routeKeys, string[] routeValues, string queryString, string? contentType, byte[] body) =>
            throw new NotSupportedException();

        public Task<OrgDelivery> CompleteAdminConsentAsync(string? state, string? tenant, string? adminConsent, string? error, string? errorDescription) => throw new NotSupportedException();

        public Task SaveRecordAsync(string recordJson) => throw new NotSupportedException();

        public Task SaveRefreshTokenAsync(string refreshToken) => throw new NotSupportedException();
    }
}
