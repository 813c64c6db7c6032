using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Webex.TeamsConnector;

/// <summary>Registers the Teams connector.</summary>
public static class TeamsConnectorServiceCollectionExtensions
{
    /// <summary>Registers the Teams connector with default settings.</summary>
    /// <param name="services">The services.</param>
    /// <returns>The builder, for the adapters.</returns>
    public static ITeamsConnectorBuilder AddTeamsConnector(this IServiceCollection services) =>
        AddTeamsConnectorCore(services, null);

    /// <summary>Registers the Teams connector bound from the <c>TeamsConnector</c> configuration section.</summary>
    /// <param name="services">The services.</param>
    /// <param name="configuration">The <c>TeamsConnector</c> section.</param>
    /// <returns>The builder, for the adapters.</returns>
    public static ITeamsConnectorBuilder AddTeamsConnector(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return AddTeamsConnectorCore(services, configuration);
    }

    private static TeamsConnectorBuilder AddTeamsConnectorCore(IServiceCollection services, IConfiguration? configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(TimeProvider.System);
        return new TeamsConnectorBuilder(services, configuration);
    }

    private sealed class TeamsConnectorBuilder(IServiceCollection services, IConfiguration? configuration) : ITeamsConnectorBuilder
    {
        public IServiceCollection Services { get; } = services;

        public IConfiguration? Configuration { get; } = configuration;
    }
}
