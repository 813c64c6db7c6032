using Microsoft.Data.Sqlite;

namespace Webex.TeamsConnector;

/// <summary>
/// The embedded audit store: one SQLite file, indexed by org, agent and time; batched inserts in one transaction;
/// records older than the retention period and, past the size bound, the oldest records are deleted and the file
/// shrinks (incremental vacuum). One connection, used by one operation at a time. Reads before the first write
/// find an empty trail and create no file.
/// </summary>
internal sealed class SqliteAuditStore : IAuditStore, IAsyncDisposable
{
    private const string Columns = "time, org, agent, trigger, teams_availability, teams_activity, agent_event, state_before, state_after, origin, rule, command, outcome, detail, latency";
    private static readonly TimeSpan s_housekeepingInterval = TimeSpan.FromMinutes(1);

    private readonly SqliteAuditStoreOptions _options;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private SqliteConnection? _connection;
    private long _nextRetention;

    public SqliteAuditStore(SqliteAuditStoreOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _time = time;
    }

    /// <summary>The database file.</summary>
    public string Path => _options.Path;

    /// <summary>Deletions made to keep the size bound (for tests).</summary>
    internal int SizeTrims { get; private set; }

    public async ValueTask AppendAsync(IReadOnlyList<AuditRecord> records, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(records);
        if (records.Count == 0)
        {
            return;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var connection = await OpenAsync(create: true, cancellationToken).ConfigureAwait(false);
            using (var transaction = connection!.BeginTransaction())
            {
                using var insert = connection.CreateCommand();
                insert.Transaction = transaction;
                insert.CommandText = $"INSERT INTO audit ({Columns}) VALUES ($time, $org, $agent, $trigger, $ta, $tc, $ae, $sb, $sa, $origin, $rule, $command, $outcome, $detail, $latency)";
                var parameters = new SqliteParameter[15];
                var names = new[] { "$time", "$org", "$agent", "$trigger", "$ta", "$tc", "$ae", "$sb", "$sa", "$origin", "$rule", "$command", "$outcome", "$detail", "$latency" };
                for (var i = 0; i < names.Length; i++)
                {
                    parameters[i] = insert.Parameters.Add(new SqliteParameter { ParameterName = names[i] });
                }

                insert.Prepare();
                foreach (var r in records)
                {
                    parameters[0].Value = r.Time.UtcTicks;
                    parameters[1].Value = r.OrgId;
                    parameters[2].Value = r.AgentId;
                    parameters[3].Value = r.Trigger;
                    parameters[4].Value = (object?)r.TeamsAvailability ?? DBNull.Value;
                    parameters[5].Value = (object?)r.TeamsActivity ?? DBNull.Value;
                    parameters[6].Value = (object?)r.AgentEvent ?? DBNull.Value;
                    parameters[7].Value = (object?)r.StateBefore ?? DBNull.Value;
                    parameters[8].Value = (object?)r.StateAfter ?? DBNull.Value;
                    parameters[9].Value = (object?)r.Origin ?? DBNull.Value;
                    parameters[10].Value = r.Rule;
                    parameters[11].Value = (object?)r.Command ?? DBNull.Value;
                    parameters[12].Value = (int)r.Outcome;
                    parameters[13].Value = (object?)r.Detail ?? DBNull.Value;
                    parameters[14].Value = r.Latency is { } latency ? latency.Ticks : DBNull.Value;
                    await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            }

            await KeepBoundsAsync(connection, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask<IReadOnlyList<AuditRecord>> QueryAsync(AuditQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(query.Limit);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (await OpenAsync(create: false, cancellationToken).ConfigureAwait(false) is not { } connection)
            {
                return [];
            }

            using var select = connection.CreateCommand();
            var order = query.Latest ? "DESC" : "ASC";
            select.CommandText = $"SELECT {Columns} FROM audit WHERE org = $org {(query.AgentId is null ? string.Empty : "AND agent = $agent ")}AND time >= $from AND time < $to ORDER BY time {order}, id {order} LIMIT $limit";
            select.Parameters.AddWithValue("$org", query.OrgId);
            if (query.AgentId is not null)
            {
                select.Parameters.AddWithValue("$agent", query.AgentId);
            }

            select.Parameters.AddWithValue("$from", query.From.UtcTicks);
            select.Parameters.AddWithValue("$to", query.To.UtcTicks);
            select.Parameters.AddWithValue("$limit", query.Limit);
            var records = new List<AuditRecord>();
            using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                records.Add(new AuditRecord
                {
                    Time = new DateTimeOffset(reader.GetInt64(0), TimeSpan.Zero),
                    OrgId = reader.GetString(1),
                    AgentId = reader.GetString(2),
                    Trigger = reader.GetString(3),
                    TeamsAvailability = Text(reader, 4),
                    TeamsActivity = Text(reader, 5),
                    AgentEvent = Text(reader, 6),
                    StateBefore = Text(reader, 7),
                    StateAfter = Text(reader, 8),
                    Origin = Text(reader, 9),
                    Rule = reader.GetString(10),
                    Command = Text(reader, 11),
                    Outcome = (AuditOutcome)reader.GetInt32(12),
                    Detail = Text(reader, 13),
                    Latency = reader.IsDBNull(14) ? null : TimeSpan.FromTicks(reader.GetInt64(14)),
                });
            }

            if (query.Latest)
            {
                records.Reverse();
            }

            return records;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask<AuditReport> ReportAsync(string orgId, DateTimeOffset since, DateTimeOffset until, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(orgId);
        var tally = new AuditReportTally();
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (await OpenAsync(create: false, cancellationToken).ConfigureAwait(false) is { } connection)
            {
                using var select = connection.CreateCommand();
                select.CommandText = "SELECT agent, rule, outcome, COUNT(*) FROM audit WHERE org = $org AND time >= $from AND time < $to GROUP BY agent, rule, outcome";
                select.Parameters.AddWithValue("$org", orgId);
                select.Parameters.AddWithValue("$from", since.UtcTicks);
                select.Parameters.AddWithValue("$to", until.UtcTicks);
                using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    var agent = reader.GetString(0);
                    tally.AddAgent(agent);
                    tally.Add(agent, reader.GetString(1), (AuditOutcome)reader.GetInt32(2), reader.GetInt64(3));
                }
            }
        }
        finally
        {
            _gate.Release();
        }

        return tally.ToReport(orgId, since, until);
    }

    /// <summary>The database's size in bytes: its pages in use (free pages are given back by the incremental vacuum).</summary>
    internal async Task<long> SizeAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await OpenAsync(create: false, cancellationToken).ConfigureAwait(false) is { } connection ? await SizeAsync(connection, cancellationToken).ConfigureAwait(false) : 0;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Disposes synchronously (a container disposed without await).</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    public async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_connection is not null)
            {
                await _connection.DisposeAsync().ConfigureAwait(false);
                _connection = null;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<SqliteConnection?> OpenAsync(bool create, CancellationToken cancellationToken)
    {
        if (_connection is not null)
        {
            return _connection;
        }

        var path = System.IO.Path.GetFullPath(_options.Path);
        if (!create && !File.Exists(path))
        {
            return null;
        }

        if (System.IO.Path.GetDirectoryName(path) is { Length: > 0 } folder)
        {
            Directory.CreateDirectory(folder);
        }

        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false, Mode = SqliteOpenMode.ReadWriteCreate }.ToString());
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            using var setup = connection.CreateCommand();
            // auto_vacuum takes effect only before the first table is created: a new file gets it.
            setup.CommandText = """
                PRAGMA auto_vacuum = INCREMENTAL;
                PRAGMA journal_mode = DELETE;
                PRAGMA synchronous = NORMAL;
                CREATE TABLE IF NOT EXISTS audit (
                    id INTEGER PRIMARY KEY,
                    time INTEGER NOT NULL,
                    org TEXT NOT NULL,
                    agent TEXT NOT NULL,
                    trigger TEXT NOT NULL,
                    teams_availability TEXT,
                    teams_activity TEXT,
                    agent_event TEXT,
                    state_before TEXT,
                    state_after TEXT,
                    origin TEXT,
                    rule TEXT NOT NULL,
                    command TEXT,
                    outcome INTEGER NOT NULL,
                    detail TEXT,
                    latency INTEGER);
                CREATE INDEX IF NOT EXISTS audit_org_agent_time ON audit (org, agent, time);
                CREATE INDEX IF NOT EXISTS audit_org_time ON audit (org, time);
                """;
            await setup.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        _connection = connection;
        return connection;
    }

    /// <summary>Deletes what is past the retention period (at most once a minute) and, past the size bound, the oldest records.</summary>
    private async Task KeepBoundsAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow().UtcTicks;
        var deleted = 0;
        if (now >= _nextRetention)
        {
            _nextRetention = now + s_housekeepingInterval.Ticks;
            using var retention = connection.CreateCommand();
            retention.CommandText = "DELETE FROM audit WHERE org IN (SELECT DISTINCT org FROM audit) AND time < $cutoff";
            retention.Parameters.AddWithValue("$cutoff", now - _options.Retention.Ticks);
            deleted += await retention.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        while (await SizeAsync(connection, cancellationToken).ConfigureAwait(false) > _options.MaxSizeBytes)
        {
            // A tenth of the records at a time, the oldest first, so that the bound is not hit again at once.
            using var trim = connection.CreateCommand();
            trim.CommandText = "DELETE FROM audit WHERE id IN (SELECT id FROM audit ORDER BY id LIMIT MAX(1, (SELECT COUNT(*) FROM audit) / 10))";
            var trimmed = await trim.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            SizeTrims++;
            await VacuumAsync(connection, cancellationToken).ConfigureAwait(false);
            if (trimmed == 0)
            {
                break;
            }
        }

        if (deleted > 0)
        {
            await VacuumAsync(connection, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task VacuumAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        using var vacuum = connection.CreateCommand();
        vacuum.CommandText = "PRAGMA incremental_vacuum";
        await vacuum.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<long> SizeAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        using var size = connection.CreateCommand();
        size.CommandText = "SELECT (page_count - freelist_count) * page_size FROM pragma_page_count(), pragma_freelist_count(), pragma_page_size()";
        return (long)(await size.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    private static string? Text(SqliteDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
}
