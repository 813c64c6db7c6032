using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Webex.TeamsConnector;

/// <summary>
/// Registers the Teams connector. Calling <c>AddTeamsConnector</c> again registers nothing more: it only adds the
/// settings given in code, and the first configuration section stays the one bound.
/// </summary>
public static class TeamsConnectorServiceCollectionExtensions
{
    /// <summary>Registers the Teams connector with default settings.</summary>
    /// <param name="services">The services.</param>
    /// <returns>The builder, for the adapters.</returns>
    public static ITeamsConnectorBuilder AddTeamsConnector(this IServiceCollection services) =>
        AddTeamsConnectorCore(services, null, null);

    /// <summary>Registers the Teams connector and configures its options in code.</summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Configures the options.</param>
    /// <returns>The builder, for the adapters.</returns>
    public static ITeamsConnectorBuilder AddTeamsConnector(this IServiceCollection services, Action<TeamsConnectorOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        return AddTeamsConnectorCore(services, null, configure);
    }

    /// <summary>Registers the Teams connector bound from the <c>TeamsConnector</c> configuration section.</summary>
    /// <param name="services">The services.</param>
    /// <param name="configuration">The <c>TeamsConnector</c> section.</param>
    /// <returns>The builder, for the adapters.</returns>
    public static ITeamsConnectorBuilder AddTeamsConnector(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return AddTeamsConnectorCore(services, configuration, null);
    }

    private static TeamsConnectorBuilder AddTeamsConnectorCore(IServiceCollection services, IConfiguration? configuration, Action<TeamsConnectorOptions>? configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (services.Any(static d => d.ServiceType == typeof(TeamsConnectorMarker)))
        {
            // Registered already: only the settings given in code are added (the first section stays the one bound).
            if (configure is not null)
            {
                services.AddOptions<TeamsConnectorOptions>().Configure(configure);
            }

            return new TeamsConnectorBuilder(services, configuration);
        }

        services.AddSingleton<TeamsConnectorMarker>();
        services.TryAddSingleton(TimeProvider.System);
        if (TeamsConnectorOrgs.IsMultiOrg(configuration))
        {
            // Several orgs: each runs in its own container, built from its own section (see OrgCatalog).
            OrgsRegistration.Add(services, configuration!, configure);
            return new TeamsConnectorBuilder(services, configuration);
        }


        var options = services.AddOptions<TeamsConnectorOptions>();
        var bindingErrors = new ConfigurationErrors<TeamsConnectorOptions>();
        if (configuration is not null)
        {
            // Graph and ContactCenter are checked and bound by their adapters, Audit by the audit trail.
            options.Configure(o => ConfigurationBinding.Check<TeamsConnectorOptions>(configuration, bindingErrors.Add, "Graph", "ContactCenter", "Audit").Bind(o));
            options.PostConfigure(o =>
            {
                o.Admin.ClientId ??= configuration["Graph:ClientId"];
                o.Admin.TenantId ??= configuration["Graph:TenantId"];
            });
        }

        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TeamsConnectorOptions>>(new TeamsConnectorOptionsValidator(bindingErrors)));

        services.TryAddSingleton<IConnectorStateStore>(sp =>
            sp.GetRequiredService<IOptions<TeamsConnectorOptions>>().Value.Admin.StateFilePath is { Length: > 0 } path
                ? new JsonFileConnectorStateStore(path)
                : new InMemoryConnectorStateStore());
        services.TryAddSingleton<ConnectorRuntime>();
        services.TryAddSingleton<TeamsConnectorTelemetry>();
        services.AddHttpClient(AdminSignInHttpClient);
        services.TryAddSingleton<IAdminSignInStore>(sp => new InMemoryAdminSignInStore(
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IOptions<TeamsConnectorOptions>>().Value.Admin.MaxPendingSignIns));
        services.TryAddSingleton(sp => new OpenIdMetadataCache(
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(AdminSignInHttpClient),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IOptionsMonitor<TeamsConnectorOptions>>()));
        services.TryAddSingleton(sp => new AdminSignIn(
            sp.GetRequiredService<IAdminSignInStore>(),
            sp.GetRequiredService<OpenIdMetadataCache>(),
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(AdminSignInHttpClient),
            sp.GetService<IApplicationClientCredential>(),
            sp.GetRequiredService<IOptionsMonitor<TeamsConnectorOptions>>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger<TeamsConnectorAdmin>(),
            sp.GetRequiredService<TeamsConnectorTelemetry>()));
        services.TryAddSingleton<PublishedPresenceLedger>();
        services.TryAddSingleton(sp => new ConnectorDeletion(
            sp.GetServices<IConnectorCleanup>(),
            sp.GetService<ITeamsPresencePublisher>(),
            sp.GetRequiredService<PublishedPresenceLedger>(),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger<TeamsConnectorAdmin>()));
        services.TryAddSingleton<TeamsConnectorAdmin>();
        services.TryAddSingleton<ITeamsConnectorAdmin>(sp => sp.GetRequiredService<TeamsConnectorAdmin>());
        services.TryAddSingleton<AgentExpertSearch>();
        services.TryAddSingleton<IAgentExpertSearch>(sp => sp.GetRequiredService<AgentExpertSearch>());
        AuditTeamsConnectorBuilderExtensions.AddAuditTrail(services, configuration);
        services.TryAddSingleton(OrgConnectorFactory.Create);
        services.TryAddSingleton(sp => new TeamsConnectorService(() => [sp.GetRequiredService<OrgConnector>()], sp.GetService<IHostApplicationLifetime>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, TeamsConnectorService>(sp => sp.GetRequiredService<TeamsConnectorService>()));

        if (!services.Any(d => d.ServiceType == typeof(TeamsConnectorHealthCheck)))
        {
            services.AddSingleton<TeamsConnectorHealthCheck>();
            services.AddHealthChecks().AddCheck<TeamsConnectorHealthCheck>("teams-connector", tags: ["teams-connector"]);
        }

        return new TeamsConnectorBuilder(services, configuration);
    }

    private const string AdminSignInHttpClient = "Webex.TeamsConnector.AdminSignIn";

    private sealed class TeamsConnectorMarker;

    private sealed class TeamsConnectorBuilder(IServiceCollection services, IConfiguration? configuration) : ITeamsConnectorBuilder
    {
        public IServiceCollection Services { get; } = services;

        public IConfiguration? Configuration { get; } = configuration;
    }
}
