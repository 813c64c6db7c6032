using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Webex.TeamsConnector;

/// <summary>
/// Builds the one <see cref="OrgConnector"/> that <c>AddTeamsConnector(section)</c> configures (the composition root:
/// the only place that resolves the unit's parts from the container).
/// </summary>
internal static class OrgConnectorFactory
{
    /// <summary>Creates the single-org unit from the container's options, adapters and runtime.</summary>
    /// <param name="services">The services.</param>
    /// <returns>The unit.</returns>
    public static OrgConnector Create(IServiceProvider services)
    {
        var ports = ResolvePorts(services);
        var options = services.GetRequiredService<IOptionsMonitor<TeamsConnectorOptions>>();
        return new OrgConnector(
            ports,
            services.GetRequiredService<ConnectorRuntime>(),
            () => options.CurrentValue.StateSync,
            services.GetRequiredService<TimeProvider>(),
            services.GetRequiredService<ILogger<OrgConnector>>(),
            services.GetRequiredService<TeamsConnectorTelemetry>(),
            services.GetService<AuditTrail>());
    }

    /// <summary>Resolves the adapters of the single-org connector; says which are missing.</summary>
    /// <param name="services">The services.</param>
    /// <returns>The ports.</returns>
    public static ConnectorPorts ResolvePorts(IServiceProvider services)
    {
        var missing = new List<string>();
        T? Get<T>(string hint)
            where T : class
        {
            var service = services.GetService<T>();
            if (service is null)
            {
                missing.Add($"{typeof(T).Name} ({hint})");
            }

            return service;
        }

        var ports = new ConnectorPorts(
            Get<ITeamsPresenceFeed>(".AddGraphPresence()")!,
            Get<ITeamsPresencePublisher>(".AddGraphPresence()") is { } publisher
                ? new LedgerPresencePublisher(publisher, services.GetRequiredService<PublishedPresenceLedger>())
                : null!,
            Get<ITeamsUserResolver>(".AddGraphPresence()")!,
            Get<IAgentEventFeed>(".AddWebexContactCenter()")!,
            Get<IAgentStateOutbox>(".AddWebexContactCenter()")!,
            Get<IContactCenterDirectory>(".AddWebexContactCenter()")!);
        if (missing.Count > 0)
        {
            throw new InvalidOperationException("The Teams connector cannot run without its adapters; missing: " + string.Join(", ", missing) + ".");
        }

        return ports;
    }
}
