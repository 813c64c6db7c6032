using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Webex.TeamsConnector;

/// <summary>Adds a store to the Teams connector's audit trail (settings under <c>TeamsConnector:Audit</c>).</summary>
public static class AuditTeamsConnectorBuilderExtensions
{
    /// <summary>
    /// Records every sync decision into the embedded SQLite store (<c>TeamsConnector:Audit:Sqlite</c>: one file, a
    /// retention period, a size bound). Calling it again is harmless.
    /// </summary>
    /// <param name="builder">The connector builder.</param>
    /// <returns>The builder.</returns>
    public static ITeamsConnectorBuilder AddSqliteAuditStore(this ITeamsConnectorBuilder builder) =>
        AddSqliteAuditStore(builder, static _ => { });

    /// <summary>Records every sync decision into the embedded SQLite store, with its settings adjusted in code.</summary>
    /// <param name="builder">The connector builder.</param>
    /// <param name="configure">Changes the SQLite store's settings after binding.</param>
    /// <returns>The builder.</returns>
    public static ITeamsConnectorBuilder AddSqliteAuditStore(this ITeamsConnectorBuilder builder, Action<SqliteAuditStoreOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.Configure<AuditOptions>(o => configure(o.Sqlite));
        return AddAuditStore(builder, static IAuditStore (sp) => CreateSqliteStore(sp));
    }

    /// <summary>
    /// Records every sync decision into a store of your own (for example a database the app already runs). The last
    /// store added is the one used.
    /// </summary>
    /// <param name="builder">The connector builder.</param>
    /// <param name="factory">Creates the store (once).</param>
    /// <returns>The builder.</returns>
    public static ITeamsConnectorBuilder AddAuditStore(this ITeamsConnectorBuilder builder, Func<IServiceProvider, IAuditStore> factory)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(factory);
        builder.Services.Replace(ServiceDescriptor.Singleton(factory));
        return builder;
    }

    /// <summary>Binds and validates <c>TeamsConnector:Audit</c> and registers the trail (off until enabled or a store is added).</summary>
    internal static void AddAuditTrail(IServiceCollection services, IConfiguration? configuration)
    {
        var bindingErrors = new ConfigurationErrors<AuditOptions>();
        var options = services.AddOptions<AuditOptions>();
        if (configuration is not null)
        {
            // The Redis store's settings (Audit:Redis) are bound and checked by its package.
            options.Configure(o => ConfigurationBinding.Check<AuditOptions>(configuration.GetSection("Audit"), bindingErrors.Add, "Redis").Bind(o));
            options.PostConfigure(o => o.OrgId ??= configuration["ContactCenter:OrgId"]);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AuditOptions>>(new AuditOptionsValidation(bindingErrors)));
        if (bool.TryParse(configuration?["Audit:Enabled"], out var enabled) && enabled)
        {
            // Turned on in configuration: the embedded store is the app's IAuditStore (the admin API queries it).
            services.TryAddSingleton<IAuditStore>(static sp => CreateSqliteStore(sp));
        }

        services.TryAddSingleton<AuditTrail>();
    }

    internal static SqliteAuditStore CreateSqliteStore(IServiceProvider services) =>
        new SqliteAuditStore(services.GetRequiredService<IOptions<AuditOptions>>().Value.Sqlite, services.GetRequiredService<TimeProvider>());

    /// <summary>The binding errors and the DataAnnotations rules of <see cref="AuditOptions"/>, listed at once.</summary>
    private sealed class AuditOptionsValidation(ConfigurationErrors<AuditOptions> bindingErrors) : IValidateOptions<AuditOptions>
    {
        private readonly AuditOptionsValidator _annotations = new();

        public ValidateOptionsResult Validate(string? name, AuditOptions options)
        {
            var errors = new List<string>(bindingErrors.Errors);
            if (_annotations.Validate("TeamsConnector:Audit", options) is { Failed: true, Failures: { } failures })
            {
                errors.AddRange(failures);
            }

            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }
    }
}
