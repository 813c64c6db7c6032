using Microsoft.Extensions.Hosting;

namespace Webex.TeamsConnector;

/// <summary>
/// The host: starts the connector units (one per organization) when the application starts and stops them when it
/// stops. Each unit runs and restarts its own sync (see <see cref="OrgConnector"/>).
/// </summary>
internal sealed class TeamsConnectorService : BackgroundService
{
    private readonly Func<IReadOnlyList<OrgConnector>> _createUnits;
    private volatile IReadOnlyList<OrgConnector> _units = [];

    public TeamsConnectorService(Func<IReadOnlyList<OrgConnector>> createUnits)
    {
        _createUnits = createUnits;
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
}
