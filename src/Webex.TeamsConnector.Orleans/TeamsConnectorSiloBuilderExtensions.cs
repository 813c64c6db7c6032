using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Webex.TeamsConnector;
using Webex.TeamsConnector.Orleans;

namespace Orleans.Hosting;

/// <summary>Hosts the Teams connector on an Orleans silo: one grain per org, exactly one writer per org across the cluster.</summary>
public static class TeamsConnectorSiloBuilderExtensions
{
    /// <summary>
    /// Runs the orgs that <c>services.AddTeamsConnector(section)</c> lists (<c>TeamsConnector:Orgs:&lt;name&gt;:...</c>) in
    /// grains instead of in this process: each org's unit runs in the single activation of its grain (keyed by the WxCC
    /// org id), the admin's record and the org's Graph subscription ids are kept in the grain storage named
    /// <see cref="TeamsConnectorClusterOptions.DefaultStorageName"/> (register one), and webhooks that reach this silo are
    /// checked here and handed to the owning grain. Calling it again only adds <paramref name="configure"/>.
    /// </summary>
    /// <param name="builder">The silo builder.</param>
    /// <param name="configure">Changes the cluster settings.</param>
    /// <returns>The silo builder.</returns>
    public static ISiloBuilder AddTeamsConnector(this ISiloBuilder builder, Action<TeamsConnectorClusterOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var options = services.AddOptions<TeamsConnectorClusterOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        if (services.Any(static d => d.ServiceType == typeof(OrleansOrgHosting)))
        {
            return builder;
        }

        services.AddSingleton<OrleansOrgHosting>();
        services.AddSingleton<OrgActivations>();
        services.TryAddSingleton<IOrgHosting>(static sp => sp.GetRequiredService<OrleansOrgHosting>());
        services.AddHostedService<OrgKeeper>();

        // Every org container on this silo (the owner's and the webhook-checking ones) keeps its sign-in and consent
        // states in the org's grain, so that a callback completes on any silo and a state is used once cluster-wide.
        services.AddSingleton(static sp => new OrgServicesConfigurator((orgServices, org) => orgServices.AddSingleton<IAdminSignInStore>(os => new GrainAdminSignInStore(
            sp.GetRequiredService<IGrainFactory>(),
            org.WxccOrgId ?? org.Name,
            os.GetRequiredService<IOptions<TeamsConnectorOptions>>().Value.Admin.MaxPendingSignIns))));
        services.AddOptions<TeamsConnectorOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TeamsConnectorOptions>, ClusterValidator>());
        return builder;
    }

    /// <summary>Cluster mode needs the orgs listed (TeamsConnector:Orgs) and grain storage for them.</summary>
    private sealed class ClusterValidator(IServiceProvider services) : IValidateOptions<TeamsConnectorOptions>
    {
        public ValidateOptionsResult Validate(string? name, TeamsConnectorOptions options)
        {
            var errors = new List<string>();
            var catalog = services.GetService<OrgCatalog>();
            foreach (var org in catalog?.Definitions.Where(OrgCatalogRules.IsChangeNotifications) ?? [])
            {
                if (string.IsNullOrWhiteSpace(org.Section["Graph:NotificationClientState"]))
                {
                    errors.Add($"{OrgCatalogRules.Name(org)}:Graph:NotificationClientState is required on a cluster with change notifications: every silo checks the org's notifications against it.");
                }
            }

            if (catalog is null)
            {
                errors.Add("The connector runs on Orleans but lists no org: set TeamsConnector:Orgs:<name>:... (each org with the single-org keys), and call services.AddTeamsConnector(section) with that section.");
            }

            if (services.GetKeyedService<global::Orleans.Storage.IGrainStorage>(TeamsConnectorClusterOptions.DefaultStorageName) is null)
            {
                errors.Add($"The connector runs on Orleans without grain storage named \"{TeamsConnectorClusterOptions.DefaultStorageName}\": register one (for example siloBuilder.AddRedisGrainStorage(\"{TeamsConnectorClusterOptions.DefaultStorageName}\", ...)).");
            }

            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }
    }
}
