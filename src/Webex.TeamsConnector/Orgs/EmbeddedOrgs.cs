using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Webex.TeamsConnector;

/// <summary>
/// The organizations' containers on this process: in the embedded host, the running units (one per org); in a
/// cluster, the containers each node keeps to check webhooks with the org's own secrets before handing them on.
/// </summary>
internal sealed class LocalOrgs(OrgCatalog catalog) : IAsyncDisposable
{
    private readonly Lazy<IReadOnlyList<OrgServices>> _orgs = new(() => [.. catalog.Definitions.Select(d => catalog.Create(d))]);

    public OrgCatalog Catalog => catalog;

    /// <summary>Every org's container (created on first use).</summary>
    public IReadOnlyList<OrgServices> All => _orgs.Value;

    /// <summary>The container of the org with this WxCC org id, if listed.</summary>
    /// <param name="wxccOrgId">The WxCC org id.</param>
    /// <returns>The container, or <see langword="null"/>.</returns>
    public OrgServices? Find(string? wxccOrgId) =>
        catalog.Find(wxccOrgId) is { } org ? All.FirstOrDefault(o => ReferenceEquals(o.Definition, org)) : null;

    /// <summary>The container of the org listed under this name (<c>TeamsConnector:Orgs:&lt;name&gt;</c>, case-insensitive), if any.</summary>
    /// <param name="name">The org's name.</param>
    /// <returns>The container, or <see langword="null"/>.</returns>
    public OrgServices? FindByName(string? name) =>
        string.IsNullOrEmpty(name) ? null : All.FirstOrDefault(o => string.Equals(o.Definition.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The container of the org that issued a pending sign-in or consent <c>state</c>, if any.</summary>
    /// <param name="state">The state value.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The container, or <see langword="null"/>.</returns>
    public async Task<OrgServices?> FindByStateAsync(string? state, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(state))
        {
            return null;
        }

        foreach (var org in All)
        {
            if (await org.Services.GetRequiredService<IAdminSignInStore>().ContainsAsync(state, cancellationToken).ConfigureAwait(false))
            {
                return org;
            }
        }

        return null;
    }

    public async ValueTask DisposeAsync()
    {
        if (_orgs.IsValueCreated)
        {
            foreach (var org in _orgs.Value)
            {
                await org.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}

/// <summary>Registers the several-org configuration (<c>TeamsConnector:Orgs:&lt;name&gt;:...</c>).</summary>
internal static class OrgsRegistration
{
    /// <summary>Root keys, beside <c>Orgs</c>, that other packages read (for example the cluster's settings).</summary>
    public static readonly HashSet<string> AllowedRootKeys = new(StringComparer.OrdinalIgnoreCase) { "Cluster" };

    public static void Add(IServiceCollection services, IConfiguration configuration, Action<TeamsConnectorOptions>? configure)
    {
        services.AddOptions<TeamsConnectorOptions>().ValidateOnStart();
        services.TryAddSingleton(sp => new OrgCatalog(sp, configuration, configure));
        services.TryAddSingleton<LocalOrgs>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TeamsConnectorOptions>, OrgCatalogValidator>(
            sp => new OrgCatalogValidator(sp.GetRequiredService<OrgCatalog>(), configuration, AllowedRootKeys, () => sp.GetService<IServiceProviderIsService>()?.IsService(typeof(IOrgHosting)) != true)));
        services.TryAddSingleton<TeamsConnectorTelemetry>();
        services.TryAddSingleton(sp => new TeamsConnectorService(() => sp.GetService<IOrgHosting>() is null
            ? [.. sp.GetRequiredService<LocalOrgs>().All.Select(static o => o.Connector)]
            : [],
            sp.GetService<IHostApplicationLifetime>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, TeamsConnectorService>(sp => sp.GetRequiredService<TeamsConnectorService>()));
        services.AddHealthChecks().AddCheck<OrgsHealthCheck>("teams-connector", tags: ["teams-connector"]);
    }
}

/// <summary>The worst of the organizations' health, each org's description prefixed with its name.</summary>
internal sealed class OrgsHealthCheck(IServiceProvider services) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        // Only the embedded host's units are checked here; in a cluster each org's owner reports its own health.
        var local = services.GetService<IOrgHosting>() is null ? services.GetRequiredService<LocalOrgs>().All : [];
        var worst = HealthStatus.Healthy;
        var lines = new List<string>();
        foreach (var org in local)
        {
            var result = await org.Services.GetRequiredService<TeamsConnectorHealthCheck>().CheckHealthAsync(context, cancellationToken).ConfigureAwait(false);
            worst = result.Status < worst ? result.Status : worst;
            lines.Add(org.Definition.Name + ": " + result.Description);
        }

        return new HealthCheckResult(worst, lines.Count == 0 ? "No org runs on this node." : string.Join(" ", lines));
    }
}

/// <summary>
/// A host that runs the organizations' units elsewhere (a cluster: one owner per org): the embedded host then runs
/// none, and the endpoints hand each delivery, once checked on this node, to the org's owner.
/// </summary>
internal interface IOrgHosting
{
    /// <summary>Hands a checked WxCC webhook delivery to the org's owner; returns the status to answer.</summary>
    Task<int> DeliverWxccAsync(OrgDefinition org, byte[] body, KeyValuePair<string, string?>[] headers, CancellationToken cancellationToken);

    /// <summary>Hands a Graph notification batch (each item's clientState checked here) to the org's owner.</summary>
    Task<OrgWebhookResponse> DeliverGraphAsync(OrgDefinition org, byte[] body, CancellationToken cancellationToken);

    /// <summary>Completes an admin-consent callback on the org's owner.</summary>
    Task<OrgWebhookResponse> CompleteAdminConsentAsync(OrgDefinition org, AdminConsentCallback callback, CancellationToken cancellationToken);

    /// <summary>Runs an admin API request on the org's owner (against the owner's unit) and returns its answer.</summary>
    Task<OrgAdminResponse> InvokeAdminAsync(OrgDefinition org, OrgAdminRequest request, CancellationToken cancellationToken);
}

/// <summary>Runs an admin API request against one org's container (the HTTP layer implements it; a cluster's owner calls it).</summary>
internal interface IOrgAdminExecutor
{
    /// <summary>Runs <paramref name="request"/> with <paramref name="orgServices"/> as the request's services.</summary>
    Task<OrgAdminResponse> ExecuteAsync(IServiceProvider orgServices, OrgAdminRequest request, CancellationToken cancellationToken);
}

/// <summary>An admin API request handed to the org's owner.</summary>
/// <param name="Operation">The admin operation (the endpoint's name, for example <c>Status</c>).</param>
/// <param name="Method">The HTTP method.</param>
/// <param name="Path">The request path (for problem answers).</param>
/// <param name="RouteValues">The route values the operation reads (for example <c>agentId</c>).</param>
/// <param name="QueryString">The query string, with its leading <c>?</c> or empty.</param>
/// <param name="ContentType">The body's content type.</param>
/// <param name="Body">The body (bounded by the admin API's limit).</param>
internal sealed record OrgAdminRequest(string Operation, string Method, string Path, IReadOnlyDictionary<string, string> RouteValues, string QueryString, string? ContentType, byte[] Body);

/// <summary>The owner's answer to an admin API request.</summary>
/// <param name="StatusCode">The HTTP status.</param>
/// <param name="ContentType">The content type.</param>
/// <param name="Location">The redirect target, if any.</param>
/// <param name="Body">The body.</param>
internal sealed record OrgAdminResponse(int StatusCode, string? ContentType, string? Location, byte[] Body);

/// <summary>An answer to a webhook or callback, made by the org's owner.</summary>
/// <param name="StatusCode">The HTTP status.</param>
/// <param name="ContentType">The content type of <paramref name="Body"/>.</param>
/// <param name="Body">The body, if any.</param>
internal sealed record OrgWebhookResponse(int StatusCode, string? ContentType, string? Body);
