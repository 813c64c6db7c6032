using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Webex.TeamsConnector.Testing;

namespace Webex.TeamsConnector.Tests.EndToEnd;

/// <summary>Digital contacts are not shown in Teams as calls; a channel configured to publish shows its own presence.</summary>
[Collection("EndToEnd")]
public class ContactChannelEndToEndTests
{
    [Fact]
    public async Task ChatOfferedAndEngaged_InWebSocketMode_PublishesNothing_AndTeamsStillEngages()
    {
        await using var world = await ConnectorWorld.StartAsync();
        await ConnectorWorld.WaitAsync(() => world.Wxcc.WebSocketsAccepted >= 1, "the notification websocket is connected");
        var ann = world.Agents[0];
        var publishes = world.Graph.RequestCount(GraphEmulatorOperation.SetPresence);

        var first = world.Wxcc.OfferDigitalContact(ann.AgentId, "chat");
        world.Wxcc.AssignDigitalContact(ann.AgentId, "chat", first);
        var second = world.Wxcc.OfferDigitalContact(ann.AgentId, "chat");
        world.Wxcc.AssignDigitalContact(ann.AgentId, "chat", second);

        // A later event on the same socket: once the connector has applied it, it has handled the chats too.
        world.Wxcc.SetStateAsAgent(ann.AgentId, AgentState.Idle(world.LunchCode));
        await ConnectorWorld.WaitAsync(
            () => world.Admin.GetAgentsAsync(default).GetAwaiter().GetResult().Single(a => a.AgentId == ann.AgentId).State == AgentState.Idle(world.LunchCode),
            "the connector sees the agent's Lunch");
        world.Graph.RequestCount(GraphEmulatorOperation.SetPresence).Should().Be(publishes, "a chat is not shown in Teams as a call");

        // The agent's voice state was never taken for a contact: back to Available, a Teams call engages.
        world.Wxcc.SetStateAsAgent(ann.AgentId, AgentState.Available);
        world.Wxcc.EndDigitalContact(ann.AgentId, "chat", first);
        world.Graph.SetPresence(ann.TeamsUserId, "Busy", "InACall");
        await world.WaitForStateAsync(ann, AgentState.Idle(world.CallCode));
        world.Wxcc.EndDigitalContact(ann.AgentId, "chat", second);
    }

    private const string ChatPresence = "TeamsConnector:StateSync:ContactPresence:Chat";

    private static AgentState SeenState(ConnectorWorld world, WorldAgent agent) =>
        world.Admin.GetAgentsAsync(default).GetAwaiter().GetResult().Single(a => a.AgentId == agent.AgentId).State;

    [Fact]
    public async Task ChatsInWebSocketMode_ChatPresenceConfigured_PublishedOnceUntilTheLastChatEnds()
    {
        await using var world = await ConnectorWorld.StartAsync(settings: s => s[ChatPresence] = "Busy/InAConferenceCall");
        await ConnectorWorld.WaitAsync(() => world.Wxcc.WebSocketsAccepted >= 1, "the notification websocket is connected");
        var ann = world.Agents[0];

        var first = world.Wxcc.OfferDigitalContact(ann.AgentId, "chat");
        world.Wxcc.AssignDigitalContact(ann.AgentId, "chat", first);
        await ConnectorWorld.WaitAsync(() => world.Graph.GetSessions(ann.TeamsUserId) is [{ Activity: "InAConferenceCall" }], "Teams shows Ann's chat");
        var publishes = world.Graph.RequestCount(GraphEmulatorOperation.SetPresence);
        var clears = world.Graph.RequestCount(GraphEmulatorOperation.ClearPresence);

        var second = world.Wxcc.OfferDigitalContact(ann.AgentId, "chat");
        world.Wxcc.AssignDigitalContact(ann.AgentId, "chat", second);
        world.Wxcc.EndDigitalContact(ann.AgentId, "chat", first);

        // A later event on the same socket: once the connector has applied it, it has handled the chats too.
        world.Wxcc.SetStateAsAgent(ann.AgentId, AgentState.Idle(world.LunchCode));
        await ConnectorWorld.WaitAsync(() => SeenState(world, ann) == AgentState.Idle(world.LunchCode), "the connector sees the agent's Lunch");
        world.Graph.GetSessions(ann.TeamsUserId).Should().ContainSingle().Which.Activity.Should().Be("InAConferenceCall");

        // The last chat ends: its clear is the later event that proves what came before it.
        world.Wxcc.EndDigitalContact(ann.AgentId, "chat", second);
        await ConnectorWorld.WaitAsync(() => world.Graph.GetSessions(ann.TeamsUserId).Count == 0, "the chat presence is cleared when the last chat ends");
        world.Graph.RequestCount(GraphEmulatorOperation.SetPresence).Should().Be(publishes, "a second chat publishes nothing more");
        world.Graph.RequestCount(GraphEmulatorOperation.ClearPresence).Should().Be(clears + 1, "one chat of two ending cleared nothing; the last one did");
        SeenState(world, ann).Should().Be(AgentState.Idle(world.LunchCode), "a chat never changes the agent's voice state");
    }

    [Fact]
    public async Task ChatChannelStateByV2Webhook_ChatPresenceConfigured_PublishedThenCleared_UnknownChannelPublishesNothing()
    {
        await using var world = await ConnectorWorld.StartAsync(webhooks: true, settings: s => s[ChatPresence] = "Busy/InAConferenceCall");
        var ann = world.Agents[0];
        await ConnectorWorld.WaitAsync(() => world.Admin.GetAgentsAsync(default).GetAwaiter().GetResult().Any(a => a.AgentId == ann.AgentId), "Ann is synced");
        await ConnectorWorld.WaitAsync(() => world.Wxcc.Subscriptions.Any(s => s.Active), "the webhook subscription is active");
        var processor = world.App!.Services.GetRequiredService<Webex.TeamsConnector.ContactCenter.WxccWebhookProcessor>();
        using var rejected = new MetricCollector<long>(world.App!.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), "Webex.TeamsConnector", "webex.teamsconnector.wxcc.events.rejected");
        var ignored = processor.Ignored;

        world.Wxcc.DeliverChannelState(ann.AgentId, "fax", "Engaged");
        world.Wxcc.DeliverChannelState(ann.AgentId, "chat", "Engaged");
        await ConnectorWorld.WaitAsync(() => world.Graph.GetSessions(ann.TeamsUserId) is [{ Activity: "InAConferenceCall" }], "Teams shows Ann's chat");
        world.Graph.RequestCount(GraphEmulatorOperation.SetPresence).Should().Be(1, "the unknown channel published nothing");
        processor.Ignored.Should().BeGreaterThan(ignored, "the unknown channel's delivery is answered 200 and not passed on");
        rejected.GetMeasurementSnapshot().Should().NotBeEmpty("the unknown channel is counted");

        world.Wxcc.DeliverChannelState(ann.AgentId, "chat", "Available");
        await ConnectorWorld.WaitAsync(() => world.Graph.GetSessions(ann.TeamsUserId).Count == 0, "the chat presence is cleared");
        world.Wxcc.GetState(ann.AgentId).Should().Be(AgentState.Available, "a chat channel's state is not the agent's voice state");
    }
}
