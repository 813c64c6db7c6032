using Microsoft.Extensions.DependencyInjection;
using Webex.TeamsConnector.ContactCenter;
using Webex.TeamsConnector.Testing;
using Webex.TeamsConnector.Tests.Fakes;

namespace Webex.TeamsConnector.Orleans.Tests;

/// <summary>Failover of an org whose WxCC budget is spent: writes queued for the budget on the dead owner are made once, by the new owner.</summary>
[Collection("Cluster")]
public class FailoverBudgetTests
{
    // The connector's budget (ContactCenter:RequestsPerMinute) is small, so that the owner's start reads (11 here) and a
    // share of the writes (9) spend it and the other writes (5) queue for the next minute. WxCC's own budget (the
    // emulator's) is small too but leaves room for the new owner, whose limiter is fresh: its start reads and the queued
    // writes (16) fit in its 20, so the test never waits for a window to pass (no fake time in cluster tests).
    private const int Agents = 14;
    private const int ConnectorBudget = 20;
    private const int WxccBudget = 60;

    [Fact]
    public async Task KillSiloAsync_OwnerDiesWithWritesQueuedForTheWxccBudget_TheNewOwnerMakesEachQueuedWriteOnceAndRepeatsNoLandedOne()
    {
        await using var world = await ClusterWorld.StartAsync(silos: 3, orgs: 1, agentsPerOrg: Agents, requestsPerMinute: WxccBudget, settings: s =>
            s["TeamsConnector:Orgs:org-0:ContactCenter:RequestsPerMinute"] = ConnectorBudget.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var org = world.Orgs[0];
        var engaged = AgentState.Idle(org.CallCode);
        await world.WaitForOneUnitPerOrgAsync();
        var owner = world.RunningOn(org).Single();
        var unit = world.Activations(owner).Find(org.OrgId)!.Services;
        var budget = unit.GetRequiredService<RequestBudget>();
        var outbox = unit.GetRequiredService<AgentStateOutbox>();
        budget.Throttled += _ => Wait.Pulse.Raise();

        // Every agent starts a Teams call at once: one decision (Idle "in a call") each, more than the budget lets through.
        foreach (var (_, teamsId) in org.Agents)
        {
            org.Graph.SetPresence(teamsId, "Busy", "InACall");
        }

        // The owner has decided for every agent, some writes landed and the rest wait for the budget (none on the wire:
        // the budget is spent for the next minute, so nothing the dead owner held can land after the kill).
        await Wait.UntilAsync(
            () => org.Wxcc.StateWrites.Count is > 0 and < Agents && budget.Waiting > 0 && outbox.InFlight == 0 && org.Wxcc.StateWrites.Count + outbox.Depth == Agents,
            "the owner has written some agents and queued the others' writes for the budget",
            30);
        var landed = org.Agents.Where(a => org.Wxcc.GetState(a.AgentId) == engaged).Select(a => a.AgentId).ToHashSet(StringComparer.Ordinal);
        landed.Should().HaveCount(org.Wxcc.StateWrites.Count);

        await world.Cluster.KillSiloAsync(owner);

        await Wait.UntilAsync(() => world.RunningOn(org) is [var next] && next.SiloAddress != owner.SiloAddress, "another silo runs the org", 60);
        await Wait.UntilAsync(() => org.Agents.All(a => org.Wxcc.GetState(a.AgentId) == engaged), "every agent on a Teams call is engaged", 40);

        // A later decision, written after anything the new owner might still have repeated: one call ends.
        var (ended, endedTeams) = org.Agents[0];
        org.Graph.SetPresence(endedTeams, "Available", "Available");
        await Wait.UntilAsync(() => org.Wxcc.GetState(ended) == AgentState.Available, "the agent whose call ended is released", 40);

        // One decision per agent, one write per decision: the new owner read the landed ones back from WxCC (state and
        // the connector's reason marker) and wrote only those the dead owner had queued. This is exact here because at
        // the kill no write was on the wire (the budget held every unsent one); a write already sent when its silo dies
        // either reached WxCC (then it is read back, not repeated) or did not (then the new owner makes it).
        foreach (var (agentId, _) in org.Agents)
        {
            org.WritesOf(agentId).Should().Be(agentId == ended ? 2 : 1, "agent {0} {1}", agentId, landed.Contains(agentId) ? "was written by the dead owner" : "was queued on the dead owner");
        }

        org.Wxcc.StateWrites.Should().HaveCount(Agents + 1);
    }
}
