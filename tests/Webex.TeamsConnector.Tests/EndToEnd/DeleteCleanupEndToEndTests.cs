using Webex.TeamsConnector.Testing;

namespace Webex.TeamsConnector.Tests.EndToEnd;

/// <summary>
/// Delete cleans up, on the emulators: the WxCC webhook subscription, the Graph subscriptions and every Teams presence
/// the connector published are gone; a failed clean-up is reported, leaves the connector inactive and can be retried.
/// </summary>
[Collection("EndToEnd")]
public class DeleteCleanupEndToEndTests
{
    [Fact]
    public async Task Delete_AfterDeactivate_RemovesEverySubscription_AndClearsEveryPublishedPresence()
    {
        await using var world = await StartAsync();
        var onCalls = await PutOnCallsAsync(world);

        // Graph refuses the clears sent when sync stops, so the presence outlives the sync session.
        var clears = world.Graph.RequestCount(GraphEmulatorOperation.ClearPresence);
        world.Graph.Faults.FailNext(onCalls.Length, 403, GraphEmulatorOperation.ClearPresence);
        (await world.Admin.DeactivateAsync(default)).Succeeded.Should().BeTrue();
        await ConnectorWorld.WaitAsync(() => world.Graph.RequestCount(GraphEmulatorOperation.ClearPresence) >= clears + onCalls.Length, "the clears at stop were tried (and refused)");
        world.Wxcc.Subscriptions.Should().ContainSingle();
        world.Graph.Subscriptions.Should().NotBeEmpty();
        onCalls.Should().OnlyContain(a => world.Graph.GetSessions(a.TeamsUserId).Count == 1);

        var result = await world.Admin.DeleteAsync(default);

        result.Succeeded.Should().BeTrue(result.Error);
        result.Status.State.Should().Be(ConnectorState.Deleted);
        result.Notice.Should().Contain("Its Azure authorization stays").And.Contain("remove the enterprise application in Azure");
        world.Wxcc.Subscriptions.Should().BeEmpty();
        world.Graph.Subscriptions.Should().BeEmpty();
        world.Agents.Append(world.Marker).Should().OnlyContain(a => world.Graph.GetSessions(a.TeamsUserId).Count == 0, "no presence the connector published is left");
    }

    [Fact]
    public async Task Delete_CleanupFails_IsReportedAndLeavesItInactive_ThenARetryDeletes()
    {
        await using var world = await StartAsync();
        var onCalls = await PutOnCallsAsync(world);
        (await world.Admin.DeactivateAsync(default)).Succeeded.Should().BeTrue();
        await ConnectorWorld.WaitAsync(() => onCalls.All(a => world.Graph.GetSessions(a.TeamsUserId).Count == 0), "the clears at stop went out");
        world.Graph.Faults.FailNext(1, 403, GraphEmulatorOperation.GetSubscriptions);

        var failed = await world.Admin.DeleteAsync(default);

        failed.Succeeded.Should().BeFalse();
        failed.Status.State.Should().Be(ConnectorState.Inactive);
        failed.Error.Should().StartWith("Cannot delete the connector while it is Inactive: the clean-up failed (Graph subscriptions: ")
            .And.EndWith("it stays Inactive, try delete again.");
        world.Admin.GetStatus().Status.State.Should().Be(ConnectorState.Inactive);
        world.Graph.Subscriptions.Should().NotBeEmpty();

        var retried = await world.Admin.DeleteAsync(default);

        retried.Succeeded.Should().BeTrue(retried.Error);
        retried.Status.State.Should().Be(ConnectorState.Deleted);
        world.Wxcc.Subscriptions.Should().BeEmpty();
        world.Graph.Subscriptions.Should().BeEmpty();
    }

    [Fact]
    public async Task Delete_WhileActive_IsRefused_AndRemovesNothing()
    {
        await using var world = await StartAsync();
        var graphSubscriptions = world.Graph.Subscriptions.Count;

        var result = await world.Admin.DeleteAsync(default);

        result.Succeeded.Should().BeFalse();
        result.Error.Should().Be("Cannot delete the connector while it is Active: deactivate the connector before deleting it.");
        world.Wxcc.Subscriptions.Should().ContainSingle();
        world.Graph.Subscriptions.Should().HaveCount(graphSubscriptions);
        world.Graph.RequestCount(GraphEmulatorOperation.DeleteSubscription).Should().Be(0);
    }

    private static async Task<ConnectorWorld> StartAsync()
    {
        var world = await ConnectorWorld.StartAsync(webhooks: true, notifications: true);
        await ConnectorWorld.WaitAsync(() => world.Wxcc.Subscriptions.Count == 1 && world.Graph.Subscriptions.Count >= 1, "the WxCC webhook and the Graph subscriptions are in place", 30);
        return world;
    }

    /// <summary>Two agents take calls; the connector shows them in Teams as in a call.</summary>
    private static async Task<WorldAgent[]> PutOnCallsAsync(ConnectorWorld world)
    {
        WorldAgent[] agents = [world.Agents[0], world.Agents[1]];
        foreach (var agent in agents)
        {
            world.Wxcc.OfferContact(agent.AgentId);
            world.Wxcc.AssignContact(agent.AgentId);
        }

        await ConnectorWorld.WaitAsync(() => agents.All(a => world.Graph.GetSessions(a.TeamsUserId) is [{ Activity: "InACall" }]), "Teams shows both agents in a call");
        return agents;
    }
}
