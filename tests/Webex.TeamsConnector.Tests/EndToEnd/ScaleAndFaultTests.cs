using Webex.TeamsConnector.Testing;

namespace Webex.TeamsConnector.Tests.EndToEnd;

/// <summary>Many agents, faults, duplicates and restarts: every agent ends in the state the rules give.</summary>
[Collection("EndToEnd")]
public class ScaleAndFaultTests
{
    [Fact]
    public async Task FiveHundredAgents_ConcurrentTeamsActivity_EachEndsInTheRightState()
    {
        await using var world = await ConnectorWorld.StartAsync(agents: 500, requestsPerMinute: 20_000);
        var synced = world.Agents.Where(a => a.Synced).ToList();

        for (var i = 0; i < synced.Count; i++)
        {
            var (availability, activity) = (i % 4) switch
            {
                0 => ("Busy", "InACall"),
                1 => ("DoNotDisturb", "DoNotDisturb"),
                2 => ("DoNotDisturb", "Presenting"),
                _ => ("Away", "Away"),
            };
            world.Graph.SetPresence(synced[i].TeamsUserId, availability, activity);
        }

        await ConnectorWorld.WaitAsync(
            () => synced.Select((a, i) => world.Wxcc.GetState(a.AgentId) == Expected(world, i)).All(ok => ok),
            "every agent is in its mapped state", 60);
        world.Wxcc.StateWrites.Count(w => w.StatusCode == 202).Should().Be(synced.Count * 3 / 4, "one write per agent that needed one");

        foreach (var agent in synced)
        {
            world.Graph.SetPresence(agent.TeamsUserId, "Available", "Available");
        }

        await ConnectorWorld.WaitAsync(() => synced.All(a => world.Wxcc.GetState(a.AgentId) == AgentState.Available), "every agent is available again", 60);
    }

    private static AgentState Expected(ConnectorWorld world, int i) => (i % 4) switch
    {
        0 => AgentState.Idle(world.CallCode),
        1 => AgentState.Idle(world.DndCode),
        2 => AgentState.Idle(world.PresentingCode),
        _ => AgentState.Available,
    };

    /// <summary>
    /// The storm waits out 20 whole-second Graph Retry-Afters (the client honours each in full), the back-off after them
    /// and the WxCC 503 back-offs: about 33 s alone, more than 120 s on 2 cores busy with every other test project. A timeout, not a wait.
    /// </summary>
    private const int StormTimeoutSeconds = 240;

    [Fact]
    public async Task Faults_Graph429Storm_Wxcc503s_DroppedSocket_DuplicateAndReorderedEvents_EndInTheRightStates()
    {
        // A failed write is decided again after WriteRetryDelay, doubling: the default 5 s doubling up to 5 minutes let a
        // write that met several 503s in a row wait past the test's limit on a loaded machine. The retry rule is the
        // same with a shorter first back-off and cap.
        await using var world = await ConnectorWorld.StartAsync(agents: 20, requestsPerMinute: 20_000, settings: v =>
        {
            v["TeamsConnector:StateSync:WriteRetryDelay"] = "00:00:00.5";
            v["TeamsConnector:StateSync:WriteRetryMaxDelay"] = "00:00:04";
        });
        var synced = world.Agents.Where(a => a.Synced).ToList();
        world.Graph.Faults.ThrottleNext(20, TimeSpan.FromSeconds(1), GraphEmulatorOperation.GetPresencesByUserId);
        world.Wxcc.Faults.ServiceUnavailable = 10;
        world.Wxcc.Faults.DuplicateEvents = true;
        world.Wxcc.Faults.ReorderEvents = true;

        for (var i = 0; i < synced.Count; i++)
        {
            world.Graph.SetPresence(synced[i].TeamsUserId, i % 2 == 0 ? "Busy" : "DoNotDisturb", i % 2 == 0 ? "InACall" : "DoNotDisturb");
            if (i == synced.Count / 2)
            {
                world.Wxcc.DropWebSockets();
            }
        }

        await StormWaitAsync(world, synced, i => AgentState.Idle(i % 2 == 0 ? world.CallCode : world.DndCode), "every agent is idle with its mapped code");
        world.Graph.ThrottledRequests.Should().BeGreaterThan(0);

        world.Wxcc.Faults.ServiceUnavailable = 5;
        foreach (var agent in synced)
        {
            world.Graph.SetPresence(agent.TeamsUserId, "Available", "Available");
        }

        await StormWaitAsync(world, synced, _ => AgentState.Available, "every agent is released");
        (await world.Admin.GetAgentsAsync(default)).Should().OnlyContain(a => a.PendingWrite == null || a.PendingWrite == AgentState.Available);
    }

    /// <summary>Waits until every agent is in its wanted state; on a timeout, says which are not and what the connector logged of them.</summary>
    private static async Task StormWaitAsync(ConnectorWorld world, IReadOnlyList<WorldAgent> agents, Func<int, AgentState> wanted, string what)
    {
        try
        {
            await ConnectorWorld.WaitAsync(() => agents.Select((a, i) => world.Wxcc.GetState(a.AgentId) == wanted(i)).All(ok => ok), what, StormTimeoutSeconds);
        }
        catch (TimeoutException e)
        {
            var wrong = agents.Select((a, i) => (Agent: a, Wanted: wanted(i))).Where(x => world.Wxcc.GetState(x.Agent.AgentId) != x.Wanted).ToList();
            var views = await world.Admin.GetAgentsAsync(default);
            var lines = wrong.Select(x => $"{x.Agent.AgentId}: WxCC {world.Wxcc.GetState(x.Agent.AgentId)}, wanted {x.Wanted}; connector {views.SingleOrDefault(v => v.AgentId == x.Agent.AgentId)}");
            throw new TimeoutException(
                $"{e.Message}{Environment.NewLine}{string.Join(Environment.NewLine, lines)}{Environment.NewLine}The connector's log lines about them:{Environment.NewLine}"
                + world.Logs.DumpAbout([.. wrong.SelectMany(x => new[] { x.Agent.AgentId, x.Agent.TeamsUserId })]),
                e);
        }
    }

    [Fact]
    public async Task Restart_MidDay_RecoversOriginsFromWxcc_AndLosesNothing()
    {
        await using var world = await ConnectorWorld.StartAsync(agents: 4);
        var (ann, bob, cid, dan) = (world.Agents[0], world.Agents[1], world.Agents[2], world.Agents[3]);
        foreach (var agent in new[] { ann, bob })
        {
            world.Graph.SetPresence(agent.TeamsUserId, "Busy", "InACall");
            await world.WaitForStateAsync(agent, AgentState.Idle(world.CallCode));
        }

        world.Wxcc.SetStateAsAgent(bob.AgentId, AgentState.Idle(world.LunchCode));
        world.Wxcc.OfferContact(dan.AgentId);
        world.Wxcc.AssignContact(dan.AgentId);
        await ConnectorWorld.WaitAsync(() => world.Graph.GetSessions(dan.TeamsUserId).Count == 1, "Teams shows Dan busy");
        await world.CatchUpAsync();

        await world.StopConnectorAsync();

        // While the connector is down: Teams calls end, Cid starts one, Dan's contact ends.
        world.Graph.SetPresence(ann.TeamsUserId, "Available", "Available");
        world.Graph.SetPresence(bob.TeamsUserId, "Available", "Available");
        world.Graph.SetPresence(cid.TeamsUserId, "DoNotDisturb", "DoNotDisturb");
        world.Wxcc.EndContact(dan.AgentId, wrapUp: false, next: AgentState.Available);

        await world.StartConnectorAsync();

        await world.WaitForStateAsync(ann, AgentState.Available);
        await world.WaitForStateAsync(cid, AgentState.Idle(world.DndCode));
        var agents = await world.Admin.GetAgentsAsync(default);
        agents.Single(a => a.AgentId == bob.AgentId).Origin.Should().Be(StateOrigin.Agent);
        await world.AssertLeftAloneAsync(bob, AgentState.Idle(world.LunchCode), () => { });
        await world.AssertLeftAloneAsync(dan, AgentState.Available, () => { });
    }

    [Fact]
    public async Task WebhookMode_EventsArriveByWebhook_AndTheStateSyncs()
    {
        await using var world = await ConnectorWorld.StartAsync(webhooks: true);
        var ann = world.Agents[0];
        await ConnectorWorld.WaitAsync(() => world.Wxcc.Subscriptions.Count == 1, "the webhook subscription is created");

        world.Graph.SetPresence(ann.TeamsUserId, "Busy", "InACall");
        await world.WaitForStateAsync(ann, AgentState.Idle(world.CallCode));
        world.Wxcc.SetStateAsAgent(ann.AgentId, AgentState.Idle(world.LunchCode));
        await ConnectorWorld.WaitAsync(() => world.Wxcc.WebhookDeliveries >= 2, "webhooks are delivered");

        await world.AssertLeftAloneAsync(ann, AgentState.Idle(world.LunchCode), () => world.Graph.SetPresence(ann.TeamsUserId, "Available", "Available"));
    }
}
