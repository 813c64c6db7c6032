using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Webex.TeamsConnector.Testing;
using Webex.TeamsConnector.Tests.EndToEnd;
using Webex.TeamsConnector.Tests.Fakes;

namespace Webex.TeamsConnector.Tests.Sync;

/// <summary>
/// The connector unit of one organization, run on its own: two units in one process, each on its own pair of
/// emulators (two orgs), over real HTTP on 127.0.0.1.
/// </summary>
[Collection("EndToEnd")]
public class OrgConnectorTests
{
    [Fact]
    public async Task TwoUnits_TwoOrgs_EachSyncsItsOwnAgents()
    {
        await using var contoso = await ConnectorWorld.StartAsync(agents: 2, startConnector: false);
        await using var fabrikam = await ConnectorWorld.StartAsync(agents: 3, startConnector: false);
        await using var contosoUnit = UnitFor(contoso);
        await using var fabrikamUnit = UnitFor(fabrikam);

        await contosoUnit.Unit.StartAsync();
        await fabrikamUnit.Unit.StartAsync();
        await contosoUnit.WaitSyncingAsync(2);
        await fabrikamUnit.WaitSyncingAsync(3);

        var ann = contoso.Agents[0];
        var bob = fabrikam.Agents[1];
        contoso.Graph.SetPresence(ann.TeamsUserId, "Busy", "InACall");
        fabrikam.Graph.SetPresence(bob.TeamsUserId, "DoNotDisturb", "DoNotDisturb");
        await contoso.WaitForStateAsync(ann, AgentState.Idle(contoso.CallCode));
        await fabrikam.WaitForStateAsync(bob, AgentState.Idle(fabrikam.DndCode));

        // Each unit wrote only to its own org: no agent of one org appears in the other's writes.
        contoso.Wxcc.StateWrites.Should().OnlyContain(w => contoso.Agents.Any(a => a.AgentId == w.AgentId));
        fabrikam.Wxcc.StateWrites.Should().OnlyContain(w => fabrikam.Agents.Any(a => a.AgentId == w.AgentId));
        contoso.WritesOf(ann).Should().Be(1);
        fabrikam.WritesOf(bob).Should().Be(1);
        contosoUnit.Unit.Runtime.Should().NotBeSameAs(fabrikamUnit.Unit.Runtime, "each org has its own status");
    }

    [Fact]
    public async Task StopAsync_OneUnit_TheOtherKeepsSyncing_AndTheStoppedOneTouchesNothing()
    {
        await using var contoso = await ConnectorWorld.StartAsync(agents: 2, startConnector: false);
        await using var fabrikam = await ConnectorWorld.StartAsync(agents: 2, startConnector: false);
        await using var contosoUnit = UnitFor(contoso);
        await using var fabrikamUnit = UnitFor(fabrikam);
        await contosoUnit.Unit.StartAsync();
        await fabrikamUnit.Unit.StartAsync();
        await contosoUnit.WaitSyncingAsync(2);
        await fabrikamUnit.WaitSyncingAsync(2);

        await contosoUnit.Unit.StopAsync();
        await contosoUnit.Unit.StopAsync(); // idempotent
        contosoUnit.Unit.Running!.IsCompletedSuccessfully.Should().BeTrue("the unit's loops ended cleanly");
        contosoUnit.Unit.Session.Should().BeNull();
        contosoUnit.Admin.GetStatus().IsSyncing.Should().BeFalse();

        var ann = contoso.Agents[0];
        var bob = fabrikam.Agents[0];
        var contosoPolls = contoso.Graph.RequestCount(GraphEmulatorOperation.GetPresencesByUserId);
        var annWrites = contoso.WritesOf(ann);

        // Ann's Teams call comes first; Bob's comes later and is synced by the running unit. By then the stopped
        // unit would have seen Ann's call too, had it still been polling.
        contoso.Graph.SetPresence(ann.TeamsUserId, "Busy", "InACall");
        fabrikam.Graph.SetPresence(bob.TeamsUserId, "Busy", "InACall");
        await fabrikam.WaitForStateAsync(bob, AgentState.Idle(fabrikam.CallCode));
        var fabrikamPolls = fabrikam.Graph.RequestCount(GraphEmulatorOperation.GetPresencesByUserId);
        await ConnectorWorld.WaitAsync(() => fabrikam.Graph.RequestCount(GraphEmulatorOperation.GetPresencesByUserId) >= fabrikamPolls + 3, "three more polls of the running unit");

        contoso.Graph.RequestCount(GraphEmulatorOperation.GetPresencesByUserId).Should().Be(contosoPolls, "the stopped unit no longer polls");
        contoso.WritesOf(ann).Should().Be(annWrites);
        contoso.Wxcc.GetState(ann.AgentId).Should().Be(AgentState.Available);
        fabrikamUnit.Admin.GetStatus().IsSyncing.Should().BeTrue();
    }

    [Fact]
    public async Task StartAsync_Twice_RunsOneLoop_AndStartAfterStop_SyncsAgain()
    {
        await using var contoso = await ConnectorWorld.StartAsync(agents: 1, startConnector: false);
        await using var unit = UnitFor(contoso);

        await unit.Unit.StartAsync();
        var first = unit.Unit.Running;
        await unit.Unit.StartAsync();
        unit.Unit.Running.Should().BeSameAs(first, "a second start while running does nothing");
        await unit.WaitSyncingAsync(1);

        await unit.Unit.StopAsync();
        await unit.Unit.StartAsync();
        await unit.WaitSyncingAsync(1);
        var ann = contoso.Agents[0];
        contoso.Graph.SetPresence(ann.TeamsUserId, "DoNotDisturb", "Presenting");
        await contoso.WaitForStateAsync(ann, AgentState.Idle(contoso.PresentingCode));
    }

    private static UnitHandle UnitFor(ConnectorWorld world)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(world.Settings).Build();
        var services = new ServiceCollection();
        services.AddTeamsConnector(configuration.GetSection("TeamsConnector"))
            .AddGraphPresence()
            .AddWebexContactCenter();
        services.AddLogging(logging => Wait.AddPulses(services, logging));
        var provider = services.BuildServiceProvider();
        return new UnitHandle(provider, provider.GetRequiredService<OrgConnector>(), provider.GetRequiredService<ITeamsConnectorAdmin>());
    }

    private sealed record UnitHandle(ServiceProvider Provider, OrgConnector Unit, ITeamsConnectorAdmin Admin) : IAsyncDisposable
    {
        /// <summary>Waits until the unit syncs the world's <paramref name="agents"/> and its marker agent.</summary>
        public Task WaitSyncingAsync(int agents) =>
            ConnectorWorld.WaitAsync(() => Admin.GetStatus() is { IsSyncing: true } s && s.TrackedAgents == agents + 1, $"the unit syncs its {agents} agents and the marker", 30);

        public async ValueTask DisposeAsync()
        {
            await Unit.DisposeAsync();
            await Provider.DisposeAsync();
        }
    }
}
