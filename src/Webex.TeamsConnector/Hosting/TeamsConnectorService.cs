using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Webex.TeamsConnector;

/// <summary>
/// The sync host: while the connector is Active and the organization's presence-sync setting is on, runs a
/// <see cref="SyncSession"/>; restarts it after a status change or a failure (with backoff); stops it cleanly.
/// </summary>
internal sealed class TeamsConnectorService : BackgroundService
{
    private static readonly TimeSpan s_maxBackoff = TimeSpan.FromMinutes(5);

    private readonly IServiceProvider _services;
    private readonly ConnectorRuntime _runtime;
    private readonly IOptionsMonitor<TeamsConnectorOptions> _options;
    private readonly TimeProvider _time;
    private readonly ILogger<TeamsConnectorService> _logger;
    private readonly TeamsConnectorTelemetry _telemetry;
    private volatile SyncSession? _session;

    public TeamsConnectorService(
        IServiceProvider services,
        ConnectorRuntime runtime,
        IOptionsMonitor<TeamsConnectorOptions> options,
        TimeProvider time,
        ILogger<TeamsConnectorService> logger,
        TeamsConnectorTelemetry telemetry)
    {
        _services = services;
        _runtime = runtime;
        _options = options;
        _time = time;
        _logger = logger;
        _telemetry = telemetry;
    }

    /// <summary>The running session, if any (for snapshots).</summary>
    public SyncSession? Session => _session;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var ports = ResolvePorts();
        await _runtime.LoadAsync(stoppingToken).ConfigureAwait(false);
        var backoff = TimeSpan.FromSeconds(1);
        while (!stoppingToken.IsCancellationRequested)
        {
            var changed = _runtime.Changed;
            var options = _options.CurrentValue.StateSync;
            try
            {
                if (_runtime.Status.State == ConnectorState.Active)
                {
                    var enabled = await ports.Directory.GetPresenceSyncSettingAsync(stoppingToken).ConfigureAwait(false);
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

                var rules = await BuildRulesAsync(ports.Directory, options, stoppingToken).ConfigureAwait(false);
                using var session = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, changed);
                _session = new SyncSession(ports, options, rules, _runtime, _time, _logger, _telemetry);
                await _session.RunAsync(clearOnStop: true, session.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested || changed.IsCancellationRequested)
            {
                // Stopping, or the status changed: go round again.
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                var reason = ex.GetType().Name + ": " + ex.Message;
                _runtime.SetSyncing(false, reason);
                _telemetry.Reject("session_failed");
                Log.SyncFailed(_logger, ex, backoff, reason);
                await WaitAsync(backoff, changed, stoppingToken).ConfigureAwait(false);
                backoff = backoff * 2 > s_maxBackoff ? s_maxBackoff : backoff * 2;
                continue;
            }
            finally
            {
                _session = null;
            }

            backoff = TimeSpan.FromSeconds(1);
        }
    }

    /// <summary>Loads the idle-code catalogue, checks the mapping against it and builds the rules.</summary>
    private static async Task<SyncRules> BuildRulesAsync(IContactCenterDirectory directory, StateSyncOptions options, CancellationToken cancellationToken)
    {
        var codes = await directory.GetIdleCodesAsync(cancellationToken).ConfigureAwait(false);
        var errors = new List<string>();
        var classifier = IdleCodeCatalog.CreateClassifier(codes, options.ReasonMarker);
        if (TeamsConnectorOptionsValidator.TryBuildRules(options, classifier, out var rules, errors))
        {
            errors.AddRange(IdleCodeCatalog.Validate(rules!.Mapping, codes));
        }

        if (errors.Count > 0 || rules is null)
        {
            throw new InvalidOperationException("The idle-code mapping does not match WxCC: " + string.Join(" ", errors));
        }

        return rules;
    }

    private ConnectorPorts ResolvePorts()
    {
        var missing = new List<string>();
        T? Get<T>(string hint)
            where T : class
        {
            var service = _services.GetService<T>();
            if (service is null)
            {
                missing.Add($"{typeof(T).Name} ({hint})");
            }

            return service;
        }

        var ports = new ConnectorPorts(
            Get<ITeamsPresenceFeed>(".AddGraphPresence()")!,
            Get<ITeamsPresencePublisher>(".AddGraphPresence()")!,
            Get<ITeamsUserResolver>(".AddGraphPresence()")!,
            Get<IAgentEventFeed>(".AddWebexContactCenter()")!,
            Get<IAgentStateOutbox>(".AddWebexContactCenter()")!,
            Get<IContactCenterDirectory>(".AddWebexContactCenter()")!);
        if (missing.Count > 0)
        {
            throw new InvalidOperationException("The Teams connector cannot run without its adapters; missing: " + string.Join(", ", missing) + ".");
        }

        return ports;
    }

    private async Task WaitAsync(TimeSpan delay, CancellationToken changed, CancellationToken stoppingToken)
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(changed, stoppingToken);
        await Task.Delay(delay, _time, wait.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }
}
