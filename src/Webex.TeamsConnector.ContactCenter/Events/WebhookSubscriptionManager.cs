using System.Globalization;
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

    private const int ListPageSize = 100;
    private const int MaxListPages = 1000;

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
        var existing = await FindExistingAsync(collection, options, destination, cancellationToken).ConfigureAwait(false);

        if (existing is not null)
        {
            var patch = await _api.SendAsync(HttpMethod.Patch, new Uri(collection.AbsoluteUri + "/" + Uri.EscapeDataString(existing)), Body(options, destination, create: false), retry: true, leaseHeld: false, cancellationToken).ConfigureAwait(false);
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

        var created = await _api.SendAsync(HttpMethod.Post, collection, Body(options, destination, create: true), retry: true, leaseHeld: false, cancellationToken).ConfigureAwait(false);
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

    /// <summary>
    /// Deletes every subscription with the connector's name or destination (when the connector is deleted); 404 counts
    /// as deleted. Stops after a bounded number of rounds so that a server that never forgets cannot hold it.
    /// </summary>
    /// <returns>How many were deleted.</returns>
    public async Task<int> RemoveAllAsync(CancellationToken cancellationToken)
    {
        var options = _api.Options;
        var collection = new Uri(ContactCenterDirectory.WithSlash(options.BaseUrl), "v2/subscriptions");
        var removed = 0;
        for (var round = 0; round < 100; round++)
        {
            var existing = await FindExistingAsync(collection, options, options.WebhookUrl, cancellationToken).ConfigureAwait(false);
            if (existing is null)
            {
                return removed;
            }

            var deleted = await _api.SendAsync(HttpMethod.Delete, new Uri(collection.AbsoluteUri + "/" + Uri.EscapeDataString(existing)), null, retry: true, leaseHeld: false, cancellationToken).ConfigureAwait(false);
            if (!deleted.IsSuccess && deleted.Status != System.Net.HttpStatusCode.NotFound)
            {
                throw new ContactCenterException($"DELETE {collection.AbsolutePath}/{{id}} failed ({deleted.Describe()}).", deleted.Status, deleted.TrackingId);
            }

            removed++;
        }

        throw new ContactCenterException("The connector's webhook subscriptions are still listed after 100 deletions.", null, null);
    }

    /// <summary>
    /// Whether the subscription still exists and is active (<c>GET /v2/subscriptions/{id}</c>); WxCC may deactivate a
    /// subscription whose deliveries fail, and an administrator may delete it.
    /// </summary>
    /// <returns>The status WxCC reports (<c>active</c>, <c>inactive</c>, ...), or <see langword="null"/> when it is gone.</returns>
    public async Task<string?> GetStatusAsync(string subscriptionId, CancellationToken cancellationToken)
    {
        var uri = new Uri(ContactCenterDirectory.WithSlash(_api.Options.BaseUrl), "v2/subscriptions/" + Uri.EscapeDataString(subscriptionId));
        var response = await _api.GetAsync(uri, allowNotFound: true, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccess)
        {
            return null;
        }

        using var doc = Parse(response);
        // A subscription without a status field is taken as active rather than re-created over and over.
        return ContactCenterDirectory.Str(doc.RootElement, "status") ?? "active";
    }

    /// <summary>
    /// Looks through every page of <c>GET /v2/subscriptions</c> for one with the connector's name or destination.
    /// Pages are followed by <c>page</c>/<c>pageSize</c> while <c>meta.totalPages</c> says there are more (or, without
    /// it, while a page comes back full); a page with nothing new ends the walk, so a server that ignores paging is
    /// read once.
    /// </summary>
    private async Task<string?> FindExistingAsync(Uri collection, ContactCenterOptions options, Uri? destination, CancellationToken cancellationToken)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var page = 0; page < MaxListPages; page++)
        {
            var uri = new Uri(collection.AbsoluteUri + string.Create(CultureInfo.InvariantCulture, $"?page={page}&pageSize={ListPageSize}"));
            var list = await _api.GetAsync(uri, allowNotFound: false, cancellationToken).ConfigureAwait(false);
            using var doc = Parse(list);
            var items = Items(doc.RootElement);
            var fresh = 0;
            foreach (var item in items)
            {
                var id = ContactCenterDirectory.Str(item, "id");
                if (id is null || !seen.Add(id))
                {
                    continue;
                }

                fresh++;
                var name = ContactCenterDirectory.Str(item, "name");
                var url = ContactCenterDirectory.Str(item, "destinationUrl");
                if (string.Equals(name, options.WebhookName, StringComparison.Ordinal)
                    || destination is not null && Uri.TryCreate(url, UriKind.Absolute, out var u) && u == destination)
                {
                    return id;
                }
            }

            var root = doc.RootElement;
            int? totalPages = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("meta", out var meta) && meta.ValueKind == JsonValueKind.Object
                && meta.TryGetProperty("totalPages", out var tp) && tp.TryGetInt32(out var pages)
                ? pages
                : null;
            var more = totalPages is { } total ? page + 1 < total : items.Length >= ListPageSize;
            if (fresh == 0 || !more)
            {
                return null;
            }
        }

        return null;
    }

    /// <summary>
    /// The documented fields only: a create (<c>SubscriptionRequestEnhanced</c>) has name, description, eventTypes,
    /// destinationUrl, secret, orgId and resourceVersion, and no status; an update has no name (a subscription's name
    /// cannot be changed) and sets status to active again (WxCC may have deactivated a failing subscription).
    /// </summary>
    private static byte[] Body(ContactCenterOptions options, Uri destination, bool create)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            if (create)
            {
                json.WriteString("name", options.WebhookName);
            }

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
            if (create)
            {
                json.WriteString("orgId", options.OrgId);
            }
            else
            {
                json.WriteString("status", "active");
            }

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
