using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Webex.TeamsConnector;

/// <summary>Adds the Redis Streams audit store to the Teams connector (settings under <c>TeamsConnector:Audit:Redis</c>).</summary>
public static class RedisTeamsConnectorBuilderExtensions
{
    /// <summary>
    /// Records every sync decision into Redis Streams, one stream per org, shared by every node of a cluster. Uses the
    /// app's <see cref="IConnectionMultiplexer"/> when one is registered, else connects with
    /// <c>TeamsConnector:Audit:Redis:Configuration</c>. Calling it again is harmless.
    /// </summary>
    /// <param name="builder">The connector builder.</param>
    /// <returns>The builder.</returns>
    public static ITeamsConnectorBuilder AddRedisAuditStore(this ITeamsConnectorBuilder builder) =>
        AddRedisAuditStore(builder, static _ => { });

    /// <summary>Records every sync decision into Redis Streams, with the settings adjusted in code after binding.</summary>
    /// <param name="builder">The connector builder.</param>
    /// <param name="configure">Changes the settings after binding.</param>
    /// <returns>The builder.</returns>
    public static ITeamsConnectorBuilder AddRedisAuditStore(this ITeamsConnectorBuilder builder, Action<RedisAuditStoreOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var services = builder.Services;
        if (!services.Any(static d => d.ServiceType == typeof(RedisAuditMarker)))
        {
            services.AddSingleton<RedisAuditMarker>();
            var bindingErrors = new ConfigurationErrors<RedisAuditStoreOptions>();
            var options = services.AddOptions<RedisAuditStoreOptions>();
            if (builder.Configuration?.GetSection("Audit:Redis") is { } section)
            {
                options.Configure(o => ConfigurationBinding.Check<RedisAuditStoreOptions>(section, bindingErrors.Add).Bind(o));
            }

            options.ValidateOnStart();
            services.AddSingleton<IValidateOptions<RedisAuditStoreOptions>>(new Validation(bindingErrors));
        }

        services.Configure(configure);
        return builder.AddAuditStore(static sp => Create(sp));
    }

    private static RedisAuditStore Create(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<RedisAuditStoreOptions>>().Value;
        var time = services.GetRequiredService<TimeProvider>();
        if (services.GetService<IConnectionMultiplexer>() is { } shared)
        {
            return new RedisAuditStore(options, time, _ => Task.FromResult(shared), ownsConnection: false);
        }

        return new RedisAuditStore(options, time, async _ => await ConnectionMultiplexer.ConnectAsync(options.Configuration!).ConfigureAwait(false), ownsConnection: true);
    }

    private sealed class RedisAuditMarker;

    /// <summary>The binding errors, the DataAnnotations rules, and a connection to use.</summary>
    private sealed class Validation(ConfigurationErrors<RedisAuditStoreOptions> bindingErrors) : IValidateOptions<RedisAuditStoreOptions>
    {
        private readonly RedisAuditStoreOptionsValidator _annotations = new();

        public ValidateOptionsResult Validate(string? name, RedisAuditStoreOptions options)
        {
            var errors = new List<string>(bindingErrors.Errors);
            if (_annotations.Validate("TeamsConnector:Audit:Redis", options) is { Failed: true, Failures: { } failures })
            {
                errors.AddRange(failures);
            }

            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }
    }
}
