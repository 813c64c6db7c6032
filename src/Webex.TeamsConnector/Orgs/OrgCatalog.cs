using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Webex.TeamsConnector;

/// <summary>One organization listed under <c>TeamsConnector:Orgs:&lt;name&gt;</c>.</summary>
/// <param name="Name">The name under <c>Orgs</c>.</param>
/// <param name="Section">Its configuration section (today's single-org keys below it).</param>
internal sealed record OrgDefinition(string Name, IConfigurationSection Section)
{
    /// <summary>The WxCC org id (<c>ContactCenter:OrgId</c>): the key of the org everywhere (webhooks, cluster grains).</summary>
    public string? WxccOrgId => Section["ContactCenter:OrgId"];

    /// <summary>The Entra ID tenant (<c>Graph:TenantId</c>).</summary>
    public string? TenantId => Section["Graph:TenantId"];
}

/// <summary>Changes an organization's own container before it is built (for example cluster storage for its state).</summary>
/// <param name="configure">Receives the org's services and its definition.</param>
internal sealed class OrgServicesConfigurator(Action<IServiceCollection, OrgDefinition> configure)
{
    public Action<IServiceCollection, OrgDefinition> Configure { get; } = configure;
}

/// <summary>
/// The organizations of a several-org configuration and the factory of their containers: each org gets its own
/// <see cref="IServiceProvider"/> with <c>AddTeamsConnector(orgSection)</c> and the adapters the application added,
/// bound from the org's own section, sharing the application's logging, metrics and clock.
/// </summary>
internal sealed class OrgCatalog
{
    private readonly IServiceProvider _root;
    private readonly Action<TeamsConnectorOptions>? _configure;

    public OrgCatalog(IServiceProvider root, IConfiguration configuration, Action<TeamsConnectorOptions>? configure)
    {
        _root = root;
        _configure = configure;
        Definitions = [.. configuration.GetSection(TeamsConnectorOrgs.SectionName).GetChildren().Select(static s => new OrgDefinition(s.Key, s))];
    }

    /// <summary>The organizations, in configuration order.</summary>
    public IReadOnlyList<OrgDefinition> Definitions { get; }

    /// <summary>Finds an organization by its WxCC org id (ordinal, case-insensitive).</summary>
    /// <param name="wxccOrgId">The WxCC org id.</param>
    /// <returns>The organization, or <see langword="null"/>.</returns>
    public OrgDefinition? Find(string? wxccOrgId) =>
        wxccOrgId is null ? null : Definitions.FirstOrDefault(d => string.Equals(d.WxccOrgId, wxccOrgId, StringComparison.OrdinalIgnoreCase));

    /// <summary>Builds a new container for <paramref name="org"/>; the caller disposes it.</summary>
    /// <param name="org">The organization.</param>
    /// <param name="configure">Registers more services in this container only (for example a cluster grain's storage).</param>
    /// <returns>Its services.</returns>
    public OrgServices Create(OrgDefinition org, Action<IServiceCollection>? configure = null)
    {
        var services = new ServiceCollection();
        if (_root.GetService<ILoggerFactory>() is { } loggers)
        {
            services.AddSingleton(loggers);
            services.TryAdd(ServiceDescriptor.Singleton(typeof(ILogger<>), typeof(OrgLogger<>)));
        }

        if (_root.GetService<System.Diagnostics.Metrics.IMeterFactory>() is { } meters)
        {
            services.AddSingleton(meters);
        }

        services.AddSingleton(_root.GetService<TimeProvider>() ?? TimeProvider.System);
        var builder = services.AddTeamsConnector(org.Section);
        if (_configure is not null)
        {
            services.AddTeamsConnector(_configure);
        }

        foreach (var adapter in _root.GetServices<OrgAdapterRegistration>())
        {
            adapter.Register(builder);
        }

        foreach (var configurator in _root.GetServices<OrgServicesConfigurator>())
        {
            configurator.Configure(services, org);
        }

        configure?.Invoke(services);
        return new OrgServices(org, services.BuildServiceProvider());
    }

    /// <summary>An <see cref="ILogger{T}"/> over the application's logger factory.</summary>
    private sealed class OrgLogger<T>(ILoggerFactory factory) : ILogger<T>
    {
        private readonly ILogger _logger = factory.CreateLogger(typeof(T).FullName ?? typeof(T).Name);

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => _logger.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => _logger.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            _logger.Log(logLevel, eventId, state, exception, formatter);
    }
}

/// <summary>One organization's own container and the connector unit in it.</summary>
internal sealed class OrgServices : IAsyncDisposable
{
    private static readonly System.Text.RegularExpressions.Regex s_singleOrgKey = new("TeamsConnector:(?!Orgs:)", System.Text.RegularExpressions.RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
    private readonly ServiceProvider _services;

    public OrgServices(OrgDefinition definition, ServiceProvider services)
    {
        Definition = definition;
        _services = services;
    }

    public OrgDefinition Definition { get; }

    public IServiceProvider Services => _services;

    /// <summary>The org's connector unit (created on first use; says which adapter is missing).</summary>
    public OrgConnector Connector
    {
        get
        {
            var connector = _services.GetRequiredService<OrgConnector>();
            _services.GetRequiredService<TeamsConnectorService>().UseUnits([connector]);
            return connector;
        }
    }

    /// <summary>The org's admin API.</summary>
    public ITeamsConnectorAdmin Admin => _services.GetRequiredService<ITeamsConnectorAdmin>();

    /// <summary>Runs the org's start-up validation; returns the errors, each naming the org's keys.</summary>
    /// <returns>The errors; empty when the org's configuration is valid.</returns>
    public IReadOnlyList<string> Validate()
    {
        TeamsConnectorStartup.TryValidate(_services, out var errors);
        // The adapters name their keys as in a single-org configuration: name the org's keys instead.
        var org = "TeamsConnector:" + TeamsConnectorOrgs.SectionName + ":" + ConfigurationBinding.Quote(Definition.Name);
        return [.. errors.Select(e => e.Contains("TeamsConnector:", StringComparison.Ordinal)
            ? s_singleOrgKey.Replace(e, org + ":")
            : org + ": " + e)];
    }

    public ValueTask DisposeAsync() => _services.DisposeAsync();
}
