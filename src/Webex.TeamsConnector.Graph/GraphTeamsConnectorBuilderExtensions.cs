using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Webex.TeamsConnector.Graph;

namespace Webex.TeamsConnector;

/// <summary>Adds the Microsoft Graph adapter to the Teams connector.</summary>
public static class GraphTeamsConnectorBuilderExtensions
{
    /// <summary>
    /// Adds the Microsoft Graph adapter with settings from <c>TeamsConnector:Graph</c>: Teams presence (polling or
    /// change notifications), presence publishing, user identity and the expert directory.
    /// </summary>
    /// <param name="builder">The connector builder.</param>
    /// <returns>The builder.</returns>
    public static ITeamsConnectorBuilder AddGraphPresence(this ITeamsConnectorBuilder builder) => AddGraphPresence(builder, static _ => { });

    /// <summary>
    /// Adds the Microsoft Graph adapter with settings from <c>TeamsConnector:Graph</c>, then changed by
    /// <paramref name="configure"/>. Calling it again only adds the configuration action.
    /// </summary>
    /// <param name="builder">The connector builder.</param>
    /// <param name="configure">Changes the settings after binding.</param>
    /// <returns>The builder.</returns>
    public static ITeamsConnectorBuilder AddGraphPresence(this ITeamsConnectorBuilder builder, Action<GraphOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return AddGraphPresenceCore(builder, builder.Configuration?.GetSection("Graph"), configure);
    }

    /// <summary>
    /// Adds the Microsoft Graph adapter with settings from <paramref name="section"/> (for example a section other than
    /// <c>TeamsConnector:Graph</c>). Calling it again adds nothing: the first registration's section is used.
    /// </summary>
    /// <param name="builder">The connector builder.</param>
    /// <param name="section">The configuration section with the Graph settings.</param>
    /// <returns>The builder.</returns>
    public static ITeamsConnectorBuilder AddGraphPresence(this ITeamsConnectorBuilder builder, IConfigurationSection section)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(section);
        return AddGraphPresenceCore(builder, section, static _ => { });
    }

    private static ITeamsConnectorBuilder AddGraphPresenceCore(ITeamsConnectorBuilder builder, IConfigurationSection? section, Action<GraphOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        if (TeamsConnectorOrgs.DeferToOrgs(builder, b => AddGraphPresenceCore(b, b.Configuration?.GetSection("Graph"), configure)))
        {
            return builder; // Several orgs: registered in each org's container, bound from its Graph section.
        }

        var services = builder.Services;
        if (services.Any(static d => d.ServiceType == typeof(GraphMarker)))
        {
            services.AddOptions<GraphOptions>().Configure(configure);
            return builder;
        }

        services.AddSingleton<GraphMarker>();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ConfigurationErrors<GraphOptions>>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<GraphOptions>, GraphOptionsSetup>(sp => new GraphOptionsSetup(section, sp.GetRequiredService<ConfigurationErrors<GraphOptions>>())));
        services.AddOptions<GraphOptions>().Configure(configure).ValidateOnStart();
        services.TryAddSingleton(sp => new CredentialRegistration(
            sp.GetService<Azure.Core.TokenCredential>() is not null,
            sp.GetKeyedService<Azure.Core.TokenCredential>(GraphCredentials.Subscriptions) is not null));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GraphOptions>, GraphOptionsValidator>());

        services.TryAddSingleton(sp => new GraphMetrics(sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<GraphOptions>>().Value;
            return new RequestBudget(Math.Max(1, (int)(options.RequestsPerWindow * 0.95)), options.RequestWindow, sp.GetRequiredService<TimeProvider>());
        });
        services.TryAddSingleton(sp => new GraphClientProvider(
            sp.GetRequiredService<IOptions<GraphOptions>>(),
            sp.GetRequiredService<RequestBudget>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance,
            sp.GetService<Azure.Core.TokenCredential>(),
            sp.GetKeyedService<Azure.Core.TokenCredential>(GraphCredentials.Subscriptions)));
        services.TryAddSingleton(sp => new PresenceReader(
            sp.GetRequiredService<GraphClientProvider>(),
            sp.GetRequiredService<IOptions<GraphOptions>>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<GraphMetrics>(),
            Logger<PresenceReader>(sp)));
        services.TryAddSingleton(sp => new PollingPresenceFeed(
            sp.GetRequiredService<PresenceReader>(),
            sp.GetRequiredService<IOptions<GraphOptions>>(),
            sp.GetRequiredService<RequestBudget>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<GraphMetrics>(),
            Logger<PollingPresenceFeed>(sp)));
        services.TryAddSingleton(sp => new SubscriptionRegistry(sp.GetRequiredService<IOptions<GraphOptions>>()));
        services.TryAddSingleton<NotificationInbox>();
        services.TryAddSingleton(sp => new RichNotificationDecryptor(sp.GetRequiredService<IOptions<GraphOptions>>()));
        services.TryAddSingleton(sp => new ChangeNotificationPresenceFeed(
            sp.GetRequiredService<GraphClientProvider>(),
            sp.GetRequiredService<PresenceReader>(),
            sp.GetRequiredService<SubscriptionRegistry>(),
            sp.GetRequiredService<NotificationInbox>(),
            sp.GetRequiredService<RichNotificationDecryptor>(),
            sp.GetRequiredService<IOptions<GraphOptions>>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<GraphMetrics>(),
            Logger<ChangeNotificationPresenceFeed>(sp)));

        services.TryAddSingleton<ITeamsPresenceFeed>(sp =>
            sp.GetRequiredService<IOptions<GraphOptions>>().Value.PresenceSource == GraphPresenceSource.ChangeNotifications
                ? sp.GetRequiredService<ChangeNotificationPresenceFeed>()
                : sp.GetRequiredService<PollingPresenceFeed>());
        services.TryAddSingleton<IGraphNotificationProcessor>(sp => new GraphNotificationProcessor(
            sp.GetRequiredService<SubscriptionRegistry>(),
            sp.GetRequiredService<NotificationInbox>(),
            sp.GetRequiredService<IOptions<GraphOptions>>(),
            sp.GetRequiredService<GraphMetrics>(),
            Logger<GraphNotificationProcessor>(sp)));
        services.TryAddSingleton<ITeamsPresencePublisher>(sp => new GraphPresencePublisher(
            sp.GetRequiredService<GraphClientProvider>(),
            sp.GetRequiredService<IOptions<GraphOptions>>(),
            Logger<GraphPresencePublisher>(sp)));
        services.TryAddSingleton<ITeamsUserResolver>(sp => new GraphUserResolver(
            sp.GetRequiredService<GraphClientProvider>(),
            sp.GetRequiredService<IOptions<GraphOptions>>(),
            sp.GetRequiredService<RequestBudget>(),
            sp.GetRequiredService<TimeProvider>(),
            Logger<GraphUserResolver>(sp)));
        services.TryAddSingleton<IApplicationClientCredential>(sp => new GraphApplicationCredential(
            sp.GetRequiredService<IOptions<GraphOptions>>(),
            sp.GetRequiredService<TimeProvider>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConnectorCleanup, GraphSubscriptionCleanup>(sp => new GraphSubscriptionCleanup(
            sp.GetRequiredService<GraphClientProvider>(),
            sp.GetRequiredService<SubscriptionRegistry>(),
            sp.GetRequiredService<IOptions<GraphOptions>>())));
        services.TryAddSingleton<IExpertDirectory>(sp => new GraphExpertDirectory(
            sp.GetRequiredService<GraphClientProvider>(),
            sp.GetRequiredService<PresenceReader>(),
            sp.GetRequiredService<IOptions<GraphOptions>>(),
            sp.GetRequiredService<TimeProvider>(),
            Logger<GraphExpertDirectory>(sp)));
        return builder;
    }

    private sealed class GraphMarker;

    private static ILogger<T> Logger<T>(IServiceProvider services) =>
        services.GetService<ILogger<T>>() ?? NullLogger<T>.Instance;
}
