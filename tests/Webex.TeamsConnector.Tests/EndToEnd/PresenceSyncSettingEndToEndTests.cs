using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Webex.TeamsConnector.Tests.EndToEnd;

/// <summary>The organization's presence-sync setting is checked at its own interval, not at the roster refresh.</summary>
[Collection("EndToEnd")]
public class PresenceSyncSettingEndToEndTests
{
    private const string SettingPath = "telephony/config/settings/msTeams";

    [Fact]
    public async Task PresenceSyncTurnedOff_StopsSyncAtTheNextCheck_HealthSaysWhy_AndTurnedOnResumes()
    {
        // The roster refresh is an hour away: only the setting check can notice the change.
        await using var world = await ConnectorWorld.StartAsync(settings: s =>
        {
            s["TeamsConnector:StateSync:RosterRefreshInterval"] = "01:00:00";
            s["TeamsConnector:StateSync:PresenceSyncCheckInterval"] = "00:00:00.200";
        });
        var ann = world.Agents[0];

        world.Wxcc.PresenceSyncEnabled = false;
        await ConnectorWorld.WaitAsync(() => !world.Admin.GetStatus().IsSyncing, "sync stops");
        var health = await world.App!.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(default);
        health.Status.Should().Be(HealthStatus.Degraded);
        health.Entries["teams-connector"].Description.Should().Contain("presence-sync setting").And.Contain("off");

        // Teams shows a call while the setting is off: two more checks of the setting, and still no write.
        var writes = world.WritesOf(ann);
        world.Graph.SetPresence(ann.TeamsUserId, "Busy", "InACall");
        var checks = world.Wxcc.RequestCount(SettingPath);
        await ConnectorWorld.WaitAsync(() => world.Wxcc.RequestCount(SettingPath) >= checks + 2, "two more checks of the setting");
        world.WritesOf(ann).Should().Be(writes, "no state is written while the presence-sync setting is off");
        world.Wxcc.GetState(ann.AgentId).Should().Be(AgentState.Available);

        world.Wxcc.PresenceSyncEnabled = true;
        await world.WaitForStateAsync(ann, AgentState.Idle(world.CallCode));
        (await world.App!.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(default)).Status.Should().Be(HealthStatus.Healthy);
    }
}
