using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Webex.TeamsConnector.ContactCenter;

namespace Webex.TeamsConnector;

/// <summary>Adds the Webex Contact Center adapter to the Teams connector.</summary>
public static class ContactCenterTeamsConnectorBuilderExtensions
{
    /// <summary>
    /// Adds the Webex Contact Center adapter bound from <c>TeamsConnector:ContactCenter</c>: the agent-state outbox,
    /// the agent event feed (webhook or websocket), the directory, and <see cref="WxccWebhookProcessor"/>.
    /// Calling it more than once is harmless.
    /// </summary>
    /// <param name="builder">The connector builder.</param>
    /// <returns>The builder.</returns>
    public static ITeamsConnectorBuilder AddWebexContactCenter(this ITeamsConnectorBuilder builder) =>
        AddWebexContactCenter(builder, static _ => { });

    /// <summary>Adds the Webex Contact Center adapter, bound from configuration and then adjusted by <paramref name="configure"/>.</summary>
    /// <param name="builder">The connector builder.</param>
    /// <param name="configure">Changes the options after binding.</param>
    /// <returns>The builder.</returns>
    public static ITeamsConnectorBuilder AddWebexContactCenter(this ITeamsConnectorBuilder builder, Action<ContactCenterOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return AddWebexContactCenterCore(builder, builder.Configuration?.GetSection("ContactCenter"), configure);
    }

    /// <summary>
    /// Adds the Webex Contact Center adapter bound from <paramref name="section"/> (for example a section other than
    /// <c>TeamsConnector:ContactCenter</c>). Calling it again adds nothing: the first registration's section is used.
    /// </summary>
    /// <param name="builder">The connector builder.</param>
    /// <param name="section">The configuration section with the Contact Center settings.</param>
    /// <returns>The builder.</returns>
    public static ITeamsConnectorBuilder AddWebexContactCenter(this ITeamsConnectorBuilder builder, IConfigurationSection section)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(section);
        return AddWebexContactCenterCore(builder, section, static _ => { });
    }

    private static ITeamsConnectorBuilder AddWebexContactCenterCore(ITeamsConnectorBuilder builder, IConfigurationSection? section, Action<ContactCenterOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var services = builder.Services;
        if (!services.Any(static d => d.ServiceType == typeof(ContactCenterMarker)))
        {
            services.AddSingleton<ContactCenterMarker>();
            Register(services, section);
        }

        services.Configure(configure);
        return builder;
    }

    private static void Register(IServiceCollection services, IConfigurationSection? section)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddHttpClient(ContactCenterHttp.ClientName, static client => client.Timeout = Timeout.InfiniteTimeSpan);
        var bindingErrors = new ConfigurationErrors<ContactCenterOptions>();
        services.TryAddSingleton(bindingErrors);
        var options = services.AddOptions<ContactCenterOptions>();
        if (section is not null)
        {
            options.Configure(o => ConfigurationBinding.Check<ContactCenterOptions>(section, bindingErrors.Add).Bind(o));
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ContactCenterOptions>, ContactCenterOptionsValidator>());
        services.TryAddSingleton<IRefreshTokenStore>(static sp =>
            sp.GetRequiredService<IOptions<ContactCenterOptions>>().Value is { RefreshTokenFilePath: { Length: > 0 } path } options
                ? new FileRefreshTokenStore(path, options.RefreshToken)
                : new InMemoryRefreshTokenStore());
        services.TryAddSingleton(static sp => new RequestBudget(
            sp.GetRequiredService<IOptions<ContactCenterOptions>>().Value.RequestsPerMinute,
            sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(static sp => new ContactCenterTelemetry(sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.TryAddSingleton<WxccResilience>();
        services.TryAddSingleton<WxccTokenProvider>();
        services.TryAddSingleton<WxccApiClient>();
        services.TryAddSingleton<ContactCenterDirectory>();
        services.TryAddSingleton<AgentStateOutbox>();
        services.TryAddSingleton<WebhookEventQueue>();
        services.TryAddSingleton<WebhookSubscriptionManager>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConnectorCleanup, WebhookSubscriptionCleanup>());
        services.TryAddSingleton<WebSocketAgentEventFeed>();
        services.TryAddSingleton<ContactCenterAgentEventFeed>();
        services.TryAddSingleton(static sp => new WxccWebhookProcessor(
            sp.GetRequiredService<IOptions<ContactCenterOptions>>(),
            sp.GetRequiredService<WebhookEventQueue>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ContactCenterTelemetry>(),
            sp.GetRequiredService<ILogger<WxccWebhookProcessor>>()));
        services.TryAddSingleton<IAgentStateOutbox>(static sp => sp.GetRequiredService<AgentStateOutbox>());
        services.TryAddSingleton<IContactCenterDirectory>(static sp => sp.GetRequiredService<ContactCenterDirectory>());
        services.TryAddSingleton<IPresenceSyncSettingWriter>(static sp => sp.GetRequiredService<ContactCenterDirectory>());
        services.TryAddSingleton<IDesktopProfileWriter>(static sp => sp.GetRequiredService<ContactCenterDirectory>());
        services.TryAddSingleton<IAgentEventFeed>(static sp => sp.GetRequiredService<ContactCenterAgentEventFeed>());
    }

    private sealed class ContactCenterMarker;
}
