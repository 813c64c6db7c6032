using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Webex.TeamsConnector.Testing;

/// <summary>The change-notification subscription endpoints: create (with the validation handshake), read, renew.</summary>
public sealed partial class GraphEmulator
{
    private async Task<int> CreateSubscriptionAsync(HttpContext context)
    {
        using var document = await ReadJsonAsync(context).ConfigureAwait(false);
        if (document is null || document.RootElement.ValueKind != JsonValueKind.Object)
        {
            await WriteErrorAsync(context, 400, "InvalidRequest", "The request body is not a subscription.").ConfigureAwait(false);
            return 400;
        }

        var root = document.RootElement;
        var (subscription, error) = ParseSubscription(root);
        if (subscription is null)
        {
            await WriteErrorAsync(context, 400, "InvalidRequest", error!).ConfigureAwait(false);
            return 400;
        }

        foreach (var url in new[] { subscription.NotificationUrl, subscription.LifecycleNotificationUrl })
        {
            if (url is not null && await _dispatcher.ValidateAsync(url, context.RequestAborted).ConfigureAwait(false) is { } failure)
            {
                await WriteErrorAsync(context, 400, "ValidationError", "Subscription validation request failed: " + failure + ".").ConfigureAwait(false);
                return 400;
            }
        }

        _tenant.AddSubscription(subscription);
        await WriteJsonAsync(context, 201, w => WriteSubscription(w, subscription)).ConfigureAwait(false);
        return 201;
    }

    private (EmulatedTenant.SubscriptionRecord? Subscription, string? Error) ParseSubscription(JsonElement root)
    {
        var changeType = GetString(root, "changeType");
        var resource = GetString(root, "resource");
        var notificationUrl = GetString(root, "notificationUrl");
        var lifecycleUrl = GetString(root, "lifecycleNotificationUrl");
        var clientState = GetString(root, "clientState");
        var expiration = GetString(root, "expirationDateTime");
        var includeResourceData = root.TryGetProperty("includeResourceData", out var include) && include.ValueKind == JsonValueKind.True;
        if (!string.Equals(changeType, "updated", StringComparison.Ordinal))
        {
            return (null, "changeType must be 'updated' for presence.");
        }

        if (!TryUrl(notificationUrl, out var notify) || (lifecycleUrl is not null && !TryUrl(lifecycleUrl, out _)))
        {
            return (null, "notificationUrl and lifecycleNotificationUrl must be https URLs (http only on loopback).");
        }

        if (clientState is { Length: > 128 })
        {
            return (null, "clientState must be at most 128 characters.");
        }

        if (!DateTimeOffset.TryParse(expiration, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var expiresAt))
        {
            return (null, "expirationDateTime is required.");
        }

        var now = _tenant.Now;
        if (expiresAt <= now || expiresAt > now + _options.MaxSubscriptionLifetime + TimeSpan.FromSeconds(1))
        {
            return (null, $"Subscription expiration can only be {_options.MaxSubscriptionLifetime.TotalMinutes:0} minutes in the future and not in the past.");
        }

        if (!TryParseResource(resource, out var ids, out var resourceError))
        {
            return (null, resourceError);
        }

        X509Certificate2? certificate = null;
        var certificateId = GetString(root, "encryptionCertificateId");
        if (includeResourceData)
        {
            try
            {
                certificate = X509CertificateLoader.LoadCertificate(Convert.FromBase64String(GetString(root, "encryptionCertificate") ?? string.Empty));
            }
            catch (Exception ex) when (ex is FormatException or System.Security.Cryptography.CryptographicException)
            {
                return (null, "includeResourceData requires a valid base64 encryptionCertificate.");
            }

            if (string.IsNullOrEmpty(certificateId))
            {
                return (null, "includeResourceData requires encryptionCertificateId.");
            }
        }

        var id = string.Create(CultureInfo.InvariantCulture, $"{Interlocked.Increment(ref _nextSubscription):x8}-2b1c-4e6f-8a9d-{Random.Shared.NextInt64(0, 0xFFFFFFFFFFFF):x12}");
        return (new EmulatedTenant.SubscriptionRecord(id, ids, notify!, lifecycleUrl is null ? null : new Uri(lifecycleUrl), clientState)
        {
            Resource = resource!,
            ExpiresAt = expiresAt,
            IncludeResourceData = includeResourceData,
            Certificate = certificate,
            CertificateId = certificateId,
        }, null);
    }

    private static bool TryUrl(string? text, out Uri? url)
    {
        url = null;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var parsed))
        {
            return false;
        }

        var ok = parsed.Scheme == Uri.UriSchemeHttps || (parsed.Scheme == Uri.UriSchemeHttp && parsed.IsLoopback);
        url = ok ? parsed : null;
        return ok;
    }

    private bool TryParseResource(string? resource, out HashSet<string> ids, out string? error)
    {
        ids = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        error = null;
        const string Single = "/communications/presences/";
        const string Filtered = "/communications/presences?$filter=";
        if (resource is null)
        {
            error = "resource is required.";
            return false;
        }

        var text = resource.StartsWith('/') ? resource : "/" + resource;
        if (text.StartsWith(Single, StringComparison.OrdinalIgnoreCase))
        {
            ids.Add(text[Single.Length..]);
        }
        else if (text.StartsWith(Filtered, StringComparison.OrdinalIgnoreCase))
        {
            var filter = Uri.UnescapeDataString(text[Filtered.Length..]);
            var open = filter.IndexOf('(', StringComparison.Ordinal);
            if (!filter.TrimStart().StartsWith("id in", StringComparison.OrdinalIgnoreCase) || open < 0 || !filter.TrimEnd().EndsWith(')'))
            {
                error = "The presence resource filter must be id in ('...').";
                return false;
            }

            foreach (var part in filter[(open + 1)..filter.LastIndexOf(')')].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                ids.Add(part.Trim('\''));
            }
        }
        else
        {
            error = $"Resource '{resource}' is not supported by the emulator.";
            return false;
        }

        if (ids.Count == 0 || ids.Count > _options.MaxIdsPerRequest)
        {
            error = $"A presence subscription holds 1 to {_options.MaxIdsPerRequest} ids; found {ids.Count}.";
            return false;
        }

        foreach (var id in ids)
        {
            if (!Guid.TryParse(id, out _))
            {
                error = $"'{id}' is not a valid user id.";
                return false;
            }
        }

        return true;
    }

    private async Task<int> GetSubscriptionsAsync(HttpContext context, string? id)
    {
        if (id is not null)
        {
            if (_tenant.FindSubscription(id) is not { } one)
            {
                await WriteErrorAsync(context, 404, "ResourceNotFound", "The subscription does not exist.").ConfigureAwait(false);
                return 404;
            }

            await WriteJsonAsync(context, 200, w => WriteSubscription(w, one)).ConfigureAwait(false);
            return 200;
        }

        var all = _tenant.Subscriptions();
        await WriteJsonAsync(context, 200, w =>
        {
            w.WriteStartArray("value");
            foreach (var subscription in all)
            {
                w.WriteStartObject();
                WriteSubscription(w, subscription);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }).ConfigureAwait(false);
        return 200;
    }

    private async Task<int> RenewSubscriptionAsync(HttpContext context, string id)
    {
        using var document = await ReadJsonAsync(context).ConfigureAwait(false);
        var expiration = GetString(document?.RootElement ?? default, "expirationDateTime");
        if (!DateTimeOffset.TryParse(expiration, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var expiresAt))
        {
            await WriteErrorAsync(context, 400, "InvalidRequest", "expirationDateTime is required.").ConfigureAwait(false);
            return 400;
        }

        var now = _tenant.Now;
        if (expiresAt <= now || expiresAt > now + _options.MaxSubscriptionLifetime + TimeSpan.FromSeconds(1))
        {
            await WriteErrorAsync(context, 400, "InvalidRequest", $"Subscription expiration can only be {_options.MaxSubscriptionLifetime.TotalMinutes:0} minutes in the future and not in the past.").ConfigureAwait(false);
            return 400;
        }

        EmulatedTenant.SubscriptionRecord? renewed = null;
        if (!_tenant.UpdateSubscription(id, s =>
        {
            s.ExpiresAt = expiresAt;
            renewed = s;
        }))
        {
            await WriteErrorAsync(context, 404, "ResourceNotFound", "The subscription does not exist.").ConfigureAwait(false);
            return 404;
        }

        await WriteJsonAsync(context, 200, w => WriteSubscription(w, renewed!)).ConfigureAwait(false);
        return 200;
    }

    private void WriteSubscription(Utf8JsonWriter w, EmulatedTenant.SubscriptionRecord subscription)
    {
        w.WriteString("@odata.context", BaseUrl + "/$metadata#subscriptions/$entity");
        w.WriteString("id", subscription.Id);
        w.WriteString("resource", subscription.Resource);
        w.WriteString("changeType", "updated");
        w.WriteString("notificationUrl", subscription.NotificationUrl.ToString());
        if (subscription.LifecycleNotificationUrl is { } lifecycle)
        {
            w.WriteString("lifecycleNotificationUrl", lifecycle.ToString());
        }

        w.WriteString("expirationDateTime", subscription.ExpiresAt);
        w.WriteBoolean("includeResourceData", subscription.IncludeResourceData);
        w.WriteNull("clientState");
        w.WriteString("encryptionCertificateId", subscription.CertificateId);
    }
}
