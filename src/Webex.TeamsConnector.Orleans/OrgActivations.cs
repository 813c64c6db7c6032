using System.Collections.Concurrent;

namespace Webex.TeamsConnector.Orleans;

/// <summary>
/// The org units running on this silo, by WxCC org id. When the silo goes down without deactivating its grains (killed,
/// or declared dead), disposing the silo's services stops every unit still running here, so that no unit writes
/// after its silo left the cluster.
/// </summary>
internal sealed class OrgActivations : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, OrgServices> _running = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The WxCC org ids whose units run here.</summary>
    public IReadOnlyCollection<string> OrgIds => [.. _running.Keys];

    /// <summary>The unit of an org running here, if any.</summary>
    public OrgServices? Find(string orgId) => _running.TryGetValue(orgId, out var services) ? services : null;

    public void Add(string orgId, OrgServices services) => _running[orgId] = services;

    public void Remove(string orgId, OrgServices services) => _running.TryRemove(new KeyValuePair<string, OrgServices>(orgId, services));

    public async ValueTask DisposeAsync()
    {
        foreach (var (orgId, services) in _running)
        {
            if (_running.TryRemove(new KeyValuePair<string, OrgServices>(orgId, services)))
            {
                await services.Connector.StopAsync(CancellationToken.None).ConfigureAwait(false);
                await services.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
