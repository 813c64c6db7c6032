using Microsoft.Extensions.Time.Testing;
using static Webex.TeamsConnector.TestFixtures.AuditRecords;

namespace Webex.TeamsConnector.Tests.Audit;

/// <summary>The embedded SQLite store: queries, the retention period, the size bound and the daily report.</summary>
public sealed class SqliteAuditStoreTests : IDisposable
{
    private static readonly DateTimeOffset s_start = new(2026, 11, 29, 8, 0, 0, TimeSpan.Zero);
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "teams-connector-tests", Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _time = new(s_start);

    private SqliteAuditStore Create(long maxSize = 256L * 1024 * 1024, TimeSpan? retention = null) =>
        new(new SqliteAuditStoreOptions { Path = Path.Combine(_folder, "audit.db"), MaxSizeBytes = maxSize, Retention = retention ?? TimeSpan.FromDays(30) }, _time);

    [Fact]
    public async Task QueryAsync_ByAgentAndTimeRange_ReturnsThatAgentsRecordsOldestFirst()
    {
        await using var store = Create();
        var records = Enumerable.Range(0, 20).Select(i => Record(i % 2 == 0 ? "a1" : "a2", s_start.AddMinutes(i))).ToList();
        records.Add(Record("a1", s_start.AddMinutes(3), org: "org-2"));
        await store.AppendAsync(records, default);

        var timeline = await store.QueryAsync(new AuditQuery("org-1", "a1", s_start.AddMinutes(4), s_start.AddMinutes(12)), default);

        timeline.Select(r => r.Time).Should().Equal(s_start.AddMinutes(4), s_start.AddMinutes(6), s_start.AddMinutes(8), s_start.AddMinutes(10));
        timeline[0].Should().BeEquivalentTo(Record("a1", s_start.AddMinutes(4)));
    }

    [Fact]
    public async Task QueryAsync_Latest_ReturnsTheNewestRecordsOfTheRangeOldestFirst()
    {
        await using var store = Create();
        await store.AppendAsync(Enumerable.Range(0, 10).Select(i => Record("a1", s_start.AddMinutes(i))).ToList(), default);

        var latest = await store.QueryAsync(new AuditQuery("org-1", "a1", s_start, s_start.AddHours(1), Limit: 3) { Latest = true }, default);

        latest.Select(r => r.Time).Should().Equal(s_start.AddMinutes(7), s_start.AddMinutes(8), s_start.AddMinutes(9));
    }

    [Fact]
    public async Task QueryAsync_BeforeAnyWrite_IsEmpty_AndCreatesNoFile()
    {
        await using var store = Create();

        (await store.QueryAsync(new AuditQuery("org-1", null, s_start, s_start.AddDays(1)), default)).Should().BeEmpty();
        (await store.ReportAsync("org-1", s_start, s_start.AddDays(1), default)).Decisions.Should().Be(0);

        File.Exists(store.Path).Should().BeFalse();
    }

    [Fact]
    public async Task AppendAsync_RecordsOlderThanTheRetention_AreDeleted()
    {
        await using var store = Create(retention: TimeSpan.FromHours(1));
        await store.AppendAsync([Record("a1", s_start), Record("a1", s_start.AddMinutes(30))], default);

        _time.Advance(TimeSpan.FromMinutes(95));
        await store.AppendAsync([Record("a1", _time.GetUtcNow())], default);

        var left = await store.QueryAsync(new AuditQuery("org-1", null, DateTimeOffset.UnixEpoch, s_start.AddDays(1)), default);
        left.Select(r => r.Time).Should().Equal(s_start.AddMinutes(95));
    }

    [Fact]
    public async Task AppendAsync_BeyondTheSizeBound_DropsTheOldestAndTheFileStaysWithinIt()
    {
        const long Bound = 256 * 1024;
        await using var store = Create(maxSize: Bound);
        for (var batch = 0; batch < 40; batch++)
        {
            await store.AppendAsync(Enumerable.Range(0, 250).Select(i => Record("a" + (i % 50), s_start.AddSeconds(batch * 250 + i))).ToList(), default);
        }

        (await store.SizeAsync(default)).Should().BeLessThanOrEqualTo(Bound);
        new FileInfo(store.Path).Length.Should().BeLessThanOrEqualTo(Bound + 4096, "the freed pages are given back to the file system");
        store.SizeTrims.Should().BePositive();
        var all = await store.QueryAsync(new AuditQuery("org-1", null, DateTimeOffset.UnixEpoch, s_start.AddDays(1), Limit: 100_000), default);
        all.Should().NotBeEmpty();
        all[^1].Time.Should().Be(s_start.AddSeconds(40 * 250 - 1), "the newest records stay");
        all[0].Time.Should().BeAfter(s_start, "the oldest records went first");
    }

    [Fact]
    public async Task ReportAsync_CountsAgentsWritesByRuleRefusalsAndFailures()
    {
        await using var store = Create();
        await store.AppendAsync(
        [
            Record("a1", s_start, "Engage", AuditOutcome.Sent),
            Record("a1", s_start.AddSeconds(1), "Engage", AuditOutcome.Written),
            Record("a2", s_start.AddSeconds(2), "Release", AuditOutcome.Sent),
            Record("a2", s_start.AddSeconds(3), "Release", AuditOutcome.Written),
            Record("a3", s_start.AddSeconds(4), "Engage", AuditOutcome.Refused),
            Record("a3", s_start.AddSeconds(5), "Engage", AuditOutcome.Failed),
            Record("a4", s_start.AddSeconds(6), "AgentOwned", AuditOutcome.LeftAlone),
            Record("a4", s_start.AddSeconds(7), "DeferredOnContact", AuditOutcome.Deferred),
            Record("a5", s_start.AddDays(1), "Engage", AuditOutcome.Written),
        ], default);

        var report = await store.ReportAsync("org-1", s_start.Date, s_start.Date.AddDays(1), default);

        report.AgentsSynced.Should().Be(4);
        report.AgentsWritten.Should().Be(2);
        report.Decisions.Should().Be(4);
        report.WritesByRule.Should().BeEquivalentTo(new Dictionary<string, long> { ["Engage"] = 1, ["Release"] = 1 });
        report.LeftAloneByRule.Should().BeEquivalentTo(new Dictionary<string, long> { ["AgentOwned"] = 1, ["DeferredOnContact"] = 1 });
        report.Refusals.Should().Be(1);
        report.Failures.Should().Be(1);
    }

    [Fact]
    public async Task ReportAsync_DefaultImplementation_MatchesTheStoresOwn()
    {
        await using var store = Create();
        var records = Enumerable.Range(0, 2_500).Select(i => Record("a" + (i % 7), s_start.AddSeconds(i / 3), i % 5 == 0 ? "Release" : "Engage", (AuditOutcome)(i % 9))).ToList();
        await store.AppendAsync(records, default);

        var own = await store.ReportAsync("org-1", s_start, s_start.AddDays(1), default);
        var paged = await ((IAuditStore)new PagingOnly(store)).ReportAsync("org-1", s_start, s_start.AddDays(1), default);

        paged.Should().BeEquivalentTo(own);
        own.Decisions.Should().Be(records.Count(r => AuditReportTally.IsDecision(r.Outcome)));
    }

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    /// <summary>A store with only the two required methods: the report comes from the interface's paging default.</summary>
    private sealed class PagingOnly(IAuditStore inner) : IAuditStore
    {
        public ValueTask AppendAsync(IReadOnlyList<AuditRecord> records, CancellationToken cancellationToken) => inner.AppendAsync(records, cancellationToken);

        public ValueTask<IReadOnlyList<AuditRecord>> QueryAsync(AuditQuery query, CancellationToken cancellationToken) => inner.QueryAsync(query, cancellationToken);
    }
}
