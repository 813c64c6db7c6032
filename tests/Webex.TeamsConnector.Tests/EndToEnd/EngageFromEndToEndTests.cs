namespace Webex.TeamsConnector.Tests.EndToEnd;

/// <summary><c>StateSync:EngageFrom</c> and <c>StateSync:IgnoreInactivity</c>, end to end on the emulators.</summary>
[Collection("EndToEnd")]
public class EngageFromEndToEndTests
{
    private static Action<Dictionary<string, string?>> Strict => s => s["TeamsConnector:StateSync:EngageFrom"] = "PresenceSyncOrigin";

    [Fact]
    public async Task StrictEngage_AvailableSetByTheAgentThenATeamsCall_WritesNothing()
    {
        await using var world = await ConnectorWorld.StartAsync(settings: Strict);
        var ann = world.Agents[0];
        world.Wxcc.SetStateAsAgent(ann.AgentId, AgentState.Idle(world.LunchCode));
        world.Wxcc.SetStateAsAgent(ann.AgentId, AgentState.Available);
        await WaitForOriginAsync(world, ann, StateOrigin.Agent);

        await world.AssertLeftAloneAsync(ann, AgentState.Available, () => world.Graph.SetPresence(ann.TeamsUserId, "Busy", "InACall"));
    }

    [Fact]
    public async Task StrictEngage_AvailableSetByPresenceSyncThenATeamsCall_Engages()
    {
        await using var world = await ConnectorWorld.StartAsync(settings: Strict);
        var ann = world.Agents[0];

        // An Available written with the connector's marker (an earlier run's release) is presence sync's own.
        world.Wxcc.SetStateAsAgent(ann.AgentId, AgentState.Idle(world.LunchCode));
        world.Wxcc.SetStateAsAgent(ann.AgentId, AgentState.Available, reason: OriginClassifier.DefaultReasonMarker);
        await WaitForOriginAsync(world, ann, StateOrigin.PresenceSync);

        world.Graph.SetPresence(ann.TeamsUserId, "Busy", "InACall");
        await world.WaitForStateAsync(ann, AgentState.Idle(world.CallCode));
        world.Graph.SetPresence(ann.TeamsUserId, "Available", "Available");
        await world.WaitForStateAsync(ann, AgentState.Available);

        // The release is presence sync's Available: the next Teams call engages again.
        world.Graph.SetPresence(ann.TeamsUserId, "DoNotDisturb", "DoNotDisturb");
        await world.WaitForStateAsync(ann, AgentState.Idle(world.DndCode));
    }

    [Fact]
    public async Task InactivityAway_WithAwayMapped_NeverEngages_ButAChosenAwayDoes()
    {
        await using var world = await ConnectorWorld.StartAsync(settings: s => s["TeamsConnector:StateSync:IdleCodes:Away"] = s["TeamsConnector:StateSync:IdleCodes:DoNotDisturb"]);
        var ann = world.Agents[0];

        await world.AssertLeftAloneAsync(ann, AgentState.Available, () => world.Graph.SetPresence(ann.TeamsUserId, "AvailableIdle", "Inactive"));
        await world.AssertLeftAloneAsync(ann, AgentState.Available, () => world.Graph.SetPresence(ann.TeamsUserId, "Away", "Away"));

        world.Graph.SetPresence(ann.TeamsUserId, "Available", "Available");
        await world.AssertLeftAloneAsync(ann, AgentState.Available, () => { });
        world.Graph.SetPresence(ann.TeamsUserId, "Away", "Away");
        await world.WaitForStateAsync(ann, AgentState.Idle(world.DndCode));
    }

    private static Task WaitForOriginAsync(ConnectorWorld world, WorldAgent agent, StateOrigin origin) =>
        ConnectorWorld.WaitAsync(
            () => world.Admin.GetAgentsAsync(default).GetAwaiter().GetResult().Single(a => a.AgentId == agent.AgentId).Origin == origin,
            $"the connector sees {agent.Email}'s last state set by {origin}");
}
