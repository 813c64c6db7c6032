using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.DependencyInjection;
using Webex.TeamsConnector.Testing;

namespace Webex.TeamsConnector.Graph.Tests;

public sealed class ChangeNotificationFeedTests
{
    private static readonly Dictionary<string, string?> s_noReconciliation = new() { ["TeamsConnector:Graph:ReconciliationInterval"] = "1.00:00:00" };

    [Fact]
    public async Task RunAsync_ManyUsers_SubscribesInGroupsOfAtMost650AndReadsEveryoneOnce()
    {
        await using var host = await GraphTestHost.StartAsync(changeNotifications: true, settings: s_noReconciliation);
        var users = host.Emulator.AddUsers(1_400);
        host.Feed.SetWatchedUsers(users);
        host.StartFeed();

        await host.EventuallyAsync(() => host.Received.Count == 1_400 && host.Emulator.Subscriptions.Count == 3, "three subscriptions and the first read");

        var subscriptions = host.Emulator.Subscriptions;
        subscriptions.Select(s => s.UserIds.Count).Should().BeEquivalentTo([650, 650, 100]);
        subscriptions.SelectMany(s => s.UserIds).Should().BeEquivalentTo(users);
        subscriptions.Should().OnlyContain(s => s.ExpiresAt == host.Clock.GetUtcNow() + TimeSpan.FromMinutes(60) && s.NotificationUrl == host.Webhook!.Url && !s.IncludeResourceData);
        host.Emulator.RequestCount(GraphEmulatorOperation.GetPresencesByUserId).Should().Be(3);
    }

    [Fact]
    public async Task Notification_Basic_IsFollowedByAReadOfThePresence()
    {
        await using var host = await StartWithUsersAsync(2);
        var (ann, bob) = (host.Users[0], host.Users[1]);
        var reads = host.Host.Emulator.RequestCount(GraphEmulatorOperation.GetPresencesByUserId);

        host.Host.Emulator.SetPresence(ann, "Busy", "InACall");
        await host.Host.EventuallyAsync(() => host.Host.For(ann).Count == 2, "the change of Ann");

        host.Host.For(ann)[1].Activity.Should().Be("InACall");
        host.Host.For(bob).Should().ContainSingle();
        host.Host.Emulator.RequestCount(GraphEmulatorOperation.GetPresencesByUserId).Should().Be(reads + 1);
    }

    [Fact]
    public async Task Notification_Rich_IsDecryptedWithoutARead()
    {
        using var certificate = GraphTestHost.CreateCertificate();
        await using var host = await StartWithUsersAsync(2, certificate);
        var ann = host.Users[0];
        var reads = host.Host.Emulator.RequestCount(GraphEmulatorOperation.GetPresencesByUserId);
        host.Host.Emulator.Subscriptions.Should().OnlyContain(s => s.IncludeResourceData);

        host.Host.Emulator.SetPresence(ann, "DoNotDisturb", "Presenting");
        await host.Host.EventuallyAsync(() => host.Host.For(ann).Count == 2, "the change of Ann");

        var update = host.Host.For(ann)[1];
        (update.Availability, update.Activity, update.SequenceNumber).Should().Be(("DoNotDisturb", "Presenting", host.Host.Emulator.GetPresence(ann).SequenceNumber));
        host.Host.Emulator.RequestCount(GraphEmulatorOperation.GetPresencesByUserId).Should().Be(reads);
    }

    [Fact]
    public async Task Notification_Tampered_IsRejectedBeforeDecryption()
    {
        using var certificate = GraphTestHost.CreateCertificate();
        await using var host = await StartWithUsersAsync(1, certificate);
        var ann = host.Users[0];
        host.Host.Emulator.Faults.TamperNextRichNotifications(1);

        host.Host.Emulator.SetPresence(ann, "Busy", "InACall");
        await host.Host.EventuallyAsync(() => host.Host.Metrics.Rejected("signature") == 1, "the rejection");
        host.Host.Emulator.SetPresence(ann, "Away", "Away");
        await host.Host.EventuallyAsync(() => host.Host.For(ann).Count == 2, "the next, untampered change");

        host.Host.For(ann).Select(u => u.Activity).Should().Equal("Available", "Away");
        host.Host.Metrics.Rejected("decrypt").Should().Be(0, "the signature is checked before anything is decrypted");
    }

    [Fact]
    public async Task Notification_DuplicatesAndReordering_YieldOneEventPerChange()
    {
        using var certificate = GraphTestHost.CreateCertificate();
        await using var host = await StartWithUsersAsync(2, certificate);
        var (ann, bob) = (host.Users[0], host.Users[1]);
        var emulator = host.Host.Emulator;
        emulator.Faults.DuplicateNotifications = true;
        var metrics = host.Host.Metrics;

        emulator.SetPresence(ann, "Busy", "InACall");
        await host.Host.EventuallyAsync(() => metrics.Handled == 2 && host.Host.For(ann).Count == 2, "both copies handled");
        emulator.SetPresence(ann, "DoNotDisturb", "DoNotDisturb");
        await host.Host.EventuallyAsync(() => metrics.Handled == 4 && host.Host.For(ann).Count == 3, "both copies handled");

        emulator.Faults.DuplicateNotifications = false;
        emulator.Faults.ReorderNotifications = true;
        emulator.SetPresence(bob, "Busy", "InAMeeting");
        emulator.SetPresence(bob, "Away", "Away");
        emulator.SetPresence(bob, "Busy", "InACall");
        await emulator.FlushNotificationsAsync();
        await host.Host.EventuallyAsync(() => metrics.Handled == 7 && host.Host.For(bob).Count == 2, "the three reordered notifications handled");

        emulator.NotificationsDelivered.Should().Be(5, "4 single deliveries and one batch of 3, newest first");
        metrics.Stale.Should().Be(2, "the two older presences of Bob arrive after the newest");
        host.Host.For(ann).Select(u => u.Activity).Should().Equal("Available", "InACall", "DoNotDisturb");
        host.Host.For(bob).Select(u => u.Activity).Should().Equal("Available", "InACall");
    }

    [Fact]
    public async Task RunAsync_BeforeExpiry_RenewsTheSubscriptions()
    {
        await using var host = await StartWithUsersAsync(1);
        var ann = host.Users[0];
        var created = host.Host.Clock.GetUtcNow();

        await host.Host.Clock.RunForAsync(TimeSpan.FromMinutes(55));

        host.Host.Emulator.RequestCount(GraphEmulatorOperation.RenewSubscription).Should().Be(1);
        var renewed = host.Host.Emulator.Requests.Single(r => r.Operation == GraphEmulatorOperation.RenewSubscription);
        renewed.At.Should().Be(created + TimeSpan.FromMinutes(50), "renewal is due 10 minutes before expiry");
        host.Host.Emulator.Subscriptions.Should().ContainSingle().Which.ExpiresAt.Should().Be(renewed.At + TimeSpan.FromMinutes(60));

        await host.Host.Clock.RunForAsync(TimeSpan.FromMinutes(20));
        host.Host.Emulator.SetPresence(ann, "Busy", "InACall");
        await host.Host.EventuallyAsync(() => host.Host.For(ann).Count == 2, "a notification after the first expiry time");
        host.Host.Emulator.RequestCount(GraphEmulatorOperation.CreateSubscription).Should().Be(1);
    }

    [Fact]
    public async Task RunAsync_SubscriptionGoneAtRenewal_CreatesItAgainAndReadsItsUsers()
    {
        await using var host = await StartWithUsersAsync(1);
        var ann = host.Users[0];
        var first = host.Host.Emulator.Subscriptions.Single().Id;
        host.Host.Emulator.RemoveSubscription(first);
        host.Host.Emulator.SetPresence(ann, "Busy", "InACall");

        await host.Host.Clock.RunForAsync(TimeSpan.FromMinutes(51));
        await host.Host.EventuallyAsync(() => host.Host.For(ann).Count == 2 && host.Host.Emulator.Subscriptions.Count == 1, "the new subscription and the read");

        host.Host.Emulator.Subscriptions.Single().Id.Should().NotBe(first);
        host.Host.For(ann)[1].Activity.Should().Be("InACall");
        host.Host.Logs.GetSnapshot().Should().Contain(r => r.Id.Id == 3015);
    }

    [Theory]
    [InlineData(GraphLifecycleEvent.SubscriptionRemoved, 2, 0)]
    [InlineData(GraphLifecycleEvent.Missed, 1, 0)]
    [InlineData(GraphLifecycleEvent.ReauthorizationRequired, 1, 1)]
    public async Task LifecycleNotification_IsActedUpon(GraphLifecycleEvent lifecycle, int creations, int reauthorizations)
    {
        await using var host = await StartWithUsersAsync(1);
        var ann = host.Users[0];
        var subscription = host.Host.Emulator.Subscriptions.Single().Id;
        var reads = host.Host.Emulator.RequestCount(GraphEmulatorOperation.GetPresencesByUserId);
        host.Host.Emulator.Faults.SilenceSubscription(subscription);
        host.Host.Emulator.SetPresence(ann, "Busy", "InACall");

        await host.Host.Emulator.SendLifecycleNotificationAsync(subscription, lifecycle);
        await host.Host.EventuallyAsync(
            () => host.Host.Emulator.RequestCount(GraphEmulatorOperation.CreateSubscription) == creations
                && host.Host.Emulator.RequestCount(GraphEmulatorOperation.ReauthorizeSubscription) == reauthorizations
                && (lifecycle == GraphLifecycleEvent.ReauthorizationRequired || host.Host.For(ann).Count == 2),
            "the reaction to " + lifecycle);

        if (lifecycle == GraphLifecycleEvent.ReauthorizationRequired)
        {
            host.Host.Emulator.Subscriptions.Single().NeedsReauthorization.Should().BeFalse();
            host.Host.Emulator.RequestCount(GraphEmulatorOperation.GetPresencesByUserId).Should().Be(reads);
        }
        else
        {
            host.Host.For(ann)[1].Activity.Should().Be("InACall", "what the silenced subscription missed is read again");
        }
    }

    [Fact]
    public async Task RunAsync_SubscriptionStopsFiring_ReconciliationPollCatchesTheChange()
    {
        await using var host = await StartWithUsersAsync(1, settings: new Dictionary<string, string?> { ["TeamsConnector:Graph:ReconciliationInterval"] = "00:05:00" });
        var ann = host.Users[0];
        host.Host.Emulator.Faults.SilenceAllSubscriptions = true;
        var changedAt = host.Host.Clock.GetUtcNow();

        host.Host.Emulator.SetPresence(ann, "DoNotDisturb", "DoNotDisturb");
        await host.Host.RunUntilAsync(r => r.Count == 2, TimeSpan.FromMinutes(6));

        host.Host.Emulator.NotificationsSuppressed.Should().Be(1);
        (host.Host.For(ann)[1].ReceivedAt - changedAt).Should().BeCloseTo(TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task SetWatchedUsers_MembershipChanges_ReplacesTheSubscriptionAndReadsNewUsers()
    {
        await using var host = await StartWithUsersAsync(2);
        var (ann, bob) = (host.Users[0], host.Users[1]);
        var old = host.Host.Emulator.Subscriptions.Single().Id;
        var carl = host.Host.Emulator.AddUser("Carl Lind");

        host.Host.Feed.SetWatchedUsers([ann, carl]);
        await host.Host.EventuallyAsync(() => host.Host.For(carl).Count == 1 && host.Host.Emulator.Subscriptions.SingleOrDefault()?.Id != old, "the new subscription");

        host.Host.Emulator.Subscriptions.Single().UserIds.Should().BeEquivalentTo([ann, carl]);
        host.Host.Emulator.SetPresence(bob, "Busy", "InACall");
        host.Host.Emulator.SetPresence(carl, "Busy", "InACall");
        await host.Host.EventuallyAsync(() => host.Host.For(carl).Count == 2, "Carl's change");
        host.Host.For(bob).Should().ContainSingle("Bob is no longer watched");
    }

    [Fact]
    public async Task RunAsync_CreateRefused_RetriesAfterOneSecondDoublingUpTo30sAndStartsAgainFromOneAfterASuccess()
    {
        await using var host = await GraphTestHost.StartAsync(changeNotifications: true, settings: s_noReconciliation);
        var ann = host.Emulator.AddUser("Ann Lee");
        var bob = host.Emulator.AddUser("Bob Marsh");
        host.Emulator.Faults.FailNext(7, 400, GraphEmulatorOperation.CreateSubscription);
        host.Feed.SetWatchedUsers([ann]);
        host.StartFeed();

        await host.EventuallyAsync(() => host.Emulator.RequestCount(GraphEmulatorOperation.CreateSubscription) == 1, "the first create");
        await host.Clock.RunForAsync(TimeSpan.FromMinutes(2));
        await host.EventuallyAsync(() => host.Received.Count == 1 && host.Emulator.Subscriptions.Count == 1, "the eighth create and the first read");

        Gaps().Should().Equal(new[] { 1, 2, 4, 8, 16, 30, 30 }.Select(s => TimeSpan.FromSeconds(s)), "doubled from 1 s, at most 30 s");

        // A success resets the back-off: the next refused create (the membership changed) is retried after 1 s again.
        host.Emulator.Faults.FailNext(1, 400, GraphEmulatorOperation.CreateSubscription);
        host.Feed.SetWatchedUsers([ann, bob]);
        await host.EventuallyAsync(() => host.Emulator.RequestCount(GraphEmulatorOperation.CreateSubscription) == 9, "the refused create");
        await host.Clock.RunForAsync(TimeSpan.FromSeconds(5));
        await host.EventuallyAsync(() => host.Emulator.Subscriptions is [var only] && only.UserIds.Count == 2, "the replacement subscription");
        Gaps()[^1].Should().Be(TimeSpan.FromSeconds(1));

        List<TimeSpan> Gaps()
        {
            var creates = host.Emulator.Requests.Where(r => r.Operation == GraphEmulatorOperation.CreateSubscription).Select(r => r.At).ToList();
            return [.. creates.Skip(1).Zip(creates, (later, earlier) => later - earlier)];
        }
    }

    [Fact]
    public async Task RunAsync_LeftoverSubscriptionOfAPreviousRun_IsDeleted()
    {
        await using var host = await GraphTestHost.StartAsync(changeNotifications: true, settings: s_noReconciliation);
        var ann = host.Emulator.AddUser("Ann Lee");
        var client = host.Services.GetRequiredService<GraphClientProvider>().Client;
        var leftover = await client.Subscriptions.PostAsync(new Microsoft.Graph.Models.Subscription
        {
            ChangeType = "updated",
            NotificationUrl = host.Webhook!.Url.ToString(),
            Resource = $"/communications/presences/{ann}",
            ExpirationDateTime = host.Clock.GetUtcNow().AddMinutes(30),
            ClientState = "from-a-previous-run",
        });

        host.Feed.SetWatchedUsers([ann]);
        host.StartFeed();
        await host.EventuallyAsync(() => host.Emulator.Subscriptions is [var only] && only.Id != leftover!.Id, "only the new subscription");

        host.Emulator.RequestCount(GraphEmulatorOperation.DeleteSubscription).Should().Be(1);
    }

    private static async Task<Started> StartWithUsersAsync(int count, X509Certificate2? certificate = null, Dictionary<string, string?>? settings = null)
    {
        var host = await GraphTestHost.StartAsync(
            configure: certificate is null ? null : o => o.UseEncryptionCertificate(certificate),
            changeNotifications: true,
            settings: settings ?? s_noReconciliation);
        var users = host.Emulator.AddUsers(count);
        host.Feed.SetWatchedUsers(users);
        host.StartFeed();
        await host.EventuallyAsync(() => host.Received.Count == count && host.Emulator.Subscriptions.Count == 1, "the subscription and the first read");
        return new Started(host, users);
    }

    private sealed record Started(GraphTestHost Host, IReadOnlyList<string> Users) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Host.DisposeAsync();
    }
}
