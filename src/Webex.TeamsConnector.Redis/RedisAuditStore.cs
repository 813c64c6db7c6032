using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using StackExchange.Redis;

namespace Webex.TeamsConnector;

/// <summary>
/// The audit trail's shared store for clusters: one Redis stream per org, whichever node writes. Entry ids carry the
/// record's time (milliseconds; never below the stream's newest, so that records from nodes a little apart in time
/// still append), each batch goes in one script call that also trims the stream (<c>XTRIM MINID</c> for the
/// retention, <c>XTRIM MAXLEN</c> for the size) and renews its expiry. A record is one compact JSON field.
/// </summary>
internal sealed class RedisAuditStore : IAuditStore, IAsyncDisposable
{
    /// <summary>How far past a query's end entries are read: an entry's id may be later than its record's time.</summary>
    internal static readonly TimeSpan MaxIdSkew = TimeSpan.FromMinutes(1);

    private const int Page = 500;

    private const string AppendScript = """
        local top = 0
        local last = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)
        if #last > 0 then top = tonumber(string.match(last[1][1], '^(%d+)')) end
        for i = 4, #ARGV, 2 do
          local ms = tonumber(ARGV[i])
          if ms < top then ms = top end
          redis.call('XADD', KEYS[1], string.format('%d-*', ms), 'r', ARGV[i + 1])
          top = ms
        end
        redis.call('XTRIM', KEYS[1], 'MINID', ARGV[2])
        redis.call('XTRIM', KEYS[1], 'MAXLEN', ARGV[1])
        redis.call('PEXPIRE', KEYS[1], ARGV[3])
        return (#ARGV - 3) / 2
        """;

    private readonly RedisAuditStoreOptions _options;
    private readonly TimeProvider _time;
    private readonly Func<CancellationToken, Task<IConnectionMultiplexer>> _connect;
    private readonly bool _ownsConnection;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private IConnectionMultiplexer? _connection;

    public RedisAuditStore(RedisAuditStoreOptions options, TimeProvider time, Func<CancellationToken, Task<IConnectionMultiplexer>> connect, bool ownsConnection)
    {
        _options = options;
        _time = time;
        _connect = connect;
        _ownsConnection = ownsConnection;
    }

    /// <summary>The stream key of an org.</summary>
    internal RedisKey KeyOf(string orgId) => _options.KeyPrefix + orgId;

    public async ValueTask AppendAsync(IReadOnlyList<AuditRecord> records, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(records);
        var db = await DatabaseAsync(cancellationToken).ConfigureAwait(false);
        var minId = (_time.GetUtcNow() - _options.Retention).ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        var expiry = ((long)_options.Retention.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
        foreach (var org in records.GroupBy(r => r.OrgId, StringComparer.Ordinal))
        {
            var args = new List<RedisValue> { _options.MaxLengthPerOrg, minId, expiry };
            foreach (var record in org)
            {
                args.Add(record.Time.ToUnixTimeMilliseconds());
                args.Add(JsonSerializer.SerializeToUtf8Bytes(Entry.From(record), AuditJson.Default.Entry));
            }

            cancellationToken.ThrowIfCancellationRequested();
            await db.ScriptEvaluateAsync(AppendScript, [KeyOf(org.Key)], [.. args]).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask<IReadOnlyList<AuditRecord>> QueryAsync(AuditQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(query.Limit);
        var db = await DatabaseAsync(cancellationToken).ConfigureAwait(false);
        var key = KeyOf(query.OrgId);
        var records = new List<AuditRecord>();
        RedisValue low = $"{query.From.ToUnixTimeMilliseconds()}-0";
        RedisValue high = $"{(query.To + MaxIdSkew).ToUnixTimeMilliseconds()}-0";
        var order = query.Latest ? Order.Descending : Order.Ascending;
        RedisValue? next = null;
        while (records.Count < query.Limit)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var start = query.Latest ? low : next ?? low;
            var end = query.Latest ? next ?? high : high;
            var entries = await db.StreamRangeAsync(key, start, end, Page + 1, order).WaitAsync(cancellationToken).ConfigureAwait(false);
            var skipFirst = next is not null;
            for (var i = skipFirst ? 1 : 0; i < entries.Length && records.Count < query.Limit; i++)
            {
                if (Read(entries[i], query.OrgId) is { } record
                    && record.Time >= query.From && record.Time < query.To
                    && (query.AgentId is null || string.Equals(record.AgentId, query.AgentId, StringComparison.Ordinal)))
                {
                    records.Add(record);
                }
            }

            if (entries.Length < Page + 1)
            {
                break;
            }

            next = entries[^1].Id;
        }

        if (query.Latest)
        {
            records.Reverse();
        }

        // Ids follow arrival; the records read are put in time order (stable for equal times).
        return [.. records.OrderBy(r => r.Time)];
    }

    /// <summary>Disposes synchronously (a container disposed without await).</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    public async ValueTask DisposeAsync()
    {
        if (_ownsConnection && _connection is not null)
        {
            await _connection.DisposeAsync().ConfigureAwait(false);
        }

        _gate.Dispose();
    }

    private static AuditRecord? Read(StreamEntry entry, string orgId)
    {
        var value = entry["r"];
        if (value.IsNull)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize((byte[])value!, AuditJson.Default.Entry)?.ToRecord(orgId);
        }
        catch (JsonException)
        {
            // Not written by this store: skipped.
            return null;
        }
    }

    private async Task<IDatabase> DatabaseAsync(CancellationToken cancellationToken)
    {
        if (_connection is { } connection)
        {
            return connection.GetDatabase();
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _connection ??= await _connect(cancellationToken).ConfigureAwait(false);
            return _connection.GetDatabase();
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>One record as stored: short names, nulls left out, the org in the key.</summary>
    internal sealed record Entry(
        [property: JsonPropertyName("t")] long Time,
        [property: JsonPropertyName("a")] string AgentId,
        [property: JsonPropertyName("g")] string Trigger,
        [property: JsonPropertyName("ta")] string? TeamsAvailability,
        [property: JsonPropertyName("tc")] string? TeamsActivity,
        [property: JsonPropertyName("e")] string? AgentEvent,
        [property: JsonPropertyName("b")] string? StateBefore,
        [property: JsonPropertyName("s")] string? StateAfter,
        [property: JsonPropertyName("o")] string? Origin,
        [property: JsonPropertyName("r")] string Rule,
        [property: JsonPropertyName("c")] string? Command,
        [property: JsonPropertyName("x")] AuditOutcome Outcome,
        [property: JsonPropertyName("d")] string? Detail,
        [property: JsonPropertyName("l")] long? Latency)
    {
        public static Entry From(AuditRecord r) => new(
            r.Time.UtcTicks, r.AgentId, r.Trigger, r.TeamsAvailability, r.TeamsActivity, r.AgentEvent, r.StateBefore, r.StateAfter, r.Origin, r.Rule, r.Command, r.Outcome, r.Detail, r.Latency?.Ticks);

        public AuditRecord ToRecord(string orgId) => new()
        {
            Time = new DateTimeOffset(Time, TimeSpan.Zero),
            OrgId = orgId,
            AgentId = AgentId,
            Trigger = Trigger,
            TeamsAvailability = TeamsAvailability,
            TeamsActivity = TeamsActivity,
            AgentEvent = AgentEvent,
            StateBefore = StateBefore,
            StateAfter = StateAfter,
            Origin = Origin,
            Rule = Rule,
            Command = Command,
            Outcome = Outcome,
            Detail = Detail,
            Latency = Latency is { } ticks ? TimeSpan.FromTicks(ticks) : null,
        };
    }
}

/// <summary>The source-generated JSON of the Redis store's entries.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(RedisAuditStore.Entry))]
internal sealed partial class AuditJson : JsonSerializerContext;
