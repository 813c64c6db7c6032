using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Webex.TeamsConnector.Orleans;

/// <summary>
/// Runs on every silo: pings each listed org's grain at start and then every
/// <see cref="TeamsConnectorClusterOptions.KeepAliveInterval"/>, so that each org's unit runs somewhere, and runs again
/// soon after the silo that hosted it failed (Orleans places the new activation).
/// </summary>
internal sealed class OrgKeeper(IGrainFactory grains, OrgCatalog catalog, IOptions<TeamsConnectorClusterOptions> options, TimeProvider time, ILogger<OrgKeeper> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            await Task.WhenAll(catalog.Definitions.Select(d => PingAsync(d, stoppingToken))).ConfigureAwait(false);
            await Task.Delay(options.Value.KeepAliveInterval, time, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private async Task PingAsync(OrgDefinition org, CancellationToken stoppingToken)
    {
        try
        {
            await grains.GetGrain<IOrgConnectorGrain>(org.WxccOrgId!).EnsureRunningAsync().WaitAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException && !stoppingToken.IsCancellationRequested)
        {
            // The silo may be joining or leaving the cluster, or the owner just died: the next round tries again.
            Log.PingFailed(logger, org.Name, ex);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}

/// <summary>Hands checked deliveries to the owning org's grain (see <see cref="IOrgHosting"/>).</summary>
internal sealed class OrleansOrgHosting(IGrainFactory grains) : IOrgHosting
{
    public async Task<int> DeliverWxccAsync(OrgDefinition org, byte[] body, KeyValuePair<string, string?>[] headers, CancellationToken cancellationToken) =>
        await Grain(org).DeliverWxccAsync(body, [.. headers.Select(static h => h.Key)], [.. headers.Select(static h => h.Value)]).WaitAsync(cancellationToken).ConfigureAwait(false);

    public async Task<OrgWebhookResponse> DeliverGraphAsync(OrgDefinition org, byte[] body, CancellationToken cancellationToken)
    {
        var answer = await Grain(org).DeliverGraphAsync(body).WaitAsync(cancellationToken).ConfigureAwait(false);
        return new OrgWebhookResponse(answer.StatusCode, answer.ContentType, answer.Body);
    }

    public Task<bool> HasPendingConsentAsync(OrgDefinition org, string state, CancellationToken cancellationToken) =>
        Grain(org).HasPendingConsentAsync(state).WaitAsync(cancellationToken);

    public async Task<OrgWebhookResponse> CompleteAdminConsentAsync(OrgDefinition org, AdminConsentCallback callback, CancellationToken cancellationToken)
    {
        var answer = await Grain(org).CompleteAdminConsentAsync(callback.State, callback.Tenant, callback.AdminConsent, callback.Error, callback.ErrorDescription)
            .WaitAsync(cancellationToken).ConfigureAwait(false);
        return new OrgWebhookResponse(answer.StatusCode, answer.ContentType, answer.Body);
    }

    private IOrgConnectorGrain Grain(OrgDefinition org) => grains.GetGrain<IOrgConnectorGrain>(org.WxccOrgId!);
}
