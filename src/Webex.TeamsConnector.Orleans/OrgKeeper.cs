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
        // One ping per org at a time; a ping that hangs (its call was sent to a silo that just died, and waits for
        // Orleans' response timeout) does not hold up the next rounds: once the silo is declared dead, the next ping
        // activates the grain elsewhere.
        var pending = new Task?[catalog.Definitions.Count];
        while (!stoppingToken.IsCancellationRequested)
        {
            for (var i = 0; i < pending.Length; i++)
            {
                if (pending[i] is null or { IsCompleted: true })
                {
                    pending[i] = PingAsync(catalog.Definitions[i], stoppingToken);
                }
            }

            await Task.Delay(options.Value.KeepAliveInterval, time, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        await Task.WhenAll(pending.Where(static p => p is not null)!).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task PingAsync(OrgDefinition org, CancellationToken stoppingToken)
    {
        try
        {
            var timeout = options.Value.KeepAliveInterval * 2;
            await grains.GetGrain<IOrgConnectorGrain>(org.WxccOrgId!).EnsureRunningAsync().WaitAsync(timeout, time, stoppingToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Unanswered for two rounds: ping again (a new call is routed afresh).
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

    public async Task<OrgWebhookResponse> CompleteAdminConsentAsync(OrgDefinition org, AdminConsentCallback callback, CancellationToken cancellationToken)
    {
        var answer = await Grain(org).CompleteAdminConsentAsync(callback.State, callback.Tenant, callback.AdminConsent, callback.Error, callback.ErrorDescription)
            .WaitAsync(cancellationToken).ConfigureAwait(false);
        return new OrgWebhookResponse(answer.StatusCode, answer.ContentType, answer.Body);
    }

    public async Task<OrgAdminResponse> InvokeAdminAsync(OrgDefinition org, OrgAdminRequest request, CancellationToken cancellationToken)
    {
        var keys = request.RouteValues.Keys.ToArray();
        var answer = await Grain(org).InvokeAdminAsync(
            request.Operation, request.Method, request.Path, keys, [.. keys.Select(k => request.RouteValues[k])], request.QueryString, request.ContentType, request.Body)
            .WaitAsync(cancellationToken).ConfigureAwait(false);
        return new OrgAdminResponse(answer.StatusCode, answer.ContentType, answer.Location, answer.Body);
    }

    private IOrgConnectorGrain Grain(OrgDefinition org) => grains.GetGrain<IOrgConnectorGrain>(org.WxccOrgId!);
}
