using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Webex.TeamsConnector.AspNetCore;
using Webex.TeamsConnector.ContactCenter;
using Webex.TeamsConnector.Testing;

namespace Webex.TeamsConnector.Tests.EndToEnd;

/// <summary>
/// The decisions Core now takes, on the emulators over real HTTP: a future-dated event, a lost agent event before a
/// release, a supervisor's change the websocket never carries, and a write WxCC accepts and then fails.
/// </summary>
[Collection("EndToEnd")]
public class DecisionsEndToEndTests
{
    private static readonly HttpClient s_http = new();

    private static async Task<AgentSyncSnapshot> ConnectorViewAsync(ConnectorWorld world, WorldAgent agent) =>
        (await world.Admin.GetAgentsAsync(default)).Single(a => a.AgentId == agent.AgentId);

    private static Task WaitForConnectorAsync(ConnectorWorld world, WorldAgent agent, Func<AgentSyncSnapshot, bool> condition, string what) =>
        ConnectorWorld.WaitAsync(() => condition(ConnectorViewAsync(world, agent).GetAwaiter().GetResult()), what);

    [Fact]
    public async Task SignedWebhookDatedADayAhead_DoesNotFreezeTheAgent_LaterEventsAndReconciliationApply()
    {
        await using var world = await ConnectorWorld.StartAsync(webhooks: true, settings: s => s["TeamsConnector:ContactCenter:ReconciliationInterval"] = "00:00:01");
        var ann = world.Agents[0];
        using var rejections = new MetricCollector<long>(world.App!.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), "Webex.TeamsConnector", "webex.teamsconnector.rejections");
        await WaitForConnectorAsync(world, ann, a => a.State == AgentState.Available, "the connector knows ann is Available");

        var now = DateTimeOffset.UtcNow;
        var body = Encoding.UTF8.GetBytes(new JsonObject
        {
            ["id"] = Guid.NewGuid().ToString(),
            ["specversion"] = "1.0",
            ["type"] = "agent:state_change",
            ["source"] = "/com/cisco/wxcc/sub-1",
            ["comciscoorgid"] = world.Wxcc.OrgId,
            ["comciscotimestamp"] = now.ToUnixTimeMilliseconds(),
            ["datacontenttype"] = "application/json",
            ["data"] = new JsonObject { ["agentId"] = ann.AgentId, ["currentState"] = "idle", ["idleCodeId"] = world.LunchCode, ["createdTime"] = now.AddDays(1).ToUnixTimeMilliseconds() },
        }.ToJsonString());
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(world.AppUrl, TeamsConnectorEndpointRouteBuilderExtensions.DefaultPrefix + TeamsConnectorEndpointRouteBuilderExtensions.WebexEventsPath)) { Content = content };
        request.Headers.TryAddWithoutValidation(WxccWebhookProcessor.SignatureHeader, ContactCenterEmulator.Sign(ConnectorWorld.WebhookSecret, body));
        using (var response = await s_http.SendAsync(request))
        {
            response.StatusCode.Should().Be(HttpStatusCode.OK, "the delivery is genuine; its inner date is what is wrong");
        }

        await ConnectorWorld.WaitAsync(
            () => rejections.GetMeasurementSnapshot().Any(m => Equals(m.Tags["reason"], "agent_event_clock_skew")),
            "the future-dated event is rejected and counted");
        (await ConnectorViewAsync(world, ann)).State.Should().Be(AgentState.Available);

        // A later real event applies.
        world.Wxcc.SetStateAsAgent(ann.AgentId, AgentState.Idle(world.MeetingCode));
        await WaitForConnectorAsync(world, ann, a => a.State == AgentState.Idle(world.MeetingCode), "the real Meeting event applies");

        // A change whose event is lost is corrected by the next reconciliation (every second here).
        world.Wxcc.Faults.DropEvents = 1;
        world.Wxcc.SetStateAsAgent(ann.AgentId, AgentState.Available);
        await WaitForConnectorAsync(world, ann, a => a.State == AgentState.Available, "reconciliation corrects the state");
    }

    [Fact]
    public async Task LostLunchEvent_TeamsFreesUp_TheLunchStays()
    {
        await using var world = await ConnectorWorld.StartAsync();
        var ann = world.Agents[0];
        world.Graph.SetPresence(ann.TeamsUserId, "DoNotDisturb", "DoNotDisturb");
        await world.WaitForStateAsync(ann, AgentState.Idle(world.DndCode));
        await WaitForConnectorAsync(world, ann, a => a.Class == AgentSyncClass.IdleBySync && a.PendingWrite is null, "the connector saw its write land");
        var writes = world.WritesOf(ann);
        var reads = world.Wxcc.RequestCount("agents/activities");

        // The agent goes to lunch; the event is lost on the way.
        world.Wxcc.Faults.DropEvents = 1;
        world.Wxcc.SetStateAsAgent(ann.AgentId, AgentState.Idle(world.LunchCode));
        world.Graph.SetPresence(ann.TeamsUserId, "Available", "Available");

        // The release is decided only after the agent's state is read back, and that read shows the Lunch.
        await WaitForConnectorAsync(world, ann, a => a.State == AgentState.Idle(world.LunchCode) && a.Origin == StateOrigin.Agent, "the read-back shows the Lunch");
        world.Wxcc.RequestCount("agents/activities").Should().BeGreaterThan(reads);
        world.Wxcc.GetState(ann.AgentId).Should().Be(AgentState.Idle(world.LunchCode));
        world.WritesOf(ann).Should().Be(writes, "Available is never written over a Lunch the connector had not seen");
    }

    [Fact]
    public async Task WebSocketOwnUserScope_SupervisorsMeetingForAnotherAgent_StaysWhenTeamsFreesUp()
    {
        await using var world = await ConnectorWorld.StartAsync(webSocketScope: ContactCenterWebSocketScope.SignedInUser);
        var ann = world.Agents[0];
        world.Graph.SetPresence(ann.TeamsUserId, "DoNotDisturb", "DoNotDisturb");
        await world.WaitForStateAsync(ann, AgentState.Idle(world.DndCode));
        var writes = world.WritesOf(ann);

        // The socket carries only the token user's events: the supervisor's change never arrives by itself.
        world.Wxcc.SetStateAsSupervisor(ann.AgentId, AgentState.Idle(world.MeetingCode));
        world.Graph.SetPresence(ann.TeamsUserId, "Available", "Available");

        await WaitForConnectorAsync(world, ann, a => a.State == AgentState.Idle(world.MeetingCode) && a.Origin != StateOrigin.PresenceSync, "the read-back shows the supervisor's Meeting");
        world.Wxcc.GetState(ann.AgentId).Should().Be(AgentState.Idle(world.MeetingCode));
        world.WritesOf(ann).Should().Be(writes, "Available is never written over the supervisor's Meeting");
    }

    [Fact]
    public async Task WebSocket_WriteAcceptedThenFailedOnce_IsRetriedAndTheAgentEndsIdle()
    {
        await using var world = await ConnectorWorld.StartAsync(settings: s => s["TeamsConnector:StateSync:WriteRetryDelay"] = "00:00:00.200");
        var ann = world.Agents[0];
        world.Wxcc.Faults.FailStateChanges = 1;

        world.Graph.SetPresence(ann.TeamsUserId, "DoNotDisturb", "DoNotDisturb");

        await world.WaitForStateAsync(ann, AgentState.Idle(world.DndCode));
        world.WritesOf(ann).Should().Be(2, "the failed write, then one retry after the back-off");
    }
}
