using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;
using Webex.TeamsConnector.TestFixtures;
using static Webex.TeamsConnector.TestFixtures.AuditRecords;

namespace Webex.TeamsConnector.Redis.Tests;

/// <summary>The Redis Streams audit store on a real redis-server: queries, retention, the size bound and the report.</summary>
public sealed class RedisAuditStoreTests : IAsyncLifetime
{
    private static readonly DateTimeOffset s_start = new(2026, 11, 29, 8, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(s_start);
    private readonly string _prefix = "test:" + Guid.NewGuid().ToString("N") + ":";
    private RedisServer _server = null!;
    private ConnectionMultiplexer _redis = null!;

    public async Task InitializeAsync()
    {
        _server = await RedisServer.StartAsync();
        _redis = await ConnectionMultiplexer.ConnectAsync(_server.Endpoint);
    }

    public async Task DisposeAsync()
    {
        await _redis.DisposeAsync();
        await _server.DisposeAsync();
    }

    private RedisAuditStore Create(int maxLength = 1_000_000, TimeSpan? retention = null) => new(
        new RedisAuditStoreOptions { KeyPrefix = _prefix, MaxLengthPerOrg = maxLength, Retention = retention ?? TimeSpan.FromDays(30) },
        _time,
        _ => Task.FromResult<IConnectionMultiplexer>(_redis),
        ownsConnection: false);

    [Fact]
    public async Task QueryAsync_ByAgentAndTimeRange_ReturnsThatAgentsRecordsOldestFirst()
    {
        var store = Create();
        var records = Enumerable.Range(0, 1_200).Select(i => Record(i % 2 == 0 ? "a1" : "a2", s_start.AddSeconds(i))).ToList();
        await store.AppendAsync([.. records, Record("a1", s_start.AddSeconds(4), org: "org-2")], default);

        var timeline = await store.QueryAsync(new AuditQuery("org-1", "a1", s_start.AddSeconds(4), s_start.AddSeconds(1_100), Limit: 10_000), default);

        timeline.Should().HaveCount(548);
        timeline[0].Should().BeEquivalentTo(Record("a1", s_start.AddSeconds(4)));
        timeline.Select(r => r.Time).Should().BeInAscendingOrder();
        (await store.QueryAsync(new AuditQuery("org-2", null, s_start, s_start.AddDays(1)), default)).Should().ContainSingle();
    }

    [Fact]
    public async Task QueryAsync_Latest_ReturnsTheNewestRecordsOfTheRange()
    {
        var store = Create();
        await store.AppendAsync(Enumerable.Range(0, 10).Select(i => Record("a1", s_start.AddMinutes(i))).ToList(), default);

        var latest = await store.QueryAsync(new AuditQuery("org-1", "a1", s_start, s_start.AddHours(1), Limit: 3) { Latest = true }, default);

        latest.Select(r => r.Time).Should().Equal(s_start.AddMinutes(7), s_start.AddMinutes(8), s_start.AddMinutes(9));
    }

    [Fact]
    public async Task AppendAsync_FromTwoNodesSlightlyApart_BothLandInTheOrgsOneTrail()
    {
        var nodeA = Create();
        var nodeB = Create();
        await nodeA.AppendAsync([Record("a1", s_start.AddSeconds(10))], default);
        await nodeB.AppendAsync([Record("a2", s_start.AddSeconds(9))], default);

        var trail = await nodeA.QueryAsync(new AuditQuery("org-1", null, s_start, s_start.AddMinutes(1)), default);

        trail.Select(r => r.AgentId).Should().Equal("a2", "a1");
    }

    [Fact]
    public async Task AppendAsync_RecordsOlderThanTheRetention_AreTrimmed()
    {
        var store = Create(retention: TimeSpan.FromHours(1));
        await store.AppendAsync([Record("a1", s_start), Record("a1", s_start.AddMinutes(30))], default);

        _time.Advance(TimeSpan.FromMinutes(95));
        await store.AppendAsync([Record("a1", _time.GetUtcNow())], default);

        (await _redis.GetDatabase().StreamLengthAsync(store.KeyOf("org-1"))).Should().Be(1);
        var ttl = await _redis.GetDatabase().KeyTimeToLiveAsync(store.KeyOf("org-1"));
        ttl.Should().NotBeNull().And.Subject!.Value.Should().BeLessThanOrEqualTo(TimeSpan.FromHours(1), "an org without records expires after the retention");
    }

    [Fact]
    public async Task AppendAsync_BeyondTheSizeBound_KeepsTheNewestRecords()
    {
        var store = Create(maxLength: 500);
        for (var batch = 0; batch < 8; batch++)
        {
            await store.AppendAsync(Enumerable.Range(0, 250).Select(i => Record("a1", s_start.AddSeconds(batch * 250 + i))).ToList(), default);
        }

        (await _redis.GetDatabase().StreamLengthAsync(store.KeyOf("org-1"))).Should().Be(500);
        var all = await store.QueryAsync(new AuditQuery("org-1", null, s_start, s_start.AddDays(1), Limit: 10_000), default);
        all.Should().HaveCount(500);
        all[0].Time.Should().Be(s_start.AddSeconds(1_500));
    }

    [Fact]
    public async Task ReportAsync_CountsAgentsWritesByRuleRefusalsAndFailures()
    {
        var store = Create();
        await store.AppendAsync(
        [
            Record("a1", s_start, "Engage", AuditOutcome.Sent),
            Record("a1", s_start.AddSeconds(1), "Engage", AuditOutcome.Written),
            Record("a2", s_start.AddSeconds(3), "Release", AuditOutcome.Written),
            Record("a3", s_start.AddSeconds(4), "Engage", AuditOutcome.Refused),
            Record("a3", s_start.AddSeconds(5), "Engage", AuditOutcome.Failed),
            Record("a4", s_start.AddSeconds(6), "AgentOwned", AuditOutcome.LeftAlone),
        ], default);

        var report = await ((IAuditStore)store).ReportAsync("org-1", s_start, s_start.AddDays(1), default);

        report.AgentsSynced.Should().Be(4);
        report.WritesByRule.Should().BeEquivalentTo(new Dictionary<string, long> { ["Engage"] = 1, ["Release"] = 1 });
        report.Refusals.Should().Be(1);
        report.Failures.Should().Be(1);
        report.LeftAloneByRule.Should().ContainKey("AgentOwned");
    }

    [Fact]
    public async Task AddRedisAuditStore_UsesTheAppsConnection_AndBindsAuditRedis()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["TeamsConnector:Audit:Redis:KeyPrefix"] = _prefix,
            ["TeamsConnector:Audit:Redis:MaxLengthPerOrg"] = "42",
        }).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IConnectionMultiplexer>(_redis);
        services.AddTeamsConnector(configuration.GetSection("TeamsConnector")).AddRedisAuditStore();
        await using var provider = services.BuildServiceProvider();

        provider.GetRequiredService<IOptions<RedisAuditStoreOptions>>().Value.MaxLengthPerOrg.Should().Be(42);
        var store = provider.GetRequiredService<IAuditStore>();
        store.Should().BeOfType<RedisAuditStore>();
        await store.AppendAsync([Record("a1", s_start)], default);
        (await _redis.GetDatabase().StreamLengthAsync(_prefix + "org-1")).Should().Be(1);
    }

    [Fact]
    public void AddRedisAuditStore_UnknownOrInvalidSettings_AreListed()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["TeamsConnector:Audit:Redis:MaxLengthPerOrg"] = "0",
            ["TeamsConnector:Audit:Redis:Colour"] = "blue",
        }).Build();
        var services = new ServiceCollection();
        services.AddTeamsConnector(configuration.GetSection("TeamsConnector")).AddRedisAuditStore();
        using var provider = services.BuildServiceProvider();

        var act = () => provider.GetRequiredService<IOptions<RedisAuditStoreOptions>>().Value;

        act.Should().Throw<OptionsValidationException>().Which.Failures.Should().Contain(f => f.Contains("MaxLengthPerOrg", StringComparison.Ordinal))
            .And.Contain(f => f.Contains("Colour", StringComparison.Ordinal));
    }
}
