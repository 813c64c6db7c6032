namespace Webex.TeamsConnector.Tests.EndToEnd;

/// <summary>Every row of the rules table, end to end: Teams presence in the Graph emulator, state in the WxCC emulator.</summary>
[Collection("EndToEnd")]
public class RulesEndToEndTests
{
    [Fact]
    public async Task Available_TeamsCall_EngagesThenReleases_WithTheReasonMarker()
    {
        await using var world = await ConnectorWorld.StartAsync();
        var ann = world.Agents[0];

        world.Graph.SetPresence(ann.TeamsUserId, "Busy", "InACall");
        await world.WaitForStateAsync(ann, AgentState.Idle(world.CallCode));
        world.Wxcc.GetAgent(ann.AgentId).LastStateChangeReason.Should().Be(OriginClassifier.DefaultReasonMarker);

        world.Graph.SetPresence(ann.TeamsUserId, "Available", "Available");
        await world.WaitForStateAsync(ann, AgentState.Available);
        world.WritesOf(ann).Should().Be(2, "one write per decision");
    }

    [Fact]
    public async Task CustomReasonMarker_IsWrittenAndRecognised_SoTheReleaseStillHappens()
    {
        await using var world = await ConnectorWorld.StartAsync(settings: s => s["TeamsConnector:StateSync:ReasonMarker"] = "contoso-teams-sync");
        var ann = world.Agents[0];

        world.Graph.SetPresence(ann.TeamsUserId, "DoNotDisturb", "DoNotDisturb");
        await world.WaitForStateAsync(ann, AgentState.Idle(world.DndCode));
        world.Wxcc.GetAgent(ann.AgentId).LastStateChangeReason.Should().Be("contoso-teams-sync", "one setting names the marker for writing and for recognising");

        world.Graph.SetPresence(ann.TeamsUserId, "Available", "Available");
        await world.WaitForStateAsync(ann, AgentState.Available);
    }

    [Fact]
    public async Task IdleBySync_TeamsMappedToAnotherCode_Remaps_SameCode_DoesNothing()
    {
        // Teams "in a conference call" is mapped to the same code as "presenting".
        await using var world = await ConnectorWorld.StartAsync(
            settings: s => s["TeamsConnector:StateSync:IdleCodes:InAConferenceCall"] = s["TeamsConnector:StateSync:IdleCodes:Presenting"]);
        var ann = world.Agents[0];
        world.Graph.SetPresence(ann.TeamsUserId, "Busy", "InACall");
        await world.WaitForStateAsync(ann, AgentState.Idle(world.CallCode));

        world.Graph.SetPresence(ann.TeamsUserId, "DoNotDisturb", "Presenting");
        await world.WaitForStateAsync(ann, AgentState.Idle(world.PresentingCode));

        await world.AssertLeftAloneAsync(ann, AgentState.Idle(world.PresentingCode), () => world.Graph.SetPresence(ann.TeamsUserId, "Busy", "InAConferenceCall"));
    }

    [Fact]
    public async Task AgentSetsAvailableDuringATeamsCall_IsRespected_UntilTeamsChangesAgain()
    {
        await using var world = await ConnectorWorld.StartAsync();
        var ann = world.Agents[0];
        world.Graph.SetPresence(ann.TeamsUserId, "DoNotDisturb", "DoNotDisturb");
        await world.WaitForStateAsync(ann, AgentState.Idle(world.DndCode));

        await world.AssertLeftAloneAsync(ann, AgentState.Available, () => world.Wxcc.SetStateAsAgent(ann.AgentId, AgentState.Available));

        world.Graph.SetPresence(ann.TeamsUserId, "Busy", "InACall");
        await world.WaitForStateAsync(ann, AgentState.Idle(world.CallCode));
    }

    [Fact]
    public async Task SystemIdleCode_IsLeftAloneWhenTheTeamsActivityEnds()
    {
        await using var world = await ConnectorWorld.StartAsync(startConnector: false);
        var ann = world.Agents[0];
        var system = world.Wxcc.AddIdleCode("Not Responding", isSystemCode: true);
        await world.StartConnectorAsync();
        world.Graph.SetPresence(ann.TeamsUserId, "DoNotDisturb", "DoNotDisturb");
        await world.WaitForStateAsync(ann, AgentState.Idle(world.DndCode));

        world.Wxcc.SetStateAsAgent(ann.AgentId, AgentState.Idle(system), reason: "system");
        await world.WaitForStateAsync(ann, AgentState.Idle(system));
        await ConnectorWorld.WaitAsync(
            () => world.Admin.GetAgentsAsync(default).GetAwaiter().GetResult().Single(a => a.AgentId == ann.AgentId).Origin == StateOrigin.System,
            "the connector sees a system state");

        await world.AssertLeftAloneAsync(ann, AgentState.Idle(system), () => world.Graph.SetPresence(ann.TeamsUserId, "Available", "Available"));
    }

    [Fact]
    public async Task AgentIdle_SupervisorIdle_Rona_AreLeftAloneWhenTheTeamsActivityEnds()
    {
        await using var world = await ConnectorWorld.StartAsync();
        var (ann, bob, cid) = (world.Agents[0], world.Agents[1], world.Agents[2]);
        foreach (var agent in new[] { ann, bob })
        {
            world.Graph.SetPresence(agent.TeamsUserId, "Busy", "InACall");
            await world.WaitForStateAsync(agent, AgentState.Idle(world.CallCode));
        }

        world.Wxcc.SetStateAsAgent(ann.AgentId, AgentState.Idle(world.LunchCode));
        world.Wxcc.SetStateAsSupervisor(bob.AgentId, AgentState.Idle(world.MeetingCode));
        world.Wxcc.OfferContact(cid.AgentId);
        world.Wxcc.RingIntoRona(cid.AgentId);
        await world.WaitForStateAsync(cid, AgentState.Idle(world.Wxcc.RonaCodeId));
        world.Graph.SetPresence(cid.TeamsUserId, "Busy", "InACall");
        await world.CatchUpAsync();

        await world.AssertLeftAloneAsync(ann, AgentState.Idle(world.LunchCode), () => world.Graph.SetPresence(ann.TeamsUserId, "Available", "Available"));
        await world.AssertLeftAloneAsync(bob, AgentState.Idle(world.MeetingCode), () => world.Graph.SetPresence(bob.TeamsUserId, "Available", "Available"));
        await world.AssertLeftAloneAsync(cid, AgentState.Idle(world.Wxcc.RonaCodeId), () => world.Graph.SetPresence(cid.TeamsUserId, "Available", "Available"));
        var agents = await world.Admin.GetAgentsAsync(default);
        agents.Single(a => a.AgentId == ann.AgentId).Origin.Should().Be(StateOrigin.Agent);
        agents.Single(a => a.AgentId == bob.AgentId).Origin.Should().Be(StateOrigin.Supervisor);
        agents.Single(a => a.AgentId == cid.AgentId).Origin.Should().Be(StateOrigin.Rona);
    }

    [Fact]
    public async Task Available_TeamsFree_AndLoggedOut_AnyPresence_DoNothing()
    {
        await using var world = await ConnectorWorld.StartAsync();
        var (ann, bob) = (world.Agents[0], world.Agents[1]);
        world.Wxcc.SignOut(bob.AgentId);
        await world.CatchUpAsync();

        await world.AssertLeftAloneAsync(ann, AgentState.Available, () => world.Graph.SetPresence(ann.TeamsUserId, "Away", "Away"));
        await world.AssertLeftAloneAsync(bob, AgentState.LoggedOut, () => world.Graph.SetPresence(bob.TeamsUserId, "DoNotDisturb", "DoNotDisturb"));
    }

    [Theory]
    [InlineData(AgentStateKind.Reserved)]
    [InlineData(AgentStateKind.WrapUp)]
    public async Task OfferedOrWrappingUp_TeamsChange_IsDeferred_AndEvaluatedWhenTheContactEnds(AgentStateKind kind)
    {
        await using var world = await ConnectorWorld.StartAsync();
        var ann = world.Agents[0];
        world.Wxcc.OfferContact(ann.AgentId);
        if (kind == AgentStateKind.WrapUp)
        {
            world.Wxcc.AssignContact(ann.AgentId);
            world.Wxcc.EndContact(ann.AgentId, wrapUp: true);
        }

        await world.WaitForStateAsync(ann, kind == AgentStateKind.WrapUp ? AgentState.WrapUp : AgentState.Reserved);
        await ConnectorWorld.WaitAsync(
            () => world.Admin.GetAgentsAsync(default).GetAwaiter().GetResult().Single(a => a.AgentId == ann.AgentId).State.Kind == kind,
            "the connector sees the contact");

        await world.AssertLeftAloneAsync(ann, world.Wxcc.GetState(ann.AgentId), () => world.Graph.SetPreferredPresence(ann.TeamsUserId, "DoNotDisturb", "DoNotDisturb"));

        if (kind == AgentStateKind.WrapUp)
        {
            world.Wxcc.WrapUp(ann.AgentId, AgentState.Available);
        }
        else
        {
            world.Wxcc.AssignContact(ann.AgentId);
            world.Wxcc.EndContact(ann.AgentId, wrapUp: false, next: AgentState.Available);
        }

        await world.WaitForStateAsync(ann, AgentState.Idle(world.DndCode));
    }

    [Fact]
    public async Task OnContact_TeamsChange_IsDeferred_AndEvaluatedWhenTheContactEnds()
    {
        await using var world = await ConnectorWorld.StartAsync();
        var ann = world.Agents[0];
        world.Wxcc.OfferContact(ann.AgentId);
        world.Wxcc.AssignContact(ann.AgentId);
        await ConnectorWorld.WaitAsync(() => world.Graph.GetSessions(ann.TeamsUserId).Any(s => s.Activity == "InACall"), "Teams shows Ann busy");

        await world.AssertLeftAloneAsync(ann, AgentState.Engaged, () => world.Graph.SetPreferredPresence(ann.TeamsUserId, "DoNotDisturb", "DoNotDisturb"));

        world.Wxcc.EndContact(ann.AgentId, wrapUp: true);
        world.Wxcc.WrapUp(ann.AgentId, AgentState.Available);
        await world.WaitForStateAsync(ann, AgentState.Idle(world.DndCode));
        await ConnectorWorld.WaitAsync(() => world.Graph.GetSessions(ann.TeamsUserId).Count == 0, "the contact presence is cleared");
    }

    [Fact]
    public async Task Contact_ShowsBusyInTeams_ClearsAfterWrapUp_AndItsEchoIsNotATeamsCall()
    {
        await using var world = await ConnectorWorld.StartAsync();
        var ann = world.Agents[0];

        world.Wxcc.OfferContact(ann.AgentId);
        world.Wxcc.AssignContact(ann.AgentId);
        await ConnectorWorld.WaitAsync(() => world.Graph.GetPresence(ann.TeamsUserId) is { Availability: "Busy", Activity: "InACall" }, "Teams shows Ann in a call");
        world.Wxcc.EndContact(ann.AgentId, wrapUp: true);
        await world.WaitForStateAsync(ann, AgentState.WrapUp);
        await world.CatchUpAsync();
        world.Graph.GetSessions(ann.TeamsUserId).Should().ContainSingle("Teams stays busy during wrap-up");

        await world.AssertLeftAloneAsync(ann, AgentState.Available, () => world.Wxcc.WrapUp(ann.AgentId, AgentState.Available));
        world.Graph.GetSessions(ann.TeamsUserId).Should().BeEmpty();
    }

    [Fact]
    public async Task AgentWithAWebexAppProfile_IsNeverSynced()
    {
        await using var world = await ConnectorWorld.StartAsync();
        var other = world.Agents.Single(a => !a.Synced);

        await world.AssertLeftAloneAsync(other, AgentState.Available, () => world.Graph.SetPresence(other.TeamsUserId, "Busy", "InACall"));
    }
}
