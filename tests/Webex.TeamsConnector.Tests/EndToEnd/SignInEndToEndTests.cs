namespace Webex.TeamsConnector.Tests.EndToEnd;

/// <summary>Agents the roster does not know yet are loaded when they sign in, not at the next roster refresh.</summary>
[Collection("EndToEnd")]
public class SignInEndToEndTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task NewWxccUserSignsInDuringATeamsCall_IsEngagedAtSignIn_NotAtTheRosterRefresh(bool webhooks)
    {
        // The roster refresh is an hour away: only the sign-in can bring the new agent in.
        await using var world = await ConnectorWorld.StartAsync(webhooks: webhooks, settings: s => s["TeamsConnector:StateSync:RosterRefreshInterval"] = "01:00:00");
        await EventsFlowingAsync(world, webhooks);
        var email = "new-agent@contoso.example";
        var agentId = world.Wxcc.AddAgent(email: email, desktopProfileId: "teams");
        var teamsId = world.Graph.AddUser("New Agent", "Customer Care", "Agent", null, email);
        world.Graph.SetPresence(teamsId, "Busy", "InACall");
        var lookups = world.Wxcc.UserLookups;

        world.Wxcc.SignIn(agentId, AgentState.Available);

        var agent = new WorldAgent(agentId, teamsId, email, Synced: true);
        await world.WaitForStateAsync(agent, AgentState.Idle(world.CallCode));
        world.Wxcc.UserLookups.Should().Be(lookups + 1, "one filtered user read loads the agent");
        world.Admin.GetStatus().TrackedAgents.Should().Be(world.Agents.Count(a => a.Synced) + 2, "the world's agents, its marker and the new agent");
    }

    [Fact]
    public async Task AgentOfAnotherIntegrationSignsIn_IsLookedUpOnce_AndNotSynced()
    {
        await using var world = await ConnectorWorld.StartAsync(settings: s => s["TeamsConnector:StateSync:RosterRefreshInterval"] = "01:00:00");

        // The sign-in must come on the socket: the start's one reconciliation asks only about the users the roster read.
        await EventsFlowingAsync(world, webhooks: false);
        var other = world.Wxcc.AddAgent(email: "webex-only@contoso.example", desktopProfileId: "webex");
        var teamsId = world.Graph.AddUser("Webex Only", "Customer Care", "Agent", null, "webex-only@contoso.example");
        world.Graph.SetPresence(teamsId, "Busy", "InACall");
        var lookups = world.Wxcc.UserLookups;

        world.Wxcc.SignIn(other, AgentState.Available);
        await ConnectorWorld.WaitAsync(() => world.Wxcc.UserLookups == lookups + 1, "the agent is looked up");
        world.Wxcc.SignOut(other);
        world.Wxcc.SignIn(other, AgentState.Available);

        // A later event of a synced agent: once it is applied, the second sign-in has been handled too.
        var ann = world.Agents[0];
        world.Graph.SetPresence(ann.TeamsUserId, "DoNotDisturb", "DoNotDisturb");
        await world.WaitForStateAsync(ann, AgentState.Idle(world.DndCode));
        world.Wxcc.UserLookups.Should().Be(lookups + 1, "an agent found not eligible is not looked up again before the roster refresh");
        world.Wxcc.GetState(other).Should().Be(AgentState.Available);
        world.Admin.GetStatus().TrackedAgents.Should().Be(world.Agents.Count(a => a.Synced) + 1, "the world's agents and its marker only");
    }

    [Fact]
    public async Task KnownUserOfAnotherIntegrationSignsIn_CostsNoLookup()
    {
        await using var world = await ConnectorWorld.StartAsync(settings: s => s["TeamsConnector:StateSync:RosterRefreshInterval"] = "01:00:00");
        await EventsFlowingAsync(world, webhooks: false);
        var webexUser = world.Agents.Single(a => !a.Synced);
        var lookups = world.Wxcc.UserLookups;

        world.Wxcc.SignOut(webexUser.AgentId);
        world.Wxcc.SignIn(webexUser.AgentId, AgentState.Available);

        // A later event on the same socket: once it is applied, the sign-in has been handled too.
        var ann = world.Agents[0];
        world.Wxcc.SetStateAsAgent(ann.AgentId, AgentState.Idle(world.LunchCode));
        await ConnectorWorld.WaitAsync(
            () => world.Admin.GetAgentsAsync(default).GetAwaiter().GetResult().Single(a => a.AgentId == ann.AgentId).State == AgentState.Idle(world.LunchCode),
            "the connector sees the agent's Lunch");
        world.Wxcc.UserLookups.Should().Be(lookups, "the roster already read this user; its profile does not sync with Teams");
    }

    /// <summary>Waits until WxCC's events reach the connector (the subscription or the socket exists).</summary>
    private static Task EventsFlowingAsync(ConnectorWorld world, bool webhooks) => webhooks
        ? ConnectorWorld.WaitAsync(() => world.Wxcc.Subscriptions.Any(s => s.Active), "the webhook subscription exists")
        : ConnectorWorld.WaitAsync(() => world.Wxcc.WebSocketsAccepted >= 1, "the notification websocket is connected");
}
