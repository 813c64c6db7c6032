using Webex.TeamsConnector.Testing;

namespace Webex.TeamsConnector.Tests.EndToEnd;

/// <summary>Digital contacts on the WxCC notification websocket are not shown in Teams as calls.</summary>
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
}
