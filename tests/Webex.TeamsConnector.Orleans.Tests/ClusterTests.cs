using Microsoft.Extensions.DependencyInjection;
using Webex.TeamsConnector.AspNetCore;
using Webex.TeamsConnector.ContactCenter;
using Webex.TeamsConnector.Testing;
using Webex.TeamsConnector.Tests.Fakes;

namespace Webex.TeamsConnector.Orleans.Tests;

/// <summary>The connector on an Orleans cluster of in-process silos over a real redis-server.</summary>
[Collection("Cluster")]
public class ClusterTests
{
    [Fact]
    public async Task AddTeamsConnector_ThreeSilosThreeOrgs_EachOrgHasExactlyOneUnitAndItsAgentsSync()
    {
        await using var world = await ClusterWorld.StartAsync(silos: 3, orgs: 3, agentsPerOrg: 2);

        await world.WaitForOneUnitPerOrgAsync();
        foreach (var org in world.Orgs)
        {
            var (agentId, teamsId) = org.Agents[0];
            org.Graph.SetPresence(teamsId, "Busy", "InACall");
            await Wait.UntilAsync(() => org.Wxcc.GetState(agentId) == AgentState.Idle(org.CallCode), $"{org.OrgId}'s agent is engaged", 30);
        }

        foreach (var org in world.Orgs)
        {
            world.RunningOn(org).Should().ContainSingle("one writer per org across the cluster");
            org.Wxcc.StateWrites.Should().ContainSingle("one write for one decision").Which.AgentId.Should().Be(org.Agents[0].AgentId);
        }
    }

    [Fact]
    public async Task KillSiloAsync_OwnerDiesMidDay_AnotherSiloTakesOverAndEveryAgentEndsInTheRulesState()
    {
        await using var world = await ClusterWorld.StartAsync(silos: 3, orgs: 1, agentsPerOrg: 3);
        var org = world.Orgs[0];
        var (onCall, onCallTeams) = org.Agents[0];
        var (later, laterTeams) = org.Agents[1];
        var (contact, contactTeams) = org.Agents[2];
        await world.WaitForOneUnitPerOrgAsync();

        // Mid-day: a Teams call in progress (engaged), and a contact-center contact shown as Busy in Teams.
        org.Graph.SetPresence(onCallTeams, "Busy", "InACall");
        await Wait.UntilAsync(() => org.Wxcc.GetState(onCall) == AgentState.Idle(org.CallCode), "the agent on a Teams call is engaged", 30);
        org.Wxcc.OfferContact(contact);
        org.Wxcc.AssignContact(contact);
        await Wait.UntilAsync(() => org.Graph.GetSessions(contactTeams).Count > 0, "Teams shows the contact as Busy", 30);
        var owner = world.RunningOn(org).Single();

        await world.Cluster.KillSiloAsync(owner);

        // While no silo runs the org: the Teams call ends, another one starts, the contact ends.
        org.Graph.SetPresence(onCallTeams, "Available", "Available");
        org.Graph.SetPresence(laterTeams, "Busy", "InACall");
        org.Wxcc.EndContact(contact, wrapUp: false, next: AgentState.Available);

        await Wait.UntilAsync(() => world.RunningOn(org) is [var next] && next.SiloAddress != owner.SiloAddress, "another silo runs the org", 60);
        await Wait.UntilAsync(
            () => org.Wxcc.GetState(onCall) == AgentState.Available
                && org.Wxcc.GetState(later) == AgentState.Idle(org.CallCode)
                && org.Graph.GetSessions(contactTeams).Count == 0,
            "every agent is in the rules' state and the published Busy is cleared",
            60);
        org.WritesOf(onCall).Should().Be(2, "engaged once, released once: no state written twice for one decision");
        org.WritesOf(later).Should().Be(1);
        org.WritesOf(contact).Should().Be(0);
    }

    [Fact]
    public async Task RestartSiloAsync_RollingRestartOfEverySilo_ZeroWrongFinalStates()
    {
        await using var world = await ClusterWorld.StartAsync(silos: 3, orgs: 2, agentsPerOrg: 3);
        await world.WaitForOneUnitPerOrgAsync();

        var round = 0;
        foreach (var silo in world.Cluster.Silos.ToList())
        {
            await world.Cluster.StopSiloAsync(silo);
            await world.Cluster.StartAdditionalSiloAsync();
            foreach (var org in world.Orgs)
            {
                // Each round flips every agent's Teams presence: busy on even rounds, free on odd ones.
                foreach (var (_, teamsId) in org.Agents)
                {
                    org.Graph.SetPresence(teamsId, round % 2 == 0 ? "Busy" : "Available", round % 2 == 0 ? "InACall" : "Available");
                }
            }

            var expected = round % 2 == 0 ? (Func<WorldOrg, AgentState>)(o => AgentState.Idle(o.CallCode)) : _ => AgentState.Available;
            await Wait.UntilAsync(() => world.Orgs.All(o => o.Agents.All(a => o.Wxcc.GetState(a.AgentId) == expected(o))), $"every agent is right after restart {round + 1}", 60);
            round++;
        }

        await world.WaitForOneUnitPerOrgAsync();
        foreach (var org in world.Orgs)
        {
            foreach (var (agentId, _) in org.Agents)
            {
                org.WritesOf(agentId).Should().Be(round, "one write per decision, whichever silo made it");
            }
        }
    }

    [Fact]
    public async Task MapTeamsConnector_WxccWebhookReachesASiloThatDoesNotOwnTheOrg_TheOwnerGetsItExactlyOnce()
    {
        await using var world = await ClusterWorld.StartAsync(silos: 3, orgs: 1, agentsPerOrg: 1, webhooks: true);
        var org = world.Orgs[0];
        var (agentId, _) = org.Agents[0];
        await world.WaitForOneUnitPerOrgAsync();
        await Wait.UntilAsync(() => org.Wxcc.Subscriptions.Count == 1, "the owner registered its webhook", 30);
        var owner = world.RunningOn(org).Single();
        var other = world.Cluster.Silos.First(s => s.SiloAddress != owner.SiloAddress);
        await Wait.UntilAsync(() => SiloWebhooks.Urls.ContainsKey(other.SiloAddress), "the other silo serves webhooks", 30);

        // WxCC delivers to the silo that does not own the org (as a load balancer may).
        org.Wxcc.SetSubscriptionActive(org.Wxcc.Subscriptions[0].Id, active: false);
        org.Wxcc.AddSubscription("non-owner", new Uri(SiloWebhooks.Urls[other.SiloAddress] + TeamsConnectorEndpointRouteBuilderExtensions.WebexEventsPath), ClusterWorld.WebhookSecret);
        var ownerProcessor = world.Activations(owner).Find(org.OrgId)!.Services.GetRequiredService<WxccWebhookProcessor>();
        var checker = world.Cluster.GetSiloServiceProvider(other.SiloAddress).GetRequiredService<LocalOrgs>().Find(org.OrgId)!.Services.GetRequiredService<WxccWebhookProcessor>();
        var accepted = ownerProcessor.Accepted;
        var delivered = org.Wxcc.WebhookDeliveries;

        org.Wxcc.SetStateAsAgent(agentId, AgentState.Idle(org.DndCode));
        // The owner takes the event while the non-owner's answer is still on its way back to WxCC, which counts the
        // delivery only when it reads that answer (after any retries): wait for both, then nothing more can come of it.
        await Wait.UntilAsync(
            () => ownerProcessor.Accepted > accepted && org.Wxcc.WebhookDeliveries > delivered,
            "the owner's unit got the event and WxCC got the non-owner's 2xx",
            30);
        var seen = await world.Grain(org).EnsureRunningAsync();

        seen.Silo.Should().Be(owner.SiloAddress.ToString());
        org.Wxcc.WebhookDeliveries.Should().Be(delivered + 1, "one event, one delivery answered 2xx");
        ownerProcessor.Accepted.Should().Be(accepted + 1, "handed to the owner exactly once");
        (checker.Accepted, checker.Rejected).Should().Be((0, 0), "the receiving silo only checks it");
    }

    [Fact]
    public async Task ChangeNotifications_OwnerKilled_NoSubscriptionDeletedWhileItsOwnerLivesAndTheNewOwnerReplacesTheOldOnes()
    {
        // Until the world is known the balancer answers 503, as one with no ready node does: a subscription validated
        // while the silos start is refused, and the owner retries it within seconds.
        LoadBalancer? balancer = null;
        ClusterWorld? current = null;
        balancer = await LoadBalancer.StartAsync(() => current is null
            ? []
            : [.. current.Cluster.Silos.Where(s => SiloWebhooks.Urls.ContainsKey(s.SiloAddress)).Select(s => SiloWebhooks.Urls[s.SiloAddress])]);
        await using var _ = balancer;
        await using var world = await ClusterWorld.StartAsync(silos: 3, orgs: 1, agentsPerOrg: 2, webhooks: true, settings: s =>
        {
            s["TeamsConnector:Orgs:org-0:Graph:PresenceSource"] = "ChangeNotifications";
            s["TeamsConnector:Orgs:org-0:Graph:NotificationClientState"] = "cluster-client-state-0123456789abcdef";
            s["TeamsConnector:Orgs:org-0:Graph:NotificationUrl"] = balancer.Url + "/graph/notifications";
        });
        current = world;
        var org = world.Orgs[0];
        var (first, firstTeams) = org.Agents[0];
        var (second, secondTeams) = org.Agents[1];
        await world.WaitForOneUnitPerOrgAsync();
        await Wait.UntilAsync(() => org.Graph.Subscriptions.Count == 1, "the owner subscribed to its agents' presence", 30);
        var held = org.Graph.Subscriptions[0].Id;

        // A silo joins while the owner lives: nothing deletes the owner's subscription, and notifications still sync.
        await world.Cluster.StartAdditionalSiloAsync();
        org.Graph.SetPresence(firstTeams, "Busy", "InACall");
        await Wait.UntilAsync(() => org.Wxcc.GetState(first) == AgentState.Idle(org.CallCode), "a notification engaged the first agent", 30);
        org.Graph.Subscriptions.Select(x => x.Id).Should().Equal([held], "no node deletes a subscription its live owner holds");
        org.Graph.RequestCount(GraphEmulatorOperation.DeleteSubscription).Should().Be(0);

        var owner = world.RunningOn(org).Single();
        await world.Cluster.KillSiloAsync(owner);
        org.Graph.SetPresence(secondTeams, "DoNotDisturb", "DoNotDisturb");

        await Wait.UntilAsync(() => world.RunningOn(org) is [var next] && next.SiloAddress != owner.SiloAddress, "another silo runs the org", 60);
        await Wait.UntilAsync(
            () => org.Wxcc.GetState(second) == AgentState.Idle(org.DndCode) && org.Graph.Subscriptions is [var only] && only.Id != held,
            "the new owner syncs and holds the org's only subscription, the dead owner's one replaced",
            60);
        org.Graph.SetPresence(firstTeams, "Available", "Available");
        await Wait.UntilAsync(() => org.Wxcc.GetState(first) == AgentState.Available, "the new owner's subscription delivers", 30);
        org.WritesOf(first).Should().Be(2);
        org.WritesOf(second).Should().Be(1);
    }
}
