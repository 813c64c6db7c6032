using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Webex.TeamsConnector.ContactCenter;

/// <summary>
/// Creates or reuses the connector's webhook subscription (<c>/v2/subscriptions</c>): an existing one with the same name
/// or destination is updated (secret, destination, event types, active); otherwise one is created.
/// </summary>
internal sealed class WebhookSubscriptionManager
{
    internal static readonly string[] EventTypes = ["agent:state_change", "agent:login", "agent:logout"];

    private readonly WxccApiClient _api;
    private readonly ILogger _logger;

    public WebhookSubscriptionManager(WxccApiClient api, ILogger<WebhookSubscriptionManager> logger)
    {
        _api = api;
        _logger = logger;
    }

    /// <summary>Ensures the subscription exists and is active; returns its id.</summary>
    public async Task<string> EnsureAsync(CancellationToken cancellationToken)
    {
        var options = _api.Options;
        var destination = options.WebhookUrl ?? throw new InvalidOperationException("TeamsConnector:ContactCenter:WebhookUrl is not set.");
        var collection = new Uri(ContactCenterDirectory.WithSlash(options.BaseUrl), "v2/subscriptions");
        var list = await _api.GetAsync(collection, allowNotFound: false, cancellationToken).ConfigureAwait(false);
        string? existing = null;
        using (var doc = Parse(list))
        {
            foreach (var item in Items(doc.RootElement))
            {
                var name = ContactCenterDirectory.Str(item, "name");
                var url = ContactCenterDirectory.Str(item, "destinationUrl");
                if (string.Equals(name, options.WebhookName, StringComparison.Ordinal)
                    || Uri.TryCreate(url, UriKind.Absolute, out var u) && u == destination)
                {
                    existing = ContactCenterDirectory.Str(item, "id");
                    if (existing is not null)
                    {
                        break;
                    }
                }
            }
        }

        var body = Body(options, destination);
        if (existing is not null)
        {
            var patch = await _api.SendAsync(HttpMethod.Patch, new Uri(collection.AbsoluteUri + "/" + Uri.EscapeDataString(existing)), body, retry: true, leaseHeld: false, cancellationToken).ConfigureAwait(false);
            if (patch.IsSuccess)
            {
                Log.SubscriptionReused(_logger, existing);
                return existing;
            }

            if (patch.Status != System.Net.HttpStatusCode.NotFound)
            {
                throw new ContactCenterException($"PATCH {collection.AbsolutePath}/{{id}} failed ({patch.Describe()}).", patch.Status, patch.TrackingId);
            }
        }

        var created = await _api.SendAsync(HttpMethod.Post, collection, body, retry: true, leaseHeld: false, cancellationToken).ConfigureAwait(false);
        if (!created.IsSuccess)
        {
            throw new ContactCenterException($"POST {collection.AbsolutePath} failed ({created.Describe()}).", created.Status, created.TrackingId);
        }

        using var result = Parse(created);
        var id = ContactCenterDirectory.Str(result.RootElement, "id")
            ?? throw new ContactCenterException("The created subscription has no id.", created.Status, created.TrackingId);
        Log.SubscriptionCreated(_logger, id);
        return id;
    }

    private static byte[] Body(ContactCenterOptions options, Uri destination)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            json.WriteString("name", options.WebhookName);
            json.WriteString("description", "Webex.TeamsConnector agent events");
            json.WriteStartArray("eventTypes");
            foreach (var type in EventTypes)
            {
                json.WriteStringValue(type);
            }

            json.WriteEndArray();
            json.WriteString("destinationUrl", destination.AbsoluteUri);
            json.WriteString("secret", options.WebhookSecret);
            json.WriteString("resourceVersion", "agent:1.0.0");
            json.WriteString("status", "active");
            json.WriteEndObject();
        }

        return stream.ToArray();
    }

    private static JsonDocument Parse(WxccResponse response)
    {
        try
        {
            return JsonDocument.Parse(response.Body.Length == 0 ? "{}"u8.ToArray() : response.Body);
        }
        catch (JsonException)
        {
            throw new ContactCenterException("The subscriptions response is not JSON.", response.Status, response.TrackingId);
        }
    }

    private static JsonElement[] Items(JsonElement root)
    {
        if (root.ValueKind == JsonValueKind.Array)
        {
            return [.. root.EnumerateArray()];
        }

        foreach (var name in (string[])["items", "data", "subscriptions"])
        {
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var array) && array.ValueKind == JsonValueKind.Array)
            {
                return [.. array.EnumerateArray()];
            }
        }

        return [];
    }
}
