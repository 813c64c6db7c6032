namespace Webex.TeamsConnector.Tests.EndToEnd;

/// <summary>The end-to-end tests prove negatives with <see cref="ConnectorWorld.CatchUpAsync"/>: these tests prove that it can.</summary>
[Collection("EndToEnd")]
public class ConnectorWorldTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task CatchUpAsync_AfterATeamsCall_TheConnectorsWriteHasAlreadyLanded(bool notifications)
    {
        await using var world = await ConnectorWorld.StartAsync(agents: 1, notifications: notifications);
        var ann = world.Agents[0];

        world.Graph.SetPresence(ann.TeamsUserId, "Busy", "InACall");
        await world.CatchUpAsync();

        world.Wxcc.GetState(ann.AgentId).Should().Be(AgentState.Idle(world.CallCode), "what happened before the marker is handled before it");
        world.WritesOf(ann).Should().Be(1);
    }

    [Fact]
    public async Task CatchUpAsync_AfterAnAgentEvent_TheConnectorHasSeenIt()
    {
        await using var world = await ConnectorWorld.StartAsync(agents: 1);
        var ann = world.Agents[0];

        world.Wxcc.SetStateAsAgent(ann.AgentId, AgentState.Idle(world.LunchCode));
        await world.CatchUpAsync();

        var seen = (await world.Admin.GetAgentsAsync(default)).Single(a => a.AgentId == ann.AgentId);
        (seen.State, seen.Origin).Should().Be((AgentState.Idle(world.LunchCode), StateOrigin.Agent));
    }

    [Fact]
    public async Task AssertLeftAloneAsync_TheConnectorWrites_Fails()
    {
        await using var world = await ConnectorWorld.StartAsync(agents: 1);
        var ann = world.Agents[0];

        var assert = () => world.AssertLeftAloneAsync(ann, AgentState.Available, () => world.Graph.SetPresence(ann.TeamsUserId, "Busy", "InACall"));

        await assert.Should().ThrowAsync<Exception>().Where(e => e.Message.Contains("Idle", StringComparison.Ordinal));
    }
}
