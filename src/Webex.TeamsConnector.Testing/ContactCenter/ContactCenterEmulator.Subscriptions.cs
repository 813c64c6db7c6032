using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http;

namespace Webex.TeamsConnector.Testing;

/// <summary>Webhook subscriptions (<c>/v2/subscriptions</c>) and their signed deliveries.</summary>
public sealed partial class ContactCenterEmulator
{
    /// <summary>Webhook deliveries answered with a 2xx.</summary>
    public long WebhookDeliveries => Interlocked.Read(ref _webhookDeliveries);

    /// <summary>Webhook deliveries that failed (non-2xx or no answer) after retries.</summary>
    public long WebhookFailures => Interlocked.Read(ref _webhookFailures);

    /// <summary>The webhook subscriptions.</summary>
    public IReadOnlyList<EmulatedWebhookSubscription> Subscriptions
    {
        get
        {
            lock (_gate)
            {
                return [.. _subscriptions.Values.Select(static s => s.ToPublic())];
            }
        }
    }

    /// <summary>Registers a webhook subscription directly (as another integration or an earlier run would have).</summary>
    /// <param name="name">The name.</param>
    /// <param name="destinationUrl">Where deliveries go.</param>
    /// <param name="secret">The signing secret.</param>
    /// <param name="active">Whether deliveries are made.</param>
    /// <returns>The subscription id.</returns>
    public string AddSubscription(string name, Uri destinationUrl, string secret, bool active = true)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(destinationUrl);
        ArgumentException.ThrowIfNullOrWhiteSpace(secret);
        var record = new SubscriptionRecord(Guid.NewGuid().ToString(), name, destinationUrl, ["agent:state_change", "agent:login", "agent:logout"], secret, "agent:1.0.0") { Active = active };
        lock (_gate)
        {
            _subscriptions.Add(record.Id, record);
        }

        _ = DeliverAsync(record);
        Changed();
        return record.Id;
    }

    /// <summary>Deletes a webhook subscription, as an administrator (or WxCC) might behind the connector's back.</summary>
    /// <param name="subscriptionId">The subscription id.</param>
    /// <returns><see langword="true"/> when it existed.</returns>
    public bool DeleteSubscription(string subscriptionId)
    {
        ArgumentNullException.ThrowIfNull(subscriptionId);
        bool removed;
        lock (_gate)
        {
            removed = _subscriptions.Remove(subscriptionId, out var record);
            record?.Queue.Writer.TryComplete();
        }

        Changed();
        return removed;
    }

    /// <summary>Turns a webhook subscription's deliveries on or off (WxCC deactivates a subscription whose deliveries keep failing).</summary>
    /// <param name="subscriptionId">The subscription id.</param>
    /// <param name="active">Whether deliveries are made.</param>
    public void SetSubscriptionActive(string subscriptionId, bool active)
    {
        ArgumentNullException.ThrowIfNull(subscriptionId);
        lock (_gate)
        {
            if (!_subscriptions.TryGetValue(subscriptionId, out var record))
            {
                throw new ArgumentException($"Subscription {subscriptionId} does not exist.", nameof(subscriptionId));
            }

            record.Active = active;
        }

        Changed();
    }

    private async Task<(int, JsonNode?)> CreateSubscriptionAsync(HttpContext context, string? existingId)
    {
        JsonElement root;
        try
        {
            using var doc = await JsonDocument.ParseAsync(context.Request.Body, default, context.RequestAborted).ConfigureAwait(false);
            root = doc.RootElement.Clone();
        }
        catch (JsonException)
        {
            return (400, Error("body is not JSON"));
        }

        if (ContactCenterRequestBodyRules.Undocumented(root, existingId is null ? ContactCenterRequestBodyRules.SubscriptionCreate : ContactCenterRequestBodyRules.SubscriptionUpdate, "subscription " + (existingId is null ? "create" : "update")) is { } undocumented)
        {
            return (400, Error(undocumented));
        }

        var name = Text(root, "name");
        var destination = Text(root, "destinationUrl");
        var secret = Text(root, "secret");
        var version = Text(root, "resourceVersion") ?? "agent:1.0.0";
        var types = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("eventTypes", out var t) && t.ValueKind == JsonValueKind.Array
            ? t.EnumerateArray().Where(static e => e.ValueKind == JsonValueKind.String).Select(static e => e.GetString()!).ToArray()
            : null;
        if (existingId is null && (string.IsNullOrWhiteSpace(name) || name.Length > 128))
        {
            return (400, Error("name is required"));
        }

        if (types is not { Length: > 0 })
        {
            return (400, Error("eventTypes is required"));
        }

        if (!Uri.TryCreate(destination, UriKind.Absolute, out var url) || !string.IsNullOrEmpty(url.Query)
            || !(url.Scheme == Uri.UriSchemeHttps && url.Port == 443 || url.IsLoopback && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps)))
        {
            return (400, Error("destinationUrl must be https on port 443 without a query (the emulator also accepts loopback http)"));
        }

        if (secret is null || secret.Length is < 32 or > 256)
        {
            return (400, Error("secret must be 32 to 256 characters"));
        }

        SubscriptionRecord record;
        var start = false;
        lock (_gate)
        {
            if (existingId is not null)
            {
                if (!_subscriptions.TryGetValue(existingId, out record!))
                {
                    return (404, Error("no such subscription"));
                }

                record.DestinationUrl = url;
                record.EventTypes = types;
                record.Secret = secret;
                record.ResourceVersion = version;
                record.Active = !string.Equals(Text(root, "status"), "inactive", StringComparison.OrdinalIgnoreCase);
            }
            else
            {
                record = new SubscriptionRecord(Guid.NewGuid().ToString(), name!, url, types, secret, version);
                _subscriptions.Add(record.Id, record);
                start = true;
            }
        }

        if (start)
        {
            _ = DeliverAsync(record);
        }

        return (existingId is null ? 201 : 200, record.ToJson());
    }

    private void StopDeliveries()
    {
        _stopping.Cancel();
        lock (_gate)
        {
            foreach (var subscription in _subscriptions.Values)
            {
                subscription.Queue.Writer.TryComplete();
            }
        }
    }

    private async Task DeliverAsync(SubscriptionRecord subscription)
    {
        try
        {
            await foreach (var delivery in subscription.Queue.Reader.ReadAllAsync(_stopping.Token).ConfigureAwait(false))
            {
                var delivered = false;
                for (var attempt = 0; attempt < 3 && !delivered; attempt++)
                {
                    try
                    {
                        using var request = new HttpRequestMessage(HttpMethod.Post, subscription.DestinationUrl)
                        {
                            Content = new ByteArrayContent(delivery.Body),
                        };
                        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
                        request.Headers.TryAddWithoutValidation("X-WebexCC-Signature", delivery.Signature);
                        if (delivery.Timestamp is not null)
                        {
                            request.Headers.TryAddWithoutValidation("X-WebexCC-Timestamp", delivery.Timestamp);
                        }

                        using var response = await _deliveryClient.SendAsync(request, _stopping.Token).ConfigureAwait(false);
                        delivered = response.IsSuccessStatusCode;
                    }
                    catch (HttpRequestException)
                    {
                    }
                    catch (TaskCanceledException) when (!_stopping.IsCancellationRequested)
                    {
                    }
                }

                Interlocked.Increment(ref delivered ? ref _webhookDeliveries : ref _webhookFailures);
                Changed();
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
    }

    private sealed record Delivery(byte[] Body, string Signature, string? Timestamp);

    private sealed class SubscriptionRecord(string id, string name, Uri destinationUrl, string[] eventTypes, string secret, string resourceVersion)
    {
        public string Id { get; } = id;

        public string Name { get; set; } = name;

        public Uri DestinationUrl { get; set; } = destinationUrl;

        public string[] EventTypes { get; set; } = eventTypes;

        public string Secret { get; set; } = secret;

        public string ResourceVersion { get; set; } = resourceVersion;

        public bool Active { get; set; } = true;

        public Channel<Delivery> Queue { get; } = Channel.CreateUnbounded<Delivery>(new UnboundedChannelOptions { SingleReader = true });

        public EmulatedWebhookSubscription ToPublic() => new(Id, Name, DestinationUrl, EventTypes, ResourceVersion, Active);

        public JsonObject ToJson() => new()
        {
            ["id"] = Id,
            ["name"] = Name,
            ["destinationUrl"] = DestinationUrl.AbsoluteUri,
            ["eventTypes"] = new JsonArray([.. EventTypes.Select(static t => (JsonNode?)t)]),
            ["resourceVersion"] = ResourceVersion,
            ["status"] = Active ? "active" : "inactive",
        };
    }
}
