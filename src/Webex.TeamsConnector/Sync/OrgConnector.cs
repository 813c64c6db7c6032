using Microsoft.Extensions.Logging;

namespace Webex.TeamsConnector;

/// <summary>
/// One organization's connector: its options, its ports (the Graph and Contact Center adapters), its runtime state,
/// and the <see cref="SyncSession"/> (engine loop, roster, publishers) it runs while the connector is Active and the
/// organization's presence-sync setting is on. Restarts the session after a status change, or after a failure once a
/// back-off has passed (1 s, doubling to 5 minutes; 1 s again after a session that ran a minute), and stops it cleanly.
/// Started and stopped on its own: a process (or a cluster grain) runs one unit per org.
/// </summary>
internal sealed class OrgConnector : IAsyncDisposable
{
    private static readonly TimeSpan s_firstBackoff = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan s_maxBackoff = TimeSpan.FromMinutes(5);

    // A session that ran this long before it failed was healthy: the next restart waits the first back-off again.
    private static readonly TimeSpan s_healthyRun = TimeSpan.FromMinutes(1);

    private readonly ConnectorPorts _ports;
    private readonly ConnectorRuntime _runtime;
    private readonly Func<StateSyncOptions> _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly TeamsConnectorTelemetry _telemetry;
    private readonly AuditTrail? _audit;
    private readonly string? _orgId;
    private readonly object _gate = new();
    private CancellationTokenSource? _stopping;
    private Task? _running;
    private volatile SyncSession? _session;

    public OrgConnector(ConnectorPorts ports, ConnectorRuntime runtime, Func<StateSyncOptions> options, TimeProvider time, ILogger logger, TeamsConnectorTelemetry telemetry, AuditTrail? audit = null, string? orgId = null)
    {
        _audit = audit;
        _orgId = orgId;
        _ports = ports;
        _runtime = runtime;
        _options = options;
        _time = time;
        _logger = logger;
        _telemetry = telemetry;
    }

    /// <summary>The organization's runtime state (status, whether it syncs).</summary>
    public ConnectorRuntime Runtime => _runtime;

    /// <summary>The running session, if any (for snapshots).</summary>
    public SyncSession? Session => _session;

    /// <summary>The unit's run, once started; it ends when the unit stops, or faults when it cannot run.</summary>
    public Task? Running
    {
        get
        {
            lock (_gate)
            {
                return _running;
            }
        }
    }

    /// <summary>Starts the unit's loops in the background; a second call while it runs does nothing.</summary>
    /// <param name="cancellationToken">Not used to stop the unit (see <see cref="StopAsync"/>).</param>
    /// <returns>A completed task.</returns>
    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (_running is { IsCompleted: false })
            {
                return Task.CompletedTask;
            }

            _stopping?.Dispose();
            _stopping = new CancellationTokenSource();
            var token = _stopping.Token;
            _running = Task.Run(() => RunAsync(token), CancellationToken.None);
        }

        return Task.CompletedTask;
    }

    /// <summary>Stops the unit's loops and waits until they ended (clears published presence on the way); idempotent.</summary>
    /// <param name="cancellationToken">Stops waiting (the loops are still told to stop).</param>
    /// <returns>A task that completes when the unit has stopped.</returns>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        Task? running;
        lock (_gate)
        {
            running = _running;
            _stopping?.Cancel();
        }

        if (running is not null)
        {
            await running.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <summary>Runs the unit until <paramref name="stoppingToken"/> is cancelled.</summary>
    /// <param name="stoppingToken">Stops the unit.</param>
    /// <returns>A task that ends when the unit stopped.</returns>
    public async Task RunAsync(CancellationToken stoppingToken)
    {
        await _runtime.LoadAsync(stoppingToken).ConfigureAwait(false);
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            long started = 0;
            var changed = _runtime.Changed;
            var options = _options();
            try
            {
                if (_runtime.Status.State == ConnectorState.Active)
                {
                    var enabled = await _ports.Directory.GetPresenceSyncSettingAsync(stoppingToken).ConfigureAwait(false);
                    if (enabled != _runtime.Status.PresenceSyncEnabled)
                    {
                        await _runtime.UpdateAsync(r => (r with { PresenceSyncEnabled = enabled }, true), stoppingToken).ConfigureAwait(false);
                        continue;
                    }
                }

                if (!_runtime.Status.CanSync)
                {
                    _runtime.SetSyncing(false, null);
                    Log.SyncNotRunning(_logger, _runtime.Status.Reason ?? "unknown");
                    // The presence-sync setting may be turned on again at any time: check it at its own interval.
                    await WaitAsync(options.PresenceSyncCheckInterval < options.RosterRefreshInterval ? options.PresenceSyncCheckInterval : options.RosterRefreshInterval, changed, stoppingToken).ConfigureAwait(false);
                    continue;
                }

                var rules = await BuildRulesAsync(_ports.Directory, options, _runtime.Record.IdleCodes, stoppingToken).ConfigureAwait(false);
                using var session = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, changed);
                started = _time.GetTimestamp();
                _session = new SyncSession(_ports, options, rules, _runtime, _time, _logger, _telemetry, _audit?.CreateRecorder(_orgId));
                await _session.RunAsync(clearOnStop: true, session.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested || changed.IsCancellationRequested)
            {
                // Stopping, or the status changed: go round again.
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                var reason = ex.GetType().Name + ": " + ex.Message;
                if (started != 0 && _time.GetElapsedTime(started) >= s_healthyRun)
                {
                    failures = 0;
                }

                var backoff = Backoff.Doubling(s_firstBackoff, ++failures, s_maxBackoff);
                _runtime.SetSyncing(false, reason);
                _telemetry.Reject("session_failed");
                Log.SyncFailed(_logger, ex, backoff, reason);
                await WaitAsync(backoff, changed, stoppingToken).ConfigureAwait(false);
                continue;
            }
            finally
            {
                _session = null;
            }

            failures = 0;
        }
    }

    /// <summary>
    /// Loads the idle-code catalogue, checks the mapping against it and builds the rules; a mapping stored through the
    /// admin API replaces the configured one.
    /// </summary>
    private static async Task<SyncRules> BuildRulesAsync(IContactCenterDirectory directory, StateSyncOptions options, IReadOnlyDictionary<string, string>? storedMapping, CancellationToken cancellationToken)
    {
        var codes = await directory.GetIdleCodesAsync(cancellationToken).ConfigureAwait(false);
        var errors = new List<string>();
        var classifier = IdleCodeCatalog.CreateClassifier(codes, options.ReasonMarker);
        if (TeamsConnectorOptionsValidator.TryBuildRules(options, classifier, out var rules, errors)
            && (storedMapping is null || TryUseStoredMapping(ref rules, storedMapping, errors)))
        {
            errors.AddRange(IdleCodeCatalog.Validate(rules!.Mapping, codes));
        }

        if (errors.Count > 0 || rules is null)
        {
            throw new InvalidOperationException("The idle-code mapping does not match WxCC: " + string.Join(" ", errors));
        }

        return rules;
    }

    private static bool TryUseStoredMapping(ref SyncRules? rules, IReadOnlyDictionary<string, string> stored, List<string> errors)
    {
        if (!IdleCodeMapping.TryCreate(stored.Select(static e => new KeyValuePair<string, string?>(e.Key, e.Value)), out var mapping, out var problems))
        {
            errors.AddRange(problems.Select(static p => "The mapping set through the admin API: " + p));
            return false;
        }

        rules = rules! with { Mapping = mapping };
        return true;
    }

    private async Task WaitAsync(TimeSpan delay, CancellationToken changed, CancellationToken stoppingToken)
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(changed, stoppingToken);
        await Task.Delay(delay, _time, wait.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        lock (_gate)
        {
            _stopping?.Dispose();
            _stopping = null;
        }
    }
}
