using Microsoft.Extensions.Options;

namespace Webex.TeamsConnector.ContactCenter;

/// <summary>The DataAnnotations rules of <see cref="ContactCenterOptions"/>, generated at compile time.</summary>
[OptionsValidator]
internal sealed partial class ContactCenterOptionsAnnotations : IValidateOptions<ContactCenterOptions>;

/// <summary>
/// Validates <see cref="ContactCenterOptions"/>: the configuration errors, the DataAnnotations rules and the rules
/// across fields; every problem at once, naming keys, never values of secrets.
/// </summary>
internal sealed class ContactCenterOptionsValidator(ConfigurationErrors<ContactCenterOptions> bindingErrors) : IValidateOptions<ContactCenterOptions>
{
    private const string Prefix = "TeamsConnector:ContactCenter:";

    private readonly ContactCenterOptionsAnnotations _annotations = new();

    public ValidateOptionsResult Validate(string? name, ContactCenterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>(bindingErrors.Errors);
        if (_annotations.Validate(name, options) is { Failed: true, Failures: { } failures })
        {
            errors.AddRange(failures);
        }

        CheckUrl(errors, nameof(options.BaseUrl), options.BaseUrl);
        CheckUrl(errors, nameof(options.TokenUrl), options.TokenUrl);
        CheckUrl(errors, nameof(options.WebexApiBaseUrl), options.WebexApiBaseUrl);

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
}
