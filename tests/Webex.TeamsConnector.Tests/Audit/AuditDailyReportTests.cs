using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using Webex.TeamsConnector.Tests.Fakes;

namespace Webex.TeamsConnector.Tests.Audit;

/// <summary>The daily sync report: logged once a day, for the day before, from the store.</summary>
public class AuditDailyReportTests
{
    [Fact]
    public async Task DailyReportTime_Passes_LogsYesterdaysReportOnce()
    {
        var day = new DateTimeOffset(2026, 11, 28, 0, 0, 0, TimeSpan.Zero);
        var time = new FakeTimeProvider(day.AddHours(20));
        var store = new CapturingAuditStore();
        await store.AppendAsync(
        [
            Webex.TeamsConnector.TestFixtures.AuditRecords.Record("a1", day.AddHours(9), "Engage", AuditOutcome.Written, "org-r"),
            Webex.TeamsConnector.TestFixtures.AuditRecords.Record("a2", day.AddHours(10), "Release", AuditOutcome.Written, "org-r"),
            Webex.TeamsConnector.TestFixtures.AuditRecords.Record("a2", day.AddHours(11), "Engage", AuditOutcome.Refused, "org-r"),
            Webex.TeamsConnector.TestFixtures.AuditRecords.Record("a3", day.AddHours(12), "AgentOwned", AuditOutcome.LeftAlone, "org-r"),
            Webex.TeamsConnector.TestFixtures.AuditRecords.Record("a9", day.AddDays(-1), "Engage", AuditOutcome.Written, "org-r"),
        ], default);
        var services = new ServiceCollection();
        services.AddLogging(l => l.AddFakeLogging(o => o.OutputSink = _ => Wait.Pulse.Raise()));
        services.AddSingleton<TimeProvider>(time);
        services.AddTeamsConnector().AddAuditStore(_ => store);
        await using var provider = services.BuildServiceProvider();
        var trail = provider.GetRequiredService<AuditTrail>();
        var logs = provider.GetFakeLogCollector();
        trail.CreateRecorder("org-r").Should().NotBeNull();
        List<FakeLogRecord> Reports() => logs.GetSnapshot().Where(l => l.Id.Id == 1603).ToList();

        // 20:00 -> 00:04 the next day: not yet due.
        time.Advance(TimeSpan.FromHours(4) + TimeSpan.FromMinutes(4));
        await trail.LogReportAsync("org-other", day, default);
        Reports().Should().ContainSingle(l => l.Message.Contains("org-other", StringComparison.Ordinal), "only the report asked for directly is logged before 00:05");

        time.Advance(TimeSpan.FromMinutes(2));
        await Wait.UntilAsync(() => Reports().Any(l => l.Message.Contains("org-r", StringComparison.Ordinal)), "the daily report is logged after 00:05");

        var report = Reports().Single(l => l.Message.Contains("org-r", StringComparison.Ordinal));
        report.Level.Should().Be(LogLevel.Information);
        report.Message.Should().Contain("2026-11-28").And.Contain("3 agents synced").And.Contain("Engage=1, Release=1").And.Contain("AgentOwned=1").And.Contain("1 refused");

        time.Advance(TimeSpan.FromDays(1));
        await Wait.UntilAsync(() => Reports().Count(l => l.Message.Contains("org-r", StringComparison.Ordinal)) == 2, "the next day's report");
        Reports().Where(l => l.Message.Contains("org-r", StringComparison.Ordinal)).Last().Message.Should().Contain("2026-11-29").And.Contain("0 agents synced");
    }
}
