using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Webex.TeamsConnector.Testing;

namespace Webex.TeamsConnector.Graph.Tests;

/// <summary>Notifications as the emulator delivers them over HTTP to the webhook and the processor.</summary>
public sealed class NotificationDeliveryTests
{
    private const string OtherTenant = "0d9e1f2a-3b4c-4d5e-8f6a-7b8c9d0e1f2a";
    private static readonly Dictionary<string, string?> s_noReconciliation = new() { ["TeamsConnector:Graph:ReconciliationInterval"] = "1.00:00:00" };

    [Theory]
    [InlineData("clientState")]
    [InlineData("subscription")]
    [InlineData("tenant")]
    public async Task Delivery_NotForTheConnector_IsRejectedAndCounted(string reason)
    {
        await using var host = await StartAsync();
        var ann = host.Emulator.AddUser("Ann Lee");
        host.Feed.SetWatchedUsers([ann]);
        host.StartFeed();
        await host.EventuallyAsync(() => host.Received.Count == 1 && host.Emulator.Subscriptions.Count == 1, "the subscription and the first read");
        var registry = host.Services.GetRequiredService<SubscriptionRegistry>();
        await using var otherTenant = reason == "tenant" ? await GraphEmulator.StartAsync(new GraphEmulatorOptions { TimeProvider = host.Clock, TenantId = OtherTenant }) : null;
        var graph = otherTenant ?? host.Emulator;
        // The emulators make the same ids in the same order: the other tenant's second user is nobody the connector watches.
        var user = otherTenant?.AddUsers(2)[1] ?? ann;

        // A subscription the connector did not make, pointing at its webhook: with another clientState, or with the
        // right one but unknown to the connector, or known (a forged id) but in another tenant.
        var id = await SubscribeAsync(graph, host, user, reason == "clientState" ? "not-the-connectors-secret" : registry.ClientState);
        if (reason == "tenant")
        {
            registry.Add(id);
        }

        graph.SetPresence(user, "Busy", "InACall");
        await host.EventuallyAsync(() => host.Metrics.Rejected(reason) == 1 && host.Logs.GetSnapshot().Any(r => r.Id.Id == 3019), "the rejection, counted and logged (one line per request)");
        await graph.FlushNotificationsAsync();

        host.Metrics.RejectedTotal.Should().Be(1);
        if (otherTenant is null)
        {
            await host.EventuallyAsync(() => host.For(ann).Count == 2, "the connector's own notification");
            host.For(ann).Select(u => u.Activity).Should().Equal("Available", "InACall");
        }
        else
        {
            host.For(user).Should().BeEmpty();
            host.Received.Should().HaveCount(1, "nothing but the first read of Ann");
        }
    }

    [Fact]
    public async Task Renewal_FailingWith5xxPastExpiryThen404_CreatesTheSubscriptionAgainAndReadsItsUsers()
    {
        await using var host = await StartAsync();
        var ann = host.Emulator.AddUser("Ann Lee");
        host.Feed.SetWatchedUsers([ann]);
        host.StartFeed();
        await host.EventuallyAsync(() => host.Received.Count == 1 && host.Emulator.Subscriptions.Count == 1, "the subscription and the first read");
        var first = host.Emulator.Subscriptions.Single();
        host.Emulator.Faults.FailNext(10_000, 503, GraphEmulatorOperation.RenewSubscription);

        await host.Clock.RunForAsync(first.ExpiresAt - host.Clock.GetUtcNow() + TimeSpan.FromMinutes(1));
        host.Emulator.Subscriptions.Should().BeEmpty("Graph dropped the subscription at its expiry");
        var failed = host.Emulator.Requests.Count(r => r.Operation == GraphEmulatorOperation.RenewSubscription && r.StatusCode == 503);
        failed.Should().BeGreaterThan(1, "renewal was tried again after failing");
        host.Emulator.SetPresence(ann, "Busy", "InACall");
        host.Emulator.Faults.Reset();

        await host.RunUntilAsync(_ => host.Emulator.Subscriptions.Count == 1 && host.For(ann).Count == 2, TimeSpan.FromMinutes(30));

        host.Emulator.Requests.Last(r => r.Operation == GraphEmulatorOperation.RenewSubscription).StatusCode.Should().Be(404);
        host.Emulator.Subscriptions.Single().Id.Should().NotBe(first.Id);
        host.For(ann)[1].Activity.Should().Be("InACall", "the users of a re-created subscription are read again");
        host.Logs.GetSnapshot().Should().Contain(r => r.Id.Id == 3015);
    }

    private static Task<GraphTestHost> StartAsync() => GraphTestHost.StartAsync(changeNotifications: true, settings: s_noReconciliation);

    private static async Task<string> SubscribeAsync(GraphEmulator graph, GraphTestHost host, string userId, string clientState)
    {
        using var http = new HttpClient();
        using var response = await http.PostAsJsonAsync(
            new Uri(graph.BaseUrl + "/subscriptions"),
            new Dictionary<string, object>
            {
                ["changeType"] = "updated",
                ["notificationUrl"] = host.Webhook!.Url.ToString(),
                ["resource"] = $"/communications/presences?$filter=id in ('{userId}')",
                ["expirationDateTime"] = (host.Clock.GetUtcNow() + TimeSpan.FromMinutes(30)).ToString("O", CultureInfo.InvariantCulture),
                ["clientState"] = clientState,
            });
        response.StatusCode.Should().Be(HttpStatusCode.Created);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("id").GetString()!;
    }
}
