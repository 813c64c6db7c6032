using System.Text;
using System.Text.Json.Nodes;
using Webex.TeamsConnector.Testing;

namespace Webex.TeamsConnector.ContactCenter.Tests.Events;

public sealed class WebhookProcessorTests
{
    private static byte[] Delivery(Harness h, string agentId, string state, string? code, DateTimeOffset at, string? id = null, string type = "agent:state_change", string? org = null, bool envelopeTime = true, DateTimeOffset? sentAt = null) =>
        Encoding.UTF8.GetBytes(new JsonObject
        {
            ["id"] = id ?? Guid.NewGuid().ToString(),
            ["specversion"] = "1.0",
            ["type"] = type,
            ["source"] = "/com/cisco/wxcc/sub-1",
            ["comciscoorgid"] = org ?? h.Wxcc.OrgId,
            ["comciscotimestamp"] = envelopeTime ? (sentAt ?? h.Time.GetUtcNow()).ToUnixTimeMilliseconds() : null,
            ["datacontenttype"] = "application/json",
            ["data"] = new JsonObject
            {
                ["agentId"] = agentId,
                ["currentState"] = state,
                ["idleCodeId"] = code,
                ["createdTime"] = at.ToUnixTimeMilliseconds(),
                ["lastStateChangeReason"] = "by hand",
            },
        }.ToJsonString());

    private static KeyValuePair<string, string?>[] Signed(byte[] body, string secret = Harness.WebhookSecret) =>
        [KeyValuePair.Create("x-webexcc-signature", (string?)ContactCenterEmulator.Sign(secret, body)), KeyValuePair.Create("Content-Type", (string?)"application/json")];

    private static string Ms(DateTimeOffset at) => at.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static KeyValuePair<string, string?>[] SignedV2(byte[] body, string timestamp) =>
        [KeyValuePair.Create("X-WebexCC-Signature", (string?)ContactCenterEmulator.Sign(Harness.WebhookSecret, Encoding.UTF8.GetBytes(timestamp + ".").Concat(body).ToArray())),
         KeyValuePair.Create("X-WebexCC-Timestamp", (string?)timestamp)];

    private static async Task<Harness> StartFeedAsync()
    {
        var h = await Harness.StartAsync();
        h.RunFeed();
        await h.WaitForReconciliationAsync();
        return h;
    }

    [Fact]
    public async Task Process_SignedV1Delivery_PassesTheEventOn()
    {
        await using var h = await StartFeedAsync();
        var at = h.Time.GetUtcNow();

        var status = await h.Processor.ProcessAsync(Delivery(h, "agent-1", "idle", "code-1", at), Signed(Delivery(h, "agent-1", "idle", "code-1", at)));

        // The two bodies differ only in the id, so the signature above does not match: forged.
        status.Should().Be(401);
        var body = Delivery(h, "agent-1", "idle", "code-1", at);
        (await h.Processor.ProcessAsync(body, Signed(body))).Should().Be(200);
        var e = await h.NextEventAsync();
        e.AgentId.Should().Be("agent-1");
        e.Event.Should().Be(AgentEvent.StateChanged(AgentState.Idle("code-1"), DateTimeOffset.FromUnixTimeMilliseconds(at.ToUnixTimeMilliseconds()), "by hand"));
        h.Processor.Accepted.Should().Be(1);
        h.Processor.Rejected.Should().Be(1);
    }

    [Fact]
    public async Task Process_ForgedOrMissingSignature_RejectedAndCounted()
    {
        await using var h = await StartFeedAsync();
        var body = Delivery(h, "agent-1", "available", null, h.Time.GetUtcNow());

        var forged = await h.Processor.ProcessAsync(body, Signed(body, "another-secret-0123456789-abcdefghijklmnop"));
        var garbage = await h.Processor.ProcessAsync(body, [KeyValuePair.Create("X-WebexCC-Signature", (string?)"zz-not-hex")]);
        var missing = await h.Processor.ProcessAsync(body, []);

        (forged, garbage, missing).Should().Be((401, 401, 401));
        h.Processor.Rejected.Should().Be(3);
        h.Processor.Accepted.Should().Be(0);
        h.Events.Reader.TryRead(out _).Should().BeFalse();
    }

    [Fact]
    public async Task Process_ReplayedDelivery_AcknowledgedOnceThenRefusedAfterTheWindow()
    {
        await using var h = await StartFeedAsync();
        var body = Delivery(h, "agent-1", "available", null, h.Time.GetUtcNow());

        var first = await h.Processor.ProcessAsync(body, Signed(body));
        var again = await h.Processor.ProcessAsync(body, Signed(body));
        h.Time.Advance(TimeSpan.FromMinutes(6));
        var late = await h.Processor.ProcessAsync(body, Signed(body));

        (first, again, late).Should().Be((200, 200, 401));
        h.Processor.Accepted.Should().Be(1);
        h.Processor.Duplicates.Should().Be(1);
        h.Processor.Rejected.Should().Be(1);
    }

    [Fact]
    public async Task Process_OutOfOrderAndRepeatedEvents_PassedOn_AndTheEngineAppliesOnlyNewerOnes()
    {
        await using var h = await StartFeedAsync();
        var t = h.Time.GetUtcNow();
        var newer = Delivery(h, "agent-1", "idle", "c2", t);
        var older = Delivery(h, "agent-1", "idle", "c1", t - TimeSpan.FromSeconds(3));
        var sameAgain = Delivery(h, "agent-1", "idle", "c2", t);
        var engine = new SyncEngine(new SyncRules(), h.Time);
        engine.AddAgent("agent-1");

        foreach (var body in new[] { newer, older, sameAgain })
        {
            (await h.Processor.ProcessAsync(body, Signed(body))).Should().Be(200);
        }

        var outcomes = new List<SyncOutcome>();
        for (var i = 0; i < 3; i++)
        {
            var e = await h.NextEventAsync();
            outcomes.Add(engine.OnAgentEvent(e.AgentId, e.Event).Outcome);
        }

        outcomes.Should().Equal(SyncOutcome.Applied, SyncOutcome.Stale, SyncOutcome.Duplicate);
        engine.TryGetAgent("agent-1", out var snapshot).Should().BeTrue();
        snapshot.State.Should().Be(AgentState.Idle("c2"));
        h.Events.Reader.TryRead(out _).Should().BeFalse();
        h.Processor.Duplicates.Should().Be(0, "no delivery id was repeated");
    }

    [Fact]
    public async Task Process_V2DeliverySignedWithTimestamp_Accepted()
    {
        await using var h = await StartFeedAsync();
        var at = h.Time.GetUtcNow();
        var body = Delivery(h, "agent-2", "EngagedOther", null, at, type: "agent:channel_state_change");
        var timestamp = at.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var signature = ContactCenterEmulator.Sign(Harness.WebhookSecret, Encoding.UTF8.GetBytes(timestamp + ".").Concat(body).ToArray());

        var status = await h.Processor.ProcessAsync(body, [KeyValuePair.Create("X-WebexCC-Signature", (string?)("sha256=" + signature)), KeyValuePair.Create("X-WebexCC-Timestamp", (string?)timestamp)]);

        status.Should().Be(200);
        (await h.NextEventAsync()).Event.State.Should().Be(AgentState.Engaged);
    }

    [Fact]
    public async Task Process_CapturedDeliveryResentWithFreshTimestampHeader_RejectedAndCounted()
    {
        await using var h = await StartFeedAsync();
        var body = Delivery(h, "agent-1", "available", null, h.Time.GetUtcNow());
        (await h.Processor.ProcessAsync(body, Signed(body))).Should().Be(200);

        // After the remembered ids expire, the attacker resends the body with its body-only signature and a fresh,
        // unsigned timestamp header.
        h.Time.Advance(TimeSpan.FromMinutes(11));
        var replay = await h.Processor.ProcessAsync(body, [.. Signed(body), KeyValuePair.Create("X-WebexCC-Timestamp", (string?)Ms(h.Time.GetUtcNow()))]);

        replay.Should().Be(401);
        h.Processor.Accepted.Should().Be(1);
        h.Processor.Rejected.Should().Be(1);
        (await h.NextEventAsync()).Event.State.Should().Be(AgentState.Available);
        h.Events.Reader.TryRead(out _).Should().BeFalse();
    }

    [Fact]
    public async Task Process_BodyOnlySignatureWithoutEnvelopeTimestamp_RejectedEvenWithATimestampHeader()
    {
        await using var h = await StartFeedAsync();
        var body = Delivery(h, "agent-1", "available", null, h.Time.GetUtcNow(), envelopeTime: false);

        var status = await h.Processor.ProcessAsync(body, [.. Signed(body), KeyValuePair.Create("X-WebexCC-Timestamp", (string?)Ms(h.Time.GetUtcNow()))]);

        status.Should().Be(400);
        h.Processor.Rejected.Should().Be(1);
        h.Events.Reader.TryRead(out _).Should().BeFalse();
    }

    [Fact]
    public async Task Process_V1BodySignedWithStaleUnsignedHeader_AcceptedByItsSignedEnvelopeTime()
    {
        await using var h = await StartFeedAsync();
        var body = Delivery(h, "agent-1", "idle", "c1", h.Time.GetUtcNow());

        // A header the signature does not cover is ignored either way.
        var status = await h.Processor.ProcessAsync(body, [.. Signed(body), KeyValuePair.Create("X-WebexCC-Timestamp", (string?)Ms(h.Time.GetUtcNow() - TimeSpan.FromHours(1)))]);

        status.Should().Be(200);
        (await h.NextEventAsync()).Event.State.Should().Be(AgentState.Idle("c1"));
    }

    [Fact]
    public async Task Process_V2TimestampSignedWithoutEnvelopeTimestamp_AcceptedByTheSignedHeader()
    {
        await using var h = await StartFeedAsync();
        var body = Delivery(h, "agent-1", "idle", "c1", h.Time.GetUtcNow(), envelopeTime: false);

        var status = await h.Processor.ProcessAsync(body, SignedV2(body, Ms(h.Time.GetUtcNow())));

        status.Should().Be(200);
        (await h.NextEventAsync()).Event.State.Should().Be(AgentState.Idle("c1"));
    }

    [Fact]
    public async Task Process_V2FreshSignedHeaderButStaleEnvelope_RejectedBecauseBothMustBeInTheWindow()
    {
        await using var h = await StartFeedAsync();
        var body = Delivery(h, "agent-1", "available", null, h.Time.GetUtcNow(), sentAt: h.Time.GetUtcNow() - TimeSpan.FromMinutes(11));

        var stale = await h.Processor.ProcessAsync(body, SignedV2(body, Ms(h.Time.GetUtcNow())));
        var staleHeader = Delivery(h, "agent-1", "available", null, h.Time.GetUtcNow());
        var old = await h.Processor.ProcessAsync(staleHeader, SignedV2(staleHeader, Ms(h.Time.GetUtcNow() - TimeSpan.FromMinutes(11))));

        (stale, old).Should().Be((401, 401));
        h.Processor.Rejected.Should().Be(2);
        h.Events.Reader.TryRead(out _).Should().BeFalse();
    }

    [Fact]
    public async Task Process_BadInput_RejectedWithTheRightStatusNeverThrown()
    {
        await using var h = await StartFeedAsync();
        var big = new byte[h.Processor.MaxBodyBytes + 1];
        var notJson = "{not json"u8.ToArray();
        var otherOrg = Delivery(h, "agent-1", "available", null, h.Time.GetUtcNow(), org: "someone-else");
        var unknownState = Delivery(h, "agent-1", "dancing", null, h.Time.GetUtcNow());
        var noAgent = Delivery(h, "", "available", null, h.Time.GetUtcNow());
        var otherType = Delivery(h, "agent-1", "available", null, h.Time.GetUtcNow(), type: "task:new");

        (await h.Processor.ProcessAsync(big, Signed(big))).Should().Be(413);
        (await h.Processor.ProcessAsync(notJson, Signed(notJson))).Should().Be(400);
        (await h.Processor.ProcessAsync(otherOrg, Signed(otherOrg))).Should().Be(403);
        (await h.Processor.ProcessAsync(unknownState, Signed(unknownState))).Should().Be(400);
        (await h.Processor.ProcessAsync(noAgent, Signed(noAgent))).Should().Be(400);
        (await h.Processor.ProcessAsync(otherType, Signed(otherType))).Should().Be(200);

        h.Processor.Rejected.Should().Be(5);
        h.Processor.Ignored.Should().Be(1);
        h.Events.Reader.TryRead(out _).Should().BeFalse();
    }

    [Fact]
    public async Task WebhookMode_EmulatorV2Deliveries_AreUnderstood()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var h = await StartFeedAsync();
        receiver.Processor = h.Processor;
        var code = h.Wxcc.AddIdleCode("Lunch");
        var agent = h.Wxcc.AddAgent();
        using var http = new HttpClient();
        http.DefaultRequestHeaders.Authorization = new("Bearer", await h.Tokens.GetAccessTokenAsync(CancellationToken.None));
        var json = $$"""{"name":"v2","eventTypes":["agent:channel_state_change","agent:login"],"destinationUrl":"{{receiver.Url}}","secret":"{{Harness.WebhookSecret}}","resourceVersion":"agent:2.0.0"}""";
        using var created = await http.PostAsync(new Uri(h.Wxcc.BaseUrl, "v2/subscriptions"), new StringContent(json, Encoding.UTF8, "application/json"));

        h.Wxcc.SignIn(agent);
        h.Wxcc.SetStateAsAgent(agent, AgentState.Idle(code));
        var login = await h.EventAsync(e => e.AgentId == agent && e.Event.Kind == AgentEventKind.Login);
        var idle = await h.EventAsync(e => e.AgentId == agent && e.Event.State == AgentState.Idle(code));

        created.StatusCode.Should().Be(System.Net.HttpStatusCode.Created);
        login.Event.State.Should().Be(AgentState.Available);
        idle.Event.Timestamp.Should().Be(h.Wxcc.GetAgent(agent).LastStateChangeAt);
        h.Processor.Rejected.Should().Be(0);
    }

    [Fact]
    public async Task WebhookMode_EmulatorDeliveries_ReachTheFeedAndTheSubscriptionIsReused()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var h = await Harness.StartAsync(settings: new() { ["WebhookUrl"] = receiver.Url.AbsoluteUri, ["WebhookName"] = "connector-test" });
        receiver.Processor = h.Processor;
        var code = h.Wxcc.AddIdleCode("Lunch");
        var agent = h.Wxcc.AddAgent();
        h.RunFeed();
        await h.Feed.SubscriptionEnsured.WaitAsync(Harness.Wait);

        h.Wxcc.SignIn(agent);
        h.Wxcc.SetStateAsAgent(agent, AgentState.Idle(code), "lunch");
        var login = await h.EventAsync(e => e.Event.Kind == AgentEventKind.Login);
        var idle = await h.EventAsync(e => e.Event.State == AgentState.Idle(code));

        var subscription = h.Wxcc.Subscriptions.Single();
        subscription.Name.Should().Be("connector-test");
        subscription.DestinationUrl.Should().Be(receiver.Url);
        subscription.EventTypes.Should().BeEquivalentTo("agent:state_change", "agent:login", "agent:logout");
        login.AgentId.Should().Be(agent);
        idle.Event.Reason.Should().Be("lunch");

        await using var second = await Harness.StartAsync(settings: new() { ["WebhookUrl"] = receiver.Url.AbsoluteUri, ["WebhookName"] = "connector-test" }, shared: h.Wxcc, time: h.Time);
        second.RunFeed();
        (await second.Feed.SubscriptionEnsured.WaitAsync(Harness.Wait)).Should().Be(subscription.Id);
        h.Wxcc.Subscriptions.Should().ContainSingle();
        h.AllLogText().Should().NotContain(Harness.WebhookSecret);
        second.AllLogText().Should().NotContain(Harness.WebhookSecret);
    }
}
