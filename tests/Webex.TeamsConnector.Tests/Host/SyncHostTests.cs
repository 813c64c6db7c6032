using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Webex.TeamsConnector.Tests.Fakes;

namespace Webex.TeamsConnector.Tests.Host;

public class SyncHostTests
{
    private static FakePorts TwoAgents()
    {
        var ports = new FakePorts();
        ports.AddAgent("a1", "ann@example.test", "t1");
        ports.AddAgent("a2", "bob@example.test", "t2");
        ports.AddAgent("a3", "cid@example.test", "t3", profile: "p-webex");
        ports.CurrentStates["a1"] = new AgentFeedEvent("a1", AgentEvent.LoggedIn(AgentState.Available, DateTimeOffset.FromUnixTimeMilliseconds(1_739_000_000_000)), null, default);
        ports.CurrentStates["a2"] = new AgentFeedEvent("a2", AgentEvent.LoggedIn(AgentState.Available, DateTimeOffset.FromUnixTimeMilliseconds(1_739_000_000_000)), null, default);
        return ports;
    }

    [Fact]
    public async Task Start_TracksOnlyAgentsWhoseProfileEnablesTeamsStateSync()
    {
        await using var fixture = await HostFixture.StartAsync(TwoAgents());
        await fixture.Ports.FeedsRunning.Task.WaitAsync(TimeSpan.FromSeconds(10));

        await Wait.UntilAsync(() => fixture.Admin.GetStatus().TrackedAgents == 2, "two agents are tracked");
        fixture.Ports.Watched.Should().BeEquivalentTo(["t1", "t2"]);
        fixture.Admin.GetStatus().IsSyncing.Should().BeTrue();
    }

    [Fact]
    public async Task TeamsCall_WritesTheMappedIdleCode_AndItsEndReleases()
    {
        await using var fixture = await HostFixture.StartAsync(TwoAgents());
        await fixture.Ports.FeedsRunning.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var time = TimeProvider.System;

        await fixture.Ports.TeamsAsync("t1", "DoNotDisturb", "DoNotDisturb", time);
        await Wait.UntilAsync(() => fixture.Ports.Writes.Contains(("a1", AgentState.Idle("c-dnd"))), "a1 is set idle");

        await fixture.Ports.AgentAsync("a1", fixture.Ports.NextState(AgentState.Idle("c-dnd"), OriginClassifier.DefaultReasonMarker, "a1"));
        await fixture.Ports.TeamsAsync("t1", "Available", "Available", time);
        await Wait.UntilAsync(() => fixture.Ports.Writes.Contains(("a1", AgentState.Available)), "a1 is released");
        fixture.Ports.Writes.Should().NotContain(w => w.AgentId == "a2");
        fixture.Ports.Withdrawn.Should().BeEmpty("the connector's own confirmed write withdraws nothing");
    }

    [Fact]
    public async Task AgentChangesStateWhileTheWriteWaits_TheWriteIsWithdrawn_AndTheAgentsStateStands()
    {
        await using var fixture = await HostFixture.StartAsync(TwoAgents());
        await fixture.Ports.FeedsRunning.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var time = TimeProvider.System;

        // (Do Not Disturb rather than a call: a first presence equal to the connector's own contact presence would be
        // held back for the echo grace period.)
        await fixture.Ports.TeamsAsync("t1", "DoNotDisturb", "DoNotDisturb", time);
        await Wait.UntilAsync(() => fixture.Ports.Writes.Contains(("a1", AgentState.Idle("c-dnd"))), "a1 is wanted idle");

        // Before the outbox had budget to send it, the agent picks an idle code of their own.
        await fixture.Ports.AgentAsync("a1", fixture.Ports.NextState(AgentState.Idle("c-lunch"), reason: "lunch", by: "a1"));
        await Wait.UntilAsync(() => fixture.Ports.Withdrawn.Contains(("a1", AgentState.Idle("c-dnd"))), "the unsent write is withdrawn");

        await fixture.Ports.TeamsAsync("t1", "Available", "Available", time);
        // Presences are handled in order: once a2's change has been acted on, a1's has been too.
        await fixture.Ports.TeamsAsync("t2", "DoNotDisturb", "DoNotDisturb", time);
        await Wait.UntilAsync(() => fixture.Ports.Writes.Contains(("a2", AgentState.Idle("c-dnd"))), "a2 is set idle");
        fixture.Ports.Writes.Where(w => w.AgentId == "a1").Should().ContainSingle("the agent's own idle code is left alone when Do Not Disturb ends");
    }

    [Fact]
    public async Task Contact_PublishesBusyInTeams_AndStopClearsIt()
    {
        var fixture = await HostFixture.StartAsync(TwoAgents());
        await fixture.Ports.FeedsRunning.Task.WaitAsync(TimeSpan.FromSeconds(10));

        await fixture.Ports.AgentAsync("a2", fixture.Ports.NextState(AgentState.Engaged));
        await Wait.UntilAsync(() => fixture.Ports.Published.Contains(("t2", PublishedPresence.InACall)), "a2 shows busy in Teams");

        await fixture.DisposeAsync();
        fixture.Ports.Cleared.Should().Contain("t2", "a graceful stop clears what the connector published");
    }

    [Fact]
    public async Task Deactivate_StopsSync_ReactivateStartsIt()
    {
        await using var fixture = await HostFixture.StartAsync(TwoAgents());
        await fixture.Ports.FeedsRunning.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await Wait.UntilAsync(() => fixture.Admin.GetStatus().IsSyncing, "sync runs");

        fixture.Ports.ResetRunning();
        (await fixture.Admin.DeactivateAsync(default)).Succeeded.Should().BeTrue();
        await Wait.UntilAsync(() => !fixture.Admin.GetStatus().IsSyncing, "sync stops");
        fixture.Admin.GetStatus().Reason.Should().Be("The connector is deactivated.");

        var delete = await fixture.Admin.ReactivateAsync(default);
        delete.Succeeded.Should().BeTrue();
        await fixture.Ports.FeedsRunning.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await Wait.UntilAsync(() => fixture.Admin.GetStatus().IsSyncing, "sync runs again");
    }

    [Fact]
    public async Task DeleteWhileActive_IsRefused_DeleteWhenInactive_GivesTheAzureNotice()
    {
        await using var fixture = await HostFixture.StartAsync(TwoAgents());

        var refused = await fixture.Admin.DeleteAsync(default);
        refused.Succeeded.Should().BeFalse();
        refused.Error.Should().Be("Cannot delete the connector while it is Active: deactivate the connector before deleting it.");

        await fixture.Admin.DeactivateAsync(default);
        var deleted = await fixture.Admin.DeleteAsync(default);
        deleted.Succeeded.Should().BeTrue();
        deleted.Notice.Should().Contain("enterprise application");
        fixture.Admin.GetStatus().Status.State.Should().Be(ConnectorState.Deleted);
    }

    [Fact]
    public async Task PresenceSyncSettingOff_IsDegraded_AndHealthSaysWhy()
    {
        var ports = TwoAgents();
        ports.PresenceSyncSetting = false;
        await using var fixture = await HostFixture.StartAsync(ports);

        await Wait.UntilAsync(() => fixture.Admin.GetStatus().Status.IsDegraded, "the connector is degraded");
        var health = await fixture.Host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        health.Entries["teams-connector"].Status.Should().Be(HealthStatus.Degraded);
        health.Entries["teams-connector"].Description.Should().Contain("presence-sync setting");
        fixture.Admin.GetStatus().IsSyncing.Should().BeFalse();
    }

    [Fact]
    public async Task MappingNamesAnUnknownOrWrapUpCode_SyncDoesNotStart_AndHealthListsTheProblems()
    {
        var settings = HostFixture.DefaultSettings();
        settings["TeamsConnector:StateSync:IdleCodes:InACall"] = "no-such-code";
        settings["TeamsConnector:StateSync:IdleCodes:Presenting"] = "wrap";
        await using var fixture = await HostFixture.StartAsync(TwoAgents(), settings);

        await Wait.UntilAsync(() => fixture.Admin.GetStatus().Reason?.Contains("no-such-code", StringComparison.Ordinal) == true, "the problem is reported");
        var reason = fixture.Admin.GetStatus().Reason;
        reason.Should().Contain("IdleCodes:InACall names idle code no-such-code, which WxCC does not have.");
        reason.Should().Contain("IdleCodes:Presenting names code wrap (Sale), which is a wrap-up code");
        var health = await fixture.Host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        health.Entries["teams-connector"].Status.Should().Be(HealthStatus.Unhealthy);
    }

    [Fact]
    public async Task BadConfiguration_FailsAtStart_ListingEveryError()
    {
        var settings = HostFixture.DefaultSettings();
        settings["TeamsConnector:StateSync:IdleCodes:Sleeping"] = "x";
        settings["TeamsConnector:StateSync:IdleCodes:InACall"] = "0";
        settings["TeamsConnector:StateSync:ContactPresence"] = "Busy/Busy";
        settings["TeamsConnector:StateSync:PublishExpiration"] = "00:01:00";
        settings["TeamsConnector:StateSync:Colour"] = "blue";
        settings["TeamsConnector:Bogus"] = "1";
        settings["TeamsConnector:StateSync:RosterRefreshInterval"] = "SECRETbanana";
        settings["TeamsConnector:Admin:InitialState"] = "SECRETmango";
        var builder = HostFixture.CreateBuilder(settings, TwoAgents());
        using var host = builder.Build();

        var start = () => host.StartAsync();

        var error = (await start.Should().ThrowAsync<OptionsValidationException>()).Which;
        error.Failures.Should().Contain(f => f.Contains("IdleCodes:Sleeping is not a Teams state", StringComparison.Ordinal));
        error.Failures.Should().Contain(f => f.Contains("IdleCodes:InACall is \"0\"", StringComparison.Ordinal));
        error.Failures.Should().Contain(f => f.Contains("ContactPresence must be None or one of", StringComparison.Ordinal));
        error.Failures.Should().Contain(f => f.Contains("PublishExpiration", StringComparison.Ordinal));
        error.Failures.Should().Contain(f => f.Contains("TeamsConnector:StateSync:Colour is not a known setting", StringComparison.Ordinal));
        error.Failures.Should().Contain(f => f.Contains("TeamsConnector:Bogus is not a known setting", StringComparison.Ordinal));
        error.Failures.Should().Contain("TeamsConnector:StateSync:RosterRefreshInterval is not a valid TimeSpan (for example 00:00:30).");
        error.Failures.Should().Contain("TeamsConnector:Admin:InitialState is not a valid ConnectorState.");
        error.Message.Should().NotContain("blue").And.NotContain("SECRET");
    }

    [Fact]
    public async Task WithoutAdapters_TheHostSaysWhichAreMissing()
    {
        var builder = HostFixture.CreateBuilder(HostFixture.DefaultSettings(), new FakePorts(), registerPorts: false);
        using var host = builder.Build();
        var service = host.Services.GetServices<IHostedService>().OfType<BackgroundService>().Single();

        await host.StartAsync();
        var act = async () => await service.ExecuteTask!;

        (await act.Should().ThrowAsync<InvalidOperationException>())
            .WithMessage("*ITeamsPresenceFeed (.AddGraphPresence())*IAgentStateOutbox (.AddWebexContactCenter())*");
        await host.StopAsync();
    }

    [Fact]
    public async Task AddTeamsConnector_Twice_RegistersOneHostAndOneHealthCheck()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddTeamsConnector();
        services.AddTeamsConnector(o => o.StateSync.EchoGracePeriod = TimeSpan.FromSeconds(3));
        using var provider = services.BuildServiceProvider();

        provider.GetServices<IHostedService>().OfType<TeamsConnectorService>().Should().ContainSingle();
        provider.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value.Registrations.Should().ContainSingle(r => r.Name == "teams-connector");
        provider.GetRequiredService<IOptions<TeamsConnectorOptions>>().Value.StateSync.EchoGracePeriod.Should().Be(TimeSpan.FromSeconds(3));
    }

    [Fact]
    public void AddTeamsConnector_NullArguments_Throw()
    {
        var services = new ServiceCollection();
        ((Action)(() => TeamsConnectorServiceCollectionExtensions.AddTeamsConnector(null!))).Should().Throw<ArgumentNullException>();
        ((Action)(() => services.AddTeamsConnector((Microsoft.Extensions.Configuration.IConfiguration)null!))).Should().Throw<ArgumentNullException>();
        ((Action)(() => services.AddTeamsConnector((Action<TeamsConnectorOptions>)null!))).Should().Throw<ArgumentNullException>();
    }

    [Fact]
    public async Task FailedWrite_IsForgottenAndCounted()
    {
        await using var fixture = await HostFixture.StartAsync(TwoAgents());
        await fixture.Ports.FeedsRunning.Task.WaitAsync(TimeSpan.FromSeconds(10));
        using var rejections = new Microsoft.Extensions.Diagnostics.Metrics.Testing.MetricCollector<long>(
            fixture.Host.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), TeamsConnectorDiagnostics.Name, "webex.teamsconnector.rejections");

        await fixture.Ports.TeamsAsync("t1", "DoNotDisturb", "DoNotDisturb", TimeProvider.System);
        await Wait.UntilAsync(() => fixture.Ports.Writes.Contains(("a1", AgentState.Idle("c-dnd"))), "a1 is set idle");
        await fixture.Ports.ReportAsync(new AgentWriteResult("a1", AgentState.Idle("c-dnd"), false, "agent not logged in", "trk-1"));

        await Wait.UntilAsync(() => rejections.GetMeasurementSnapshot().Any(m => Equals(m.Tags["reason"], "write_failed")), "the failure is counted");
    }

    [Fact]
    public async Task SyncMetrics_WhenSomethingListens_CountEventsBySourceAndOutcome_AndCommandsByKindAndRule()
    {
        await using var fixture = await HostFixture.StartAsync(TwoAgents());
        await fixture.Ports.FeedsRunning.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await Wait.UntilAsync(() => fixture.Admin.GetAgentsAsync(default).Result.All(a => a.LastEventAt is not null), "the agents' states are read");
        var meters = fixture.Host.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
        using var events = new Microsoft.Extensions.Diagnostics.Metrics.Testing.MetricCollector<long>(meters, TeamsConnectorDiagnostics.Name, "webex.teamsconnector.sync.events");
        using var commands = new Microsoft.Extensions.Diagnostics.Metrics.Testing.MetricCollector<long>(meters, TeamsConnectorDiagnostics.Name, "webex.teamsconnector.sync.commands");

        await fixture.Ports.TeamsAsync("t1", "DoNotDisturb", "DoNotDisturb", TimeProvider.System);
        await Wait.UntilAsync(() => fixture.Ports.Writes.Contains(("a1", AgentState.Idle("c-dnd"))), "a1 is set idle");
        await fixture.Ports.TeamsAsync("t-unknown", "Away", "Away", TimeProvider.System);

        await Wait.UntilAsync(
            () => commands.GetMeasurementSnapshot().Any(m => Equals(m.Tags["kind"], "SetIdle") && Equals(m.Tags["rule"], nameof(SyncRule.Engage)))
                && events.GetMeasurementSnapshot().Any(m => Equals(m.Tags["source"], "teams") && Equals(m.Tags["outcome"], nameof(SyncOutcome.UnknownAgent))),
            "the write and the unknown user's presence are counted with their tags");
        events.GetMeasurementSnapshot().Should().Contain(m => Equals(m.Tags["source"], "teams") && Equals(m.Tags["outcome"], nameof(SyncOutcome.Applied)) && m.Value == 1);
    }

    [Fact]
    public async Task SyncLatency_WhenSomethingListens_IsRecordedFromThePresenceToTheAcceptedWrite_AndNotForAFailedOne()
    {
        await using var fixture = await HostFixture.StartAsync(TwoAgents());
        await fixture.Ports.FeedsRunning.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await Wait.UntilAsync(() => fixture.Admin.GetAgentsAsync(default).Result.All(a => a.LastEventAt is not null), "the agents' states are read");
        using var latency = new Microsoft.Extensions.Diagnostics.Metrics.Testing.MetricCollector<double>(
            fixture.Host.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), TeamsConnectorDiagnostics.Name, "webex.teamsconnector.sync.latency");

        await fixture.Ports.TeamsAsync("t1", "DoNotDisturb", "DoNotDisturb", TimeProvider.System);
        await Wait.UntilAsync(() => fixture.Ports.Writes.Contains(("a1", AgentState.Idle("c-dnd"))), "a1 is set idle");
        await fixture.Ports.ReportAsync(new AgentWriteResult("a1", AgentState.Idle("c-dnd"), false, "agent not logged in", "trk-1"));
        await fixture.Ports.TeamsAsync("t2", "DoNotDisturb", "DoNotDisturb", TimeProvider.System);
        await Wait.UntilAsync(() => fixture.Ports.Writes.Contains(("a2", AgentState.Idle("c-dnd"))), "a2 is set idle");
        await fixture.Ports.ReportAsync(new AgentWriteResult("a2", AgentState.Idle("c-dnd"), true, null, "trk-2"));

        await Wait.UntilAsync(() => latency.GetMeasurementSnapshot().Count > 0, "the accepted write's latency is recorded");
        latency.GetMeasurementSnapshot().Should().ContainSingle("a1's write failed").Which.Value.Should().BeGreaterThanOrEqualTo(0);
    }

    [Fact]
    public async Task FirstPresenceShowsTheContactPair_ClearsAStaleSession_AndTakesItAsRealAfterTheGrace()
    {
        var settings = HostFixture.DefaultSettings();
        settings["TeamsConnector:StateSync:EchoGracePeriod"] = "00:00:01";
        await using var fixture = await HostFixture.StartAsync(TwoAgents(), settings);
        await fixture.Ports.FeedsRunning.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await Wait.UntilAsync(() => fixture.Admin.GetAgentsAsync(default).Result.All(a => a.LastEventAt is not null), "the agents' states are read");

        // Right after a (re)start, Teams shows Busy/InACall before the connector published anything: maybe the
        // session an earlier run left behind.
        await fixture.Ports.TeamsAsync("t1", "Busy", "InACall", TimeProvider.System);
        await Wait.UntilAsync(() => fixture.Ports.Cleared.Contains("t1"), "the possibly stale session is cleared");
        fixture.Ports.Writes.Should().BeEmpty("it is treated as an echo for one grace period");

        // Teams still shows a call after the grace: it is a real Teams call.
        await Wait.UntilAsync(() => fixture.Ports.Writes.Contains(("a1", AgentState.Idle("c-call"))), "a1 is set idle after the grace");
    }

    [Fact]
    public async Task FeedFailure_RestartsTheSession()
    {
        var ports = TwoAgents();
        ports.PresenceFeedFailure = new InvalidOperationException("graph down");
        await using var fixture = await HostFixture.StartAsync(ports);

        await Wait.UntilAsync(() => fixture.Admin.GetStatus().Reason?.Contains("graph down", StringComparison.Ordinal) == true, "the failure is reported");
        ports.PresenceFeedFailure = null;
        await Wait.UntilAsync(() => fixture.Admin.GetStatus().IsSyncing, "the session restarts", timeoutSeconds: 15);
    }
}
