using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Webex.TeamsConnector;

/// <summary>
/// The audit trail's background side: takes the engine loops' buffers of <see cref="AuditEntry"/> (bounded: what does
/// not fit is dropped and counted), formats them into <see cref="AuditRecord"/>s, logs each one (event id 1600) and
/// writes them to the <see cref="IAuditStore"/> in batches. A failing or slow store is logged and counted, never felt
/// by the sync. Logs the previous day's sync report once a day. Started by the first recorder; drained when disposed.
/// </summary>
internal sealed class AuditTrail : IAsyncDisposable, IDisposable
{
    /// <summary>How many entries one recorder buffer holds.</summary>
    internal const int BufferLength = 256;

    private static readonly TimeSpan s_drainTimeout = TimeSpan.FromSeconds(10);

    private readonly IServiceProvider _services;
    private readonly AuditOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ILogger _records;
    private readonly TeamsConnectorTelemetry _telemetry;
    private readonly Channel<Batch> _batches = Channel.CreateUnbounded<Batch>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentBag<AuditEntry[]> _pool = [];
    private readonly Dictionary<string, Dictionary<string, (AgentState State, StateOrigin Origin)>> _states = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _orgs = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private readonly object _gate = new();
    private Task? _writer;
    private Task? _reporter;
    private IAuditStore? _store;
    private long _queued;
    private long _posted;
    private long _written;
    private long _dropped;
    private long _failed;
    private bool _warnedFull;
    private int _disposed;
    private TaskCompletionSource _progress = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public AuditTrail(IServiceProvider services, IOptions<AuditOptions> options, TimeProvider time, ILoggerFactory loggers, TeamsConnectorTelemetry telemetry)
    {
        _services = services;
        _options = options.Value;
        _time = time;
        _logger = loggers.CreateLogger<AuditTrail>();
        _records = loggers.CreateLogger(Log.AuditCategory);
        _telemetry = telemetry;
        // On when asked, or when the app registered a store (AddSqliteAuditStore, AddRedisAuditStore, AddAuditStore or its own).
        IsEnabled = _options.Enabled ?? services.GetService<IAuditStore>() is not null;
    }

    /// <summary>Whether decisions are recorded.</summary>
    public bool IsEnabled { get; }

    /// <summary>Records handed over by the engine loops so far.</summary>
    internal long Posted => Interlocked.Read(ref _posted);

    /// <summary>Records stored so far.</summary>
    internal long Written => Interlocked.Read(ref _written);

    /// <summary>Records dropped so far (buffer full, or the store failed).</summary>
    internal long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Writes to the store that failed so far.</summary>
    internal long StoreFailures => Interlocked.Read(ref _failed);

    /// <summary>A recorder for one org's engine loop, or <see langword="null"/> when the audit trail is off.</summary>
    /// <param name="orgId">The org, or <see langword="null"/> for the configured one.</param>
    /// <returns>The recorder.</returns>
    public AuditRecorder? CreateRecorder(string? orgId = null)
    {
        if (!IsEnabled)
        {
            return null;
        }

        orgId ??= _options.OrgId ?? "default";
        _orgs.TryAdd(orgId, 0);
        lock (_gate)
        {
            // Turned on in code with no store registered: the embedded SQLite store.
            _store ??= _services.GetService<IAuditStore>() ?? AuditTeamsConnectorBuilderExtensions.CreateSqliteStore(_services);
            _writer ??= Task.Run(() => WriteAsync(_stopping.Token), CancellationToken.None);
            if (_reporter is null)
            {
                var now = _time.GetUtcNow();
                var due = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero) + _options.DailyReportTime;
                due = due > now ? due : due.AddDays(1);
                // Called here, not through Task.Run: its first timer is set before this returns, so a clock that moves
                // on right after (a test's fake clock) cannot pass the due time before the timer exists.
                _reporter = ReportDailyAsync(due, _stopping.Token);
            }
        }

        return new AuditRecorder(this, orgId, _time);
    }

    internal AuditEntry[] Rent() => _pool.TryTake(out var buffer) ? buffer : new AuditEntry[BufferLength];

    /// <summary>Takes a recorder's buffer; drops it (counted) when the trail holds <see cref="AuditOptions.BufferCapacity"/> records already.</summary>
    internal void Post(string orgId, AuditEntry[] buffer, int count)
    {
        Interlocked.Add(ref _posted, count);
        if (Interlocked.Add(ref _queued, count) > _options.BufferCapacity || !_batches.Writer.TryWrite(new Batch(orgId, buffer, count)))
        {
            Interlocked.Add(ref _queued, -count);
            Drop(count, "buffer_full");
            Return(buffer, count);
            if (!_warnedFull)
            {
                _warnedFull = true;
                Log.AuditBufferFull(_logger, Dropped);
            }
        }
    }

    /// <summary>Waits until <paramref name="condition"/> holds after a batch was handled (for tests and benchmarks).</summary>
    internal async Task WaitForAsync(Func<AuditTrail, bool> condition, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout, TimeProvider.System);
        while (true)
        {
            // The pulse is taken before the condition is read: progress made after the read sets it.
            var progress = Volatile.Read(ref _progress).Task;
            if (condition(this))
            {
                return;
            }

            try
            {
                await progress.WaitAsync(cts.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cts.IsCancellationRequested)
            {
                throw new TimeoutException(
                    $"The audit trail did not get there in {timeout}: posted {Posted}, queued {Interlocked.Read(ref _queued)}, written {Written}, dropped {Dropped}, writer {_writer?.Status}.");
            }
        }
    }

    private async Task WriteAsync(CancellationToken stopping)
    {
        var pending = new List<AuditRecord>(_options.BatchSize);
        var reader = _batches.Reader;
        while (await reader.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
        {
            while (reader.TryRead(out var batch))
            {
                var states = StatesOf(batch.OrgId);
                for (var i = 0; i < batch.Count; i++)
                {
                    ref var entry = ref batch.Entries[i];
                    ref var last = ref CollectionsMarshal.GetValueRefOrAddDefault(states, entry.AgentId, out _);
                    var before = entry.BeforeFromPrevious ? last.State : entry.State;
                    last = (entry.State, entry.Origin);
                    AuditRecord record;
                    try
                    {
                        record = entry.ToRecord(batch.OrgId, before);
                        if (_options.LogRecords)
                        {
                            LogRecord(record);
                        }
                    }
                    catch (Exception ex) when (ex is not OutOfMemoryException)
                    {
                        // One record that cannot be formatted or logged is dropped (counted); the writer goes on.
                        Drop(1, "format_failed");
                        Log.AuditStoreFailed(_logger, 1, ex.GetType().Name);
                        continue;
                    }

                    pending.Add(record);
                    if (pending.Count >= _options.BatchSize)
                    {
                        await StoreAsync(pending, stopping).ConfigureAwait(false);
                    }
                }

                Interlocked.Add(ref _queued, -batch.Count);
                Return(batch.Entries, batch.Count);
            }

            if (pending.Count > 0)
            {
                await StoreAsync(pending, stopping).ConfigureAwait(false);
            }

            Pulse();
        }
    }

    /// <summary>The last WxCC state each agent's records left, per org (read and written by the writer only).</summary>
    private Dictionary<string, (AgentState State, StateOrigin Origin)> StatesOf(string orgId)
    {
        if (!_states.TryGetValue(orgId, out var states))
        {
            _states[orgId] = states = new(StringComparer.Ordinal);
        }

        return states;
    }

    private async Task StoreAsync(List<AuditRecord> records, CancellationToken stopping)
    {
        var count = records.Count;
        try
        {
            using var timeout = new CancellationTokenSource(_options.WriteTimeout, _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, stopping);
            await _store!.AppendAsync(records.ToArray(), linked.Token).AsTask().WaitAsync(_options.WriteTimeout, _time, stopping).ConfigureAwait(false);
            Interlocked.Add(ref _written, count);
            _telemetry.AuditRecords.Add(count);
            _warnedFull = false;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The type only: a store's message may carry a connection string.
            Interlocked.Increment(ref _failed);
            Drop(count, "store_failed");
            Log.AuditStoreFailed(_logger, count, ex is TimeoutException or OperationCanceledException ? "timed out" : ex.GetType().Name);
        }
        finally
        {
            records.Clear();
        }
    }

    private void LogRecord(AuditRecord r) => Log.AuditRecorded(
        _records, r.Time, r.OrgId, r.AgentId, r.Trigger, r.TeamsAvailability, r.TeamsActivity, r.AgentEvent, r.StateBefore, r.StateAfter, r.Origin, r.Rule, r.Command, r.Outcome, r.Detail, r.Latency?.TotalMilliseconds);

    private async Task ReportDailyAsync(DateTimeOffset due, CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            // From one due time to the next (not from "now"): a late wake-up does not shift or skip a day.
            var wait = due - _time.GetUtcNow();
            try
            {
                await Task.Delay(wait > TimeSpan.Zero ? wait : TimeSpan.Zero, _time, stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            var day = new DateTimeOffset(due.UtcDateTime.Date, TimeSpan.Zero).AddDays(-1);
            foreach (var org in _orgs.Keys)
            {
                await LogReportAsync(org, day, stopping).ConfigureAwait(false);
            }

            due = due.AddDays(1);
        }
    }

    /// <summary>Reads and logs one org's report for the UTC day starting at <paramref name="day"/>.</summary>
    internal async Task<AuditReport?> LogReportAsync(string orgId, DateTimeOffset day, CancellationToken cancellationToken)
    {
        try
        {
            var report = await _store!.ReportAsync(orgId, day, day.AddDays(1), cancellationToken).ConfigureAwait(false);
            Log.AuditDailyReport(
                _logger, orgId, day, report.AgentsSynced, report.AgentsWritten, report.Decisions, Join(report.WritesByRule), Join(report.LeftAloneByRule), report.Refusals, report.Failures, report.Withdrawn);
            return report;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Log.AuditReportFailed(_logger, ex.GetType().Name);
            return null;
        }

        static string Join(IReadOnlyDictionary<string, long> counts) =>
            counts.Count == 0 ? "none" : string.Join(", ", counts.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"));
    }

    private void Drop(long count, string reason)
    {
        Interlocked.Add(ref _dropped, count);
        _telemetry.AuditDropped.Add(count, new KeyValuePair<string, object?>("reason", reason));
    }

    /// <summary>
    /// Pools a buffer for the recorders, not cleared: a recorder writes every field of each entry it reuses (what a
    /// pooled buffer still references until then is ids, idle codes and presence strings, at most a few buffers' worth).
    /// </summary>
    private void Return(AuditEntry[] buffer, int count)
    {
        Debug.Assert(count <= buffer.Length, "a buffer holds what was counted in it");
        _pool.Add(buffer);
    }

    private void Pulse() => Interlocked.Exchange(ref _progress, new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    /// <summary>Disposes synchronously (a container disposed without await).</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _batches.Writer.TryComplete();
        Task? writer;
        lock (_gate)
        {
            writer = _writer;
        }

        if (writer is not null)
        {
            // Drain what the loops handed over, for a while; then give up the rest.
            await writer.WaitAsync(s_drainTimeout).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_reporter is not null)
        {
            await _reporter.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        _stopping.Dispose();
        Debug.Assert(_queued >= 0, "queued records never go negative");
    }

    private readonly record struct Batch(string OrgId, AuditEntry[] Entries, int Count);
}
