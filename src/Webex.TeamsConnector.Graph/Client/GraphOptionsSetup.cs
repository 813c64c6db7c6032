using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Webex.TeamsConnector.Graph;

/// <summary>
/// Binds <see cref="GraphOptions"/> from <c>TeamsConnector:Graph</c> after <see cref="ConfigurationBinding.Check{T}"/>
/// has found the unknown keys and the values that cannot be converted; those errors are kept and reported by
/// <see cref="GraphOptionsValidator"/> together with every other error.
/// </summary>
internal sealed class GraphOptionsSetup(IConfiguration? section, ConfigurationErrors<GraphOptions> errors) : IConfigureOptions<GraphOptions>
{
    public void Configure(GraphOptions options)
    {
        if (section is null)
        {
            return;
        }

        // PollInterval is a TimeSpan or the word Auto, which no binder converts: it is checked and set here.
        var checkedSection = ConfigurationBinding.Check<GraphOptions>(section, errors.Add, nameof(GraphOptions.PollInterval));
        var pollInterval = section[nameof(GraphOptions.PollInterval)];
        if (pollInterval is null)
        {
            checkedSection.Bind(options);
            return;
        }

        var rest = checkedSection.AsEnumerable(makePathsRelative: true)
            .Where(static p => p.Value is not null && !p.Key.Equals(nameof(GraphOptions.PollInterval), StringComparison.OrdinalIgnoreCase));
        new ConfigurationBuilder().AddInMemoryCollection(rest).Build().Bind(options);
        if (string.Equals(pollInterval.Trim(), "Auto", StringComparison.OrdinalIgnoreCase))
        {
            options.PollInterval = null;
        }
        else if (TimeSpan.TryParse(pollInterval, System.Globalization.CultureInfo.InvariantCulture, out var fixedInterval))
        {
            options.PollInterval = fixedInterval;
        }
        else
        {
            var path = section is IConfigurationSection { Path.Length: > 0 } s ? s.Path + ":" : string.Empty;
            errors.Add($"{path}{nameof(GraphOptions.PollInterval)} is not a valid TimeSpan (for example 00:00:30) or Auto.");
        }
    }
}

/// <summary>The DataAnnotations rules of <see cref="GraphOptions"/>, generated at compile time.</summary>
[OptionsValidator]
internal sealed partial class GraphOptionsAnnotations : IValidateOptions<GraphOptions>;

/// <summary>
/// Validates <see cref="GraphOptions"/>: the configuration errors, the DataAnnotations rules and the rules across
/// fields, listing every error at once and never a secret value.
/// </summary>
internal sealed class GraphOptionsValidator(ConfigurationErrors<GraphOptions> bindingErrors, CredentialRegistration credentials) : IValidateOptions<GraphOptions>
{
    private const string Prefix = "TeamsConnector:Graph:";

    private readonly GraphOptionsAnnotations _annotations = new();

    public ValidateOptionsResult Validate(string? name, GraphOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>(bindingErrors.Errors);
        if (_annotations.Validate(name, options) is { Failed: true, Failures: { } failures })
        {
            errors.AddRange(failures);
        }

        if (options.BaseUrl is not { IsAbsoluteUri: true } baseUrl || (baseUrl.Scheme != Uri.UriSchemeHttps && !(baseUrl.Scheme == Uri.UriSchemeHttp && baseUrl.IsLoopback)))
        {
            errors.Add($"{Prefix}BaseUrl must be an absolute https URL (http only on loopback).");
        }

        if (!Guid.TryParse(options.ClientId, out _))
        {
            errors.Add($"{Prefix}ClientId is required and must be the application (client) id, a GUID.");
        }

        if (string.IsNullOrWhiteSpace(options.TenantId) || options.TenantId.Length > 256 || options.TenantId.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '.')))
        {
            errors.Add($"{Prefix}TenantId is required: the tenant id (a GUID) or its domain.");
        }

        if (!string.IsNullOrEmpty(options.ClientSecret) && !string.IsNullOrEmpty(options.CertificatePath))
        {
            errors.Add($"{Prefix}ClientSecret and {Prefix}CertificatePath are exclusive: set one.");
        }

        var loopback = options.BaseUrl is { IsAbsoluteUri: true, IsLoopback: true };
        if (!loopback && !credentials.HasTokenCredential && string.IsNullOrEmpty(options.ClientSecret) && string.IsNullOrEmpty(options.CertificatePath))
        {
            errors.Add($"{Prefix}ClientSecret or {Prefix}CertificatePath is required (or register a TokenCredential in the services).");
        }

        if (!string.IsNullOrEmpty(options.CertificatePath) && !File.Exists(options.CertificatePath))
        {
            errors.Add($"{Prefix}CertificatePath names a file that does not exist.");
        }

        if (options.SubscriptionRenewalMargin <= TimeSpan.Zero || options.SubscriptionRenewalMargin >= options.SubscriptionLifetime)
        {
            errors.Add($"{Prefix}SubscriptionRenewalMargin must be positive and shorter than SubscriptionLifetime.");
        }

        if (options.PresenceSource == GraphPresenceSource.ChangeNotifications)
        {
            if (!IsWebhookUrl(options.NotificationUrl))
            {
                errors.Add($"{Prefix}NotificationUrl is required with change notifications: an absolute https URL (http only on loopback).");
            }

            if (!loopback && !credentials.HasSubscriptionCredential)
            {
                errors.Add(GraphCredentials.MissingMessage);
            }

            if (!string.IsNullOrWhiteSpace(options.TenantId) && !Guid.TryParse(options.TenantId, out _))
            {
                errors.Add($"{Prefix}TenantId must be the tenant's GUID with change notifications (they carry it and are checked against it).");
            }

            if (options.LifecycleNotificationUrl is not null && !IsWebhookUrl(options.LifecycleNotificationUrl))
            {
                errors.Add($"{Prefix}LifecycleNotificationUrl must be an absolute https URL (http only on loopback).");
            }
        }

        if (!string.IsNullOrEmpty(options.EncryptionCertificatePath))
        {
            if (options.GetEncryptionCertificate() is not null)
            {
                errors.Add($"{Prefix}EncryptionCertificatePath and an EncryptionCertificate given in code are exclusive.");
            }
            else if (!File.Exists(options.EncryptionCertificatePath))
            {
                errors.Add($"{Prefix}EncryptionCertificatePath names a file that does not exist.");
            }
        }
        else if (options.GetEncryptionCertificate() is { } certificate)
        {
            using var key = certificate.GetRSAPrivateKey();
            if (key is null)
            {
                errors.Add($"{Prefix}EncryptionCertificate must hold an RSA private key.");
            }
        }

        foreach (var (email, id) in options.UserIdOverrides)
        {
            if (!Guid.TryParse(id, out _))
            {
                errors.Add($"{Prefix}UserIdOverrides:{ConfigurationBinding.Quote(email)} must be a user object id (a GUID).");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    internal static bool IsWebhookUrl(Uri? url) =>
        url is { IsAbsoluteUri: true } && (url.Scheme == Uri.UriSchemeHttps || (url.Scheme == Uri.UriSchemeHttp && (url.IsLoopback || IPAddress.TryParse(url.Host, out var ip) && IPAddress.IsLoopback(ip))));
}

/// <summary>
/// Whether the application's <c>TokenCredential</c> and the service account's (keyed
/// <see cref="GraphCredentials.Subscriptions"/>) were registered in the services.
/// </summary>
internal sealed record CredentialRegistration(bool HasTokenCredential, bool HasSubscriptionCredential);

/// <summary>Graph's documented limits.</summary>
internal static class PresenceLimits
{
    public const int MaxIdsPerRequest = 650;

    public static readonly TimeSpan MaxSubscriptionLifetime = TimeSpan.FromMinutes(60);

    public static readonly TimeSpan MinPublishExpiration = TimeSpan.FromMinutes(5);

    public static readonly TimeSpan MaxPublishExpiration = TimeSpan.FromHours(4);

    /// <summary>Makes a random clientState: 32 bytes, base64url.</summary>
    public static string NewClientState() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
