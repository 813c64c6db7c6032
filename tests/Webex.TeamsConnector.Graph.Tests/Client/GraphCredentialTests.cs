using Azure.Core;
using Microsoft.Extensions.DependencyInjection;
using Webex.TeamsConnector.Testing;

namespace Webex.TeamsConnector.Graph.Tests;

public sealed class GraphCredentialTests
{
    private const string AppToken = "app-only-token";
    private const string DelegatedToken = "service-account-token";

    [Fact]
    public async Task ChangeNotifications_SubscriptionsUseTheDelegatedCredentialAndEverythingElseTheApplication()
    {
        var app = new FixedCredential(AppToken);
        var delegated = new FixedCredential(DelegatedToken);
        await using var host = await GraphTestHost.StartAsync(
            changeNotifications: true,
            settings: new Dictionary<string, string?> { ["TeamsConnector:Graph:SubscriptionLifetime"] = "00:30:00", ["TeamsConnector:Graph:SubscriptionRenewalMargin"] = "00:10:00" },
            services: s => s.AddSingleton<TokenCredential>(app).AddKeyedSingleton<TokenCredential>(GraphCredentials.Subscriptions, delegated));
        var ann = host.Emulator.AddUser("Ann Lee");
        host.Feed.SetWatchedUsers([ann]);
        host.StartFeed();
        await host.EventuallyAsync(() => host.Received.Count == 1 && host.Emulator.Subscriptions.Count == 1, "the subscription and the first read");

        await host.Clock.RunUntilAsync(() => host.Emulator.RequestCount(GraphEmulatorOperation.RenewSubscription) >= 1, TimeSpan.FromHours(1));
        await host.Services.GetRequiredService<ITeamsPresencePublisher>().PublishAsync(ann, PublishedPresence.InACall, TimeSpan.FromHours(1), CancellationToken.None);
        await host.Services.GetRequiredService<ITeamsPresencePublisher>().ClearAsync(ann, CancellationToken.None);

        var requests = host.Emulator.Requests;
        var subscriptionCalls = requests.Where(r => r.Operation is GraphEmulatorOperation.CreateSubscription or GraphEmulatorOperation.RenewSubscription or GraphEmulatorOperation.GetSubscriptions or GraphEmulatorOperation.DeleteSubscription or GraphEmulatorOperation.ReauthorizeSubscription).ToList();
        subscriptionCalls.Select(r => r.Operation).Should().Contain([GraphEmulatorOperation.CreateSubscription, GraphEmulatorOperation.RenewSubscription]);
        subscriptionCalls.Should().OnlyContain(r => r.BearerToken == DelegatedToken && r.Path.StartsWith("/v1.0/subscriptions", StringComparison.Ordinal));
        var others = requests.Except(subscriptionCalls).ToList();
        others.Select(r => r.Operation).Should().Contain([GraphEmulatorOperation.GetPresencesByUserId, GraphEmulatorOperation.SetPresence, GraphEmulatorOperation.ClearPresence]);
        others.Should().OnlyContain(r => r.BearerToken == AppToken);
        app.Calls.Should().BePositive();
        delegated.Calls.Should().BePositive();
    }

    [Fact]
    public async Task LoopbackEmulator_NoRegisteredCredential_SendsNoToken()
    {
        await using var host = await GraphTestHost.StartAsync();
        var ann = host.Emulator.AddUser("Ann Lee");

        await host.Services.GetRequiredService<ITeamsPresencePublisher>().PublishAsync(ann, PublishedPresence.InACall, TimeSpan.FromHours(1), CancellationToken.None);

        host.Emulator.Requests.Should().ContainSingle().Which.BearerToken.Should().BeNull("the client secret is never exchanged for a loopback emulator");
    }

    private sealed class FixedCredential(string token) : TokenCredential
    {
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            return new AccessToken(token, DateTimeOffset.MaxValue);
        }

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }
}
