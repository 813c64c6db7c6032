namespace Webex.TeamsConnector.ContactCenter.Tests.Events;

/// <summary>The webhook subscription: found on any page, and put back when it goes away or is deactivated.</summary>
public sealed class WebhookSubscriptionTests
{
    private const string OtherSecret = "another-integrations-secret-0123456789";

    [Fact]
    public async Task Ensure_ConnectorSubscriptionOnALaterPage_IsReusedNotDuplicated()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var h = await Harness.StartAsync(
            e => e.MaxPageSize = 2,
            settings: new() { ["WebhookUrl"] = receiver.Url.AbsoluteUri, ["WebhookName"] = "connector-test" });
        for (var i = 0; i < 5; i++)
        {
            h.Wxcc.AddSubscription("other-" + i, new Uri("https://hooks.example.com/other-" + i), OtherSecret);
        }

        var ours = h.Wxcc.AddSubscription("connector-test", receiver.Url, OtherSecret, active: false);
        h.RunFeed();

        var ensured = await h.Feed.SubscriptionEnsured.WaitAsync(Harness.Wait);

        ensured.Should().Be(ours);
        h.Wxcc.Subscriptions.Should().HaveCount(6);
        h.Wxcc.Subscriptions.Single(s => s.Id == ours).Active.Should().BeTrue();
        h.Wxcc.RequestCount("GET /v2/subscriptions").Should().Be(3, "three pages of two");
    }

    [Fact]
    public async Task Reconciliation_SubscriptionDeletedOrDeactivated_IsPutBack()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var h = await Harness.StartAsync(settings: new()
        {
            ["WebhookUrl"] = receiver.Url.AbsoluteUri,
            ["WebhookName"] = "connector-test",
            ["ReconciliationInterval"] = "00:01:00",
        });
        receiver.Processor = h.Processor;
        var code = h.Wxcc.AddIdleCode("Lunch");
        var agent = h.Wxcc.AddAgent();
        h.Wxcc.SignIn(agent);
        h.RunFeed();
        var first = await h.Feed.SubscriptionEnsured.WaitAsync(Harness.Wait);
        await h.WaitForReconciliationAsync(1);

        h.Wxcc.SetSubscriptionActive(first, active: false);
        h.Time.Advance(TimeSpan.FromMinutes(1));
        await h.WaitForReconciliationAsync(2);
        var reactivated = h.Wxcc.Subscriptions.Single();

        h.Wxcc.DeleteSubscription(first).Should().BeTrue();
        h.Time.Advance(TimeSpan.FromMinutes(1));
        await h.WaitForReconciliationAsync(3);
        var recreated = h.Wxcc.Subscriptions.Single();
        while (h.Events.Reader.TryRead(out _))
        {
        }

        h.Wxcc.SetStateAsAgent(agent, AgentState.Idle(code), "lunch");
        var delivered = await h.EventAsync(e => e.Event.State == AgentState.Idle(code));

        reactivated.Id.Should().Be(first);
        reactivated.Active.Should().BeTrue();
        recreated.Id.Should().NotBe(first);
        recreated.Active.Should().BeTrue();
        recreated.DestinationUrl.Should().Be(receiver.Url);
        h.Feed.SubscriptionId.Should().Be(recreated.Id);
        delivered.TrackingId.Should().NotBeNull("it came by webhook on the new subscription, not by the poll");
        h.AllLogText().Should().NotContain(Harness.WebhookSecret);
    }
}
