using Microsoft.Extensions.Hosting;

namespace Webex.TeamsConnector;

/// <summary>
/// The host: starts the connector units (one per organization) when the application starts and stops them when it
/// stops. Each unit runs and restarts its own sync (see <see cref="OrgConnector"/>). The units start once the host has
/// started, so that the host's own endpoints (Graph change notifications, WxCC webhooks) already listen when the sync
/// creates the subscriptions that call them: Graph validates a notification URL when the subscription is created.
/// </summary>
internal sealed class TeamsConnectorService : BackgroundService
{
    private readonly Func<IReadOnlyList<OrgConnector>> _createUnits;
    private readonly IHostApplicationLifetime? _lifetime;
    private volatile IReadOnlyList<OrgConnector> _units = [];

    public TeamsConnectorService(Func<IReadOnlyList<OrgConnector>> createUnits, IHostApplicationLifetime? lifetime = null)
    {
        _createUnits = createUnits;
        _lifetime = lifetime;
    }

    /// <summary>Shows <paramref name="units"/> as this service's units when another host runs them (an org's own container).</summary>
    /// <param name="units">The units.</param>
    public void UseUnits(IReadOnlyList<OrgConnector> units) => _units = units;

    /// <summary>The units started, in order.</summary>
    public IReadOnlyList<OrgConnector> Units => _units;

    /// <summary>The running session of the (single) unit, if any (for snapshots).</summary>
    public SyncSession? Session => _units.Count > 0 ? _units[0].Session : null;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Hosted services start before the web server; a subscription created earlier would fail its validation.
        if (!await HostStartedAsync(stoppingToken).ConfigureAwait(false))
        {
            return;
        }

        // Created here, not in the constructor: a missing adapter fails this task with a message naming it.
        _units = _createUnits();
        foreach (var unit in _units)
        {
            await unit.StartAsync(stoppingToken).ConfigureAwait(false);
        }

        try
        {
            // A unit ends by itself only when it cannot run; that ends the host's task with its error.
            var runs = _units.Select(static u => u.Running!).ToArray();
            await Task.WhenAll(runs).WaitAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The application stops: the units stop below.
        }
        finally
        {
            await Task.WhenAll(_units.Select(static u => u.StopAsync(CancellationToken.None))).ConfigureAwait(false);
        }
    }

    /// <summary>Waits until the host has started (at once without a host lifetime); <see langword="false"/> when it stops first.</summary>
    private async Task<bool> HostStartedAsync(CancellationToken stoppingToken)
    {
        if (_lifetime is null || _lifetime.ApplicationStarted.IsCancellationRequested)
        {
            return !stoppingToken.IsCancellationRequested;
        }

        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (_lifetime.ApplicationStarted.Register(static s => ((TaskCompletionSource)s!).TrySetResult(), started))
        using (stoppingToken.Register(static s => ((TaskCompletionSource)s!).TrySetResult(), started))
        {
            await started.Task.ConfigureAwait(false);
        }

        return !stoppingToken.IsCancellationRequested;
    }
}
