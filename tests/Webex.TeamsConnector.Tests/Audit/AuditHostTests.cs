using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Webex.TeamsConnector.Tests.Fakes;

namespace Webex.TeamsConnector.Tests.Audit;

/// <summary>The audit trail in the host: what each decision records, and that the store never holds the sync up.</summary>
public class AuditHostTests
{
    private const string Org = "org-audit-1";

    private static FakePorts TwoAgents()
    {
        var ports = new FakePorts();
        ports.AddAgent("a1", "ann@example.test", "t1");
        ports.AddAgent("a2", "bob@example.test", "t2");
        ports.CurrentStates["a1"] = new AgentFeedEvent("a1", AgentEvent.LoggedIn(AgentState.Available, DateTimeOffset.FromUnixTimeMilliseconds(1_739_000_000_000)), null, default);
        ports.CurrentStates["a2"] = new AgentFeedEvent("a2", AgentEvent.LoggedIn(AgentState.Available, DateTimeOffset.FromUnixTimeMilliseconds(1_739_000_000_000)), null, default);
        return ports;
    }

    private static Task<HostFixture> StartAsync(CapturingAuditStore store, Action<Dictionary<string, string?>>? settings = null)
    {
        var values = HostFixture.DefaultSettings();
        values["TeamsConnector:Audit:OrgId"] = Org;
        settings?.Invoke(values);
        return HostFixture.StartAsync(TwoAgents(), values, b =>
        {
            b.Services.AddTeamsConnector().AddAuditStore(_ => store);
            b.Logging.AddFakeLogging();
        });
    }

    [Fact]
    public async Task TeamsDoNotDisturb_RecordsEngageSent_ThenWrittenWithLatency()
    {
        var store = new CapturingAuditStore();
        await using var fixture = await StartAsync(store);
        await fixture.Ports.FeedsRunning.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await Wait.UntilAsync(() => store.Of("a1").Count >= 1, "the sign-in of a1 is recorded");

        await fixture.Ports.TeamsAsync("t1", "DoNotDisturb", "DoNotDisturb", TimeProvider.System);
        await Wait.UntilAsync(() => fixture.Ports.Writes.Contains(("a1", AgentState.Idle("c-dnd"))), "a1 is set idle");
        await fixture.Ports.ReportAsync(new AgentWriteResult("a1", AgentState.Idle("c-dnd"), true, null, "track-1"));
        await Wait.UntilAsync(() => store.Of("a1").Any(r => r.Outcome == AuditOutcome.Written), "the write's result is recorded");

        var signIn = store.Of("a1")[0];
        signIn.Should().BeEquivalentTo(new { OrgId = Org, Trigger = "AgentStateChanged", AgentEvent = "Login", StateAfter = "Available", Rule = "NoTeamsPresence", Outcome = AuditOutcome.LeftAlone });
        var engage = store.Of("a1").Single(r => r.Trigger == "TeamsPresenceChanged");
        engage.Should().BeEquivalentTo(new
        {
            OrgId = Org,
            AgentId = "a1",
            TeamsAvailability = "DoNotDisturb",
            TeamsActivity = "DoNotDisturb",
            StateBefore = "Available",
            StateAfter = "Idle(c-dnd)",
            Origin = "System",
            Rule = "Engage",
            Command = "SetIdle(c-dnd)",
            Outcome = AuditOutcome.Sent,
        });
        engage.Latency.Should().NotBeNull();
        var written = store.Of("a1").Single(r => r.Outcome == AuditOutcome.Written);
        written.Should().BeEquivalentTo(new { Trigger = "CommandResult", Rule = "Engage", Command = "SetIdle(c-dnd)", StateAfter = "Idle(c-dnd)" });
        written.Latency.Should().BeGreaterThanOrEqualTo(TimeSpan.Zero);
        store.Of("a2").Should().OnlyContain(r => r.Outcome == AuditOutcome.LeftAlone, "bob only signed in");

        var logged = fixture.Host.Services.GetFakeLogCollector().GetSnapshot().Where(l => l.Id.Id == 1600).ToList();
        logged.Should().Contain(l => l.Category == "Webex.TeamsConnector.Audit" && l.Level == LogLevel.Information && l.Message.Contains("Engage", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AgentChoosesIdleCode_ThenTeamsBusy_RecordsLeftAloneAgentOwned()
    {
        var store = new CapturingAuditStore();
        await using var fixture = await StartAsync(store);
        await fixture.Ports.FeedsRunning.Task.WaitAsync(TimeSpan.FromSeconds(10));

        await fixture.Ports.AgentAsync("a1", fixture.Ports.NextState(AgentState.Idle("lunch"), "agent", "a1"));
        await fixture.Ports.TeamsAsync("t1", "DoNotDisturb", "DoNotDisturb", TimeProvider.System);
        await Wait.UntilAsync(() => store.Of("a1").Any(r => r.Trigger == "TeamsPresenceChanged"), "the Teams change is recorded");

        store.Of("a1").Single(r => r.Trigger == "TeamsPresenceChanged").Should().BeEquivalentTo(new
        {
            StateBefore = "Idle(lunch)",
            StateAfter = "Idle(lunch)",
            Origin = "Agent",
            Rule = "AgentOwned",
            Command = (string?)null,
            Outcome = AuditOutcome.LeftAlone,
        });
        fixture.Ports.Writes.Should().NotContain(w => w.AgentId == "a1");
    }

    [Fact]
    public async Task WxccRefusesTheWrite_RecordsRefusedWithTheReason_AndTheBackoffDecision()
    {
        var store = new CapturingAuditStore();
        await using var fixture = await StartAsync(store);
        await fixture.Ports.FeedsRunning.Task.WaitAsync(TimeSpan.FromSeconds(10));

        await fixture.Ports.TeamsAsync("t1", "DoNotDisturb", "DoNotDisturb", TimeProvider.System);
        await Wait.UntilAsync(() => fixture.Ports.Writes.Contains(("a1", AgentState.Idle("c-dnd"))), "a1 is set idle");
        await fixture.Ports.ReportAsync(new AgentWriteResult("a1", AgentState.Idle("c-dnd"), false, "WxCC refused the write (400 invalid idle code)", "track-2"));
        await Wait.UntilAsync(() => store.Of("a1").Any(r => r.Trigger == "WriteFailed"), "the refusal is recorded");

        store.Of("a1").Single(r => r.Outcome == AuditOutcome.Refused).Should().BeEquivalentTo(new
        {
            Rule = "Engage",
            Command = "SetIdle(c-dnd)",
            Detail = "WxCC refused the write (400 invalid idle code)",
        });
        store.Of("a1").Single(r => r.Trigger == "WriteFailed").Rule.Should().Be("WriteBackoff");
    }

    [Fact]
    public async Task AgentActsBeforeTheQueuedWriteIsSent_RecordsWithdrawn()
    {
        var store = new CapturingAuditStore();
        await using var fixture = await StartAsync(store);
        await fixture.Ports.FeedsRunning.Task.WaitAsync(TimeSpan.FromSeconds(10));

        await fixture.Ports.TeamsAsync("t1", "DoNotDisturb", "DoNotDisturb", TimeProvider.System);
        await Wait.UntilAsync(() => fixture.Ports.Writes.Contains(("a1", AgentState.Idle("c-dnd"))), "a1 is wanted idle");
        await fixture.Ports.AgentAsync("a1", fixture.Ports.NextState(AgentState.Idle("lunch"), "agent", "a1"));
        await Wait.UntilAsync(() => store.Of("a1").Any(r => r.Outcome == AuditOutcome.Withdrawn), "the withdrawal is recorded");

        store.Of("a1").Single(r => r.Outcome == AuditOutcome.Withdrawn).Should().BeEquivalentTo(new { Rule = "Engage", Command = "SetIdle(c-dnd)" });
        store.Of("a1").Should().Contain(r => r.Trigger == "AgentStateChanged" && r.Command == "Withdraw" && r.Rule == "Withdraw" && r.Origin == "Agent");
    }

    [Fact]
    public async Task StoreFails_SyncGoesOn_FailureIsCountedAndLogged()
    {
        var store = new CapturingAuditStore { Fail = true };
        await using var fixture = await StartAsync(store);
        var trail = fixture.Host.Services.GetRequiredService<AuditTrail>();
        using var dropped = new MetricCollector<long>(fixture.Host.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), "Webex.TeamsConnector", "webex.teamsconnector.audit.dropped");
        await fixture.Ports.FeedsRunning.Task.WaitAsync(TimeSpan.FromSeconds(10));

        await fixture.Ports.TeamsAsync("t1", "DoNotDisturb", "DoNotDisturb", TimeProvider.System);
        await Wait.UntilAsync(() => fixture.Ports.Writes.Contains(("a1", AgentState.Idle("c-dnd"))), "a1 is set idle although the store fails");
        await Wait.UntilAsync(() => trail.StoreFailures > 0, "the failure is counted");
        await fixture.Ports.TeamsAsync("t2", "DoNotDisturb", "Presenting", TimeProvider.System);
        await Wait.UntilAsync(() => fixture.Ports.Writes.Contains(("a2", AgentState.Idle("c-present"))), "a2 is set idle too");

        store.Records.Should().BeEmpty();
        await Wait.UntilAsync(() => dropped.GetMeasurementSnapshot().Any(m => Equals(m.Tags["reason"], "store_failed")), "dropped records are counted");

        // The writer counts the drop before it logs it: wait on the log record itself, not on the counter.
        var logs = fixture.Host.Services.GetFakeLogCollector();
        await Wait.UntilAsync(() => logs.GetSnapshot().Any(l => l.Id.Id == 1601), "the store failure is logged");
        var warnings = logs.GetSnapshot().Where(l => l.Id.Id == 1601).ToList();
        warnings[0].Message.Should().Contain("InvalidOperationException").And.NotContain("the audit store is down", "a store's message may carry a connection string");
    }

    [Fact]
    public async Task StoreHangs_SyncGoesOn_RecordsBeyondTheBufferAreDroppedAndCounted()
    {
        var store = new CapturingAuditStore { Hang = new(TaskCreationOptions.RunContinuationsAsynchronously) };
        await using var fixture = await StartAsync(store, s =>
        {
            s["TeamsConnector:Audit:BufferCapacity"] = "2";
            s["TeamsConnector:Audit:WriteTimeout"] = "00:10:00";
        });
        var trail = fixture.Host.Services.GetRequiredService<AuditTrail>();
        await fixture.Ports.FeedsRunning.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await Wait.UntilAsync(() => store.Appends > 0, "the store is busy with the first records");

        // Decisions that write nothing, one loop turn each, until the buffer overflows.
        for (var i = 0; i < 6; i++)
        {
            var state = i % 2 == 0 ? AgentState.Idle("lunch") : AgentState.Available;
            await fixture.Ports.AgentAsync("a2", fixture.Ports.NextState(state, "agent", "a2"));
            await Wait.UntilAsync(() => fixture.Admin.GetAgentsAsync(default).GetAwaiter().GetResult().Single(a => a.AgentId == "a2").State == state, $"a2 is {state}");
        }

        await fixture.Ports.TeamsAsync("t1", "DoNotDisturb", "DoNotDisturb", TimeProvider.System);
        await Wait.UntilAsync(() => fixture.Ports.Writes.Contains(("a1", AgentState.Idle("c-dnd"))), "a1 is set idle while the store hangs");
        await Wait.UntilAsync(() => trail.Dropped > 0, "records beyond the buffer are dropped");
        fixture.Host.Services.GetFakeLogCollector().GetSnapshot().Should().Contain(l => l.Id.Id == 1602);
        store.Hang!.TrySetResult();
    }

    [Fact]
    public async Task NoStoreAdded_AuditIsOff_AndNothingIsRecorded()
    {
        await using var fixture = await HostFixture.StartAsync(TwoAgents());
        var trail = fixture.Host.Services.GetRequiredService<AuditTrail>();
        await fixture.Ports.FeedsRunning.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await fixture.Ports.TeamsAsync("t1", "DoNotDisturb", "DoNotDisturb", TimeProvider.System);
        await Wait.UntilAsync(() => fixture.Ports.Writes.Contains(("a1", AgentState.Idle("c-dnd"))), "a1 is set idle");

        trail.IsEnabled.Should().BeFalse();
        trail.CreateRecorder().Should().BeNull();
        trail.Written.Should().Be(0);
    }

    [Fact]
    public async Task EnabledWithoutAStore_RecordsIntoTheEmbeddedSqliteFile()
    {
        var path = Path.Combine(Path.GetTempPath(), "teams-connector-tests", Guid.NewGuid().ToString("N"), "audit.db");
        var values = HostFixture.DefaultSettings();
        values["TeamsConnector:Audit:Enabled"] = "true";
        values["TeamsConnector:Audit:OrgId"] = Org;
        values["TeamsConnector:Audit:Sqlite:Path"] = path;
        await using (var fixture = await HostFixture.StartAsync(TwoAgents(), values))
        {
            var trail = fixture.Host.Services.GetRequiredService<AuditTrail>();
            await fixture.Ports.FeedsRunning.Task.WaitAsync(TimeSpan.FromSeconds(10));
            await fixture.Ports.TeamsAsync("t1", "DoNotDisturb", "DoNotDisturb", TimeProvider.System);
            await Wait.UntilAsync(() => fixture.Ports.Writes.Contains(("a1", AgentState.Idle("c-dnd"))), "a1 is set idle");
            await trail.WaitForAsync(t => t.Written >= 3, TimeSpan.FromSeconds(10));

            var store = fixture.Host.Services.GetRequiredService<IAuditStore>();
            store.Should().BeOfType<SqliteAuditStore>();
            var timeline = await store.QueryAsync(new AuditQuery(Org, "a1", DateTimeOffset.MinValue.AddYears(1), DateTimeOffset.MaxValue.AddYears(-1)), default);
            timeline.Select(r => r.Rule).Should().ContainInOrder("NoTeamsPresence", "Engage");
        }

        File.Exists(path).Should().BeTrue();
    }

    [Fact]
    public void AddTeamsConnector_InvalidAuditSettings_AreListedAtStart()
    {
        var values = HostFixture.DefaultSettings();
        values["TeamsConnector:Audit:BufferCapacity"] = "0";
        values["TeamsConnector:Audit:Sqlite:MaxSizeBytes"] = "10";
        values["TeamsConnector:Audit:Colour"] = "blue";
        var builder = HostFixture.CreateBuilder(values, new FakePorts());
        using var host = builder.Build();

        var act = () => host.Services.GetRequiredService<IOptions<AuditOptions>>().Value;

        act.Should().Throw<OptionsValidationException>().Which.Failures.Should().Contain(f => f.Contains("BufferCapacity", StringComparison.Ordinal))
            .And.Contain(f => f.Contains("MaxSizeBytes", StringComparison.Ordinal))
            .And.Contain(f => f.Contains("Colour", StringComparison.Ordinal));
    }
}
