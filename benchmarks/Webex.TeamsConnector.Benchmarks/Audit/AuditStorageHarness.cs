using System.Globalization;
using StackExchange.Redis;
using Webex.TeamsConnector.TestFixtures;

namespace Webex.TeamsConnector.Benchmarks.Audit;

/// <summary>
/// Bytes stored per audit record: the benchmark's stream recorded into the embedded SQLite store (file size over
/// records) and into the Redis Streams store on a real redis-server (<c>MEMORY USAGE</c> of the org's stream over its
/// length). Run with <c>--audit-bytes [events]</c>.
/// </summary>
internal static class AuditStorageHarness
{
    public const string Switch = "--audit-bytes";

    public static async Task<int> RunAsync(string[] args)
    {
        var events = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 200_000;
        var benchmarks = new AuditBenchmarks();
        benchmarks.Setup();

        var folder = Path.Combine(Path.GetTempPath(), "teams-connector-bench", Guid.NewGuid().ToString("N"));
        var path = Path.Combine(folder, "audit.db");
        long sqliteRecords;
        await using (var sqlite = new SqliteAuditStore(new SqliteAuditStoreOptions { Path = path }, TimeProvider.System))
        {
            sqliteRecords = await benchmarks.RecordAsync(sqlite, events);
        }

        var sqliteBytes = new FileInfo(path).Length;
        Directory.Delete(folder, recursive: true);

        await using var server = await RedisServer.StartAsync();
        await using var redis = await ConnectionMultiplexer.ConnectAsync(server.Endpoint);
        var prefix = "bench:" + Guid.NewGuid().ToString("N") + ":";
        var store = new RedisAuditStore(new RedisAuditStoreOptions { KeyPrefix = prefix }, TimeProvider.System, _ => Task.FromResult<IConnectionMultiplexer>(redis), ownsConnection: false);
        var redisRecords = await benchmarks.RecordAsync(store, events);
        var db = redis.GetDatabase();
        var key = store.KeyOf("org-bench");
        var length = await db.StreamLengthAsync(key);
        var memory = (long)await db.ExecuteAsync("MEMORY", "USAGE", key, "SAMPLES", "0");
        await db.KeyDeleteAsync(key);

        Console.WriteLine($"Events: {events:N0}");
        Console.WriteLine($"SQLite: {sqliteRecords:N0} records, {sqliteBytes:N0} bytes on disk, {(double)sqliteBytes / sqliteRecords:F1} bytes per record");
        Console.WriteLine($"Redis: {length:N0} records ({redisRecords:N0} written), {memory:N0} bytes in memory, {(double)memory / length:F1} bytes per record");
        return 0;
    }
}
