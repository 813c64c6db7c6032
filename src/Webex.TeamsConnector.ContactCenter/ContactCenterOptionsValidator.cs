using Microsoft.Extensions.Options;

namespace Webex.TeamsConnector.ContactCenter;

/// <summary>Validates <see cref="ContactCenterOptions"/>: every problem at once, naming keys, never values of secrets.</summary>
internal sealed class ContactCenterOptionsValidator(ConfigurationErrors<ContactCenterOptions> bindingErrors) : IValidateOptions<ContactCenterOptions>
{
    private const string Prefix = "TeamsConnector:ContactCenter:";

    public ValidateOptionsResult Validate(string? name, ContactCenterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>(bindingErrors.Errors);
        CheckUrl(errors, nameof(options.BaseUrl), options.BaseUrl);
        CheckUrl(errors, nameof(options.TokenUrl), options.TokenUrl);
        CheckUrl(errors, nameof(options.WebexApiBaseUrl), options.WebexApiBaseUrl);
        Required(errors, nameof(options.OrgId), options.OrgId);
        Required(errors, nameof(options.ClientId), options.ClientId);
        Required(errors, nameof(options.ClientSecret), options.ClientSecret);
        Required(errors, nameof(options.RefreshToken), options.RefreshToken);
        if (options.RequestsPerMinute is < 1 or > 100_000)
        {
            errors.Add($"{Prefix}RequestsPerMinute must be between 1 and 100000 (WxCC allows 300 per client id).");
        }

        if (!Enum.IsDefined(options.EventSource))
        {
            errors.Add($"{Prefix}EventSource must be Webhook or WebSocket.");
        }

        if (options.EventSource == ContactCenterEventSource.Webhook)
        {
            if (string.IsNullOrWhiteSpace(options.WebhookSecret))
            {
                errors.Add($"{Prefix}WebhookSecret is required when EventSource is Webhook.");
            }
            else if (options.WebhookSecret.Length is < 32 or > 256)
            {
                errors.Add($"{Prefix}WebhookSecret must be 32 to 256 characters long (it is {options.WebhookSecret.Length}).");
            }

            if (options.WebhookUrl is { } hook)
            {
                if (!hook.IsAbsoluteUri || !IsHttps(hook) && !(hook.Scheme == Uri.UriSchemeHttp && hook.IsLoopback))
                {
                    errors.Add($"{Prefix}WebhookUrl must be an absolute https URL (plain http only on loopback).");
                }
                else
                {
                    if (IsHttps(hook) && !hook.IsLoopback && hook.Port != 443)
                    {
                        errors.Add($"{Prefix}WebhookUrl must use port 443 (WxCC delivers webhooks only to https on 443; it is {hook.Port}).");
                    }

                    if (!string.IsNullOrEmpty(hook.Query))
                    {
                        errors.Add($"{Prefix}WebhookUrl must not have a query string (WxCC refuses it).");
                    }
                }
            }

            if (string.IsNullOrWhiteSpace(options.WebhookName) || options.WebhookName.Length > 128)
            {
                errors.Add($"{Prefix}WebhookName must be 1 to 128 characters long.");
            }
        }

        Positive(errors, nameof(options.WebhookReplayWindow), options.WebhookReplayWindow);
        Positive(errors, nameof(options.ReconciliationInterval), options.ReconciliationInterval);
        Positive(errors, nameof(options.ProfileRefreshInterval), options.ProfileRefreshInterval);
        Positive(errors, nameof(options.RequestTimeout), options.RequestTimeout);
        if (options.ReconciliationWindow <= TimeSpan.Zero || options.ReconciliationWindow >= TimeSpan.FromHours(24))
        {
            errors.Add($"{Prefix}ReconciliationWindow must be positive and under 24 hours (WxCC's limit for agent activities).");
        }

        if (options.MaxWebhookBodyBytes is < 1024 or > 16 * 1024 * 1024)
        {
            errors.Add($"{Prefix}MaxWebhookBodyBytes must be between 1024 and 16777216.");
        }

        if (options.MaxWriteAttempts is < 1 or > 100)
        {
            errors.Add($"{Prefix}MaxWriteAttempts must be between 1 and 100.");
        }

        if (options.MaxConcurrentWrites is < 1 or > 256)
        {
            errors.Add($"{Prefix}MaxConcurrentWrites must be between 1 and 256.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static bool IsHttps(Uri uri) => uri.Scheme == Uri.UriSchemeHttps;

    private static void CheckUrl(List<string> errors, string key, Uri? url)
    {
        if (url is null || !url.IsAbsoluteUri)
        {
            errors.Add($"{Prefix}{key} must be an absolute URL.");
        }
        else if (!IsHttps(url) && !(url.Scheme == Uri.UriSchemeHttp && url.IsLoopback))
        {
            errors.Add($"{Prefix}{key} must use https (plain http only on loopback, for the emulator).");
        }
    }

    private static void Required(List<string> errors, string key, string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            errors.Add($"{Prefix}{key} is required.");
        }
    }

    private static void Positive(List<string> errors, string key, TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            errors.Add($"{Prefix}{key} must be positive.");
        }
    }
}
