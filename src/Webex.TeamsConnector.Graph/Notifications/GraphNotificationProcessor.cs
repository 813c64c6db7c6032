using System.Buffers;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Webex.TeamsConnector.Graph;

/// <summary>
/// The transport-agnostic webhook of Graph change notifications. The handshake echoes the token as text/plain.
/// Each notification must carry the secret clientState (compared in constant time), a subscription id the
/// connector created and the configured tenant; anything else is rejected, logged and counted. Accepted work
/// goes to <see cref="NotificationInbox"/> and the request is answered 202 at once; a full inbox answers 503 so
/// that Graph delivers again.
/// </summary>
internal sealed class GraphNotificationProcessor : IGraphNotificationProcessor
{
    private const int MaxValidationTokenLength = 4096;
    private static readonly GraphNotificationResponse s_accepted = new(202, null, null);

    private readonly SubscriptionRegistry _registry;
    private readonly NotificationInbox _inbox;
    private readonly GraphMetrics _metrics;
    private readonly ILogger _logger;
    private readonly string? _tenantId;
    private readonly int _maxBody;

    public GraphNotificationProcessor(SubscriptionRegistry registry, NotificationInbox inbox, IOptions<GraphOptions> options, GraphMetrics metrics, ILogger<GraphNotificationProcessor> logger)
    {
        _registry = registry;
        _inbox = inbox;
        _metrics = metrics;
        _logger = logger;
        _tenantId = options.Value.TenantId;
        _maxBody = options.Value.MaxNotificationBodyBytes;
    }

    public GraphNotificationResponse Process(string? validationToken, ReadOnlySpan<byte> body)
    {
        if (validationToken is not null)
        {
            return Handshake(validationToken);
        }

        if (body.Length > _maxBody)
        {
            return Refuse(413, "the body is larger than MaxNotificationBodyBytes");
        }

        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(body.Length, 1));
        try
        {
            body.CopyTo(buffer);
            return ProcessBody(buffer.AsMemory(0, body.Length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public async ValueTask<GraphNotificationResponse> ProcessAsync(string? validationToken, Stream body, CancellationToken cancellationToken)
    {
        if (validationToken is not null)
        {
            return Handshake(validationToken);
        }

        ArgumentNullException.ThrowIfNull(body);
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Min(_maxBody + 1, 64 * 1024));
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (length > _maxBody)
                    {
                        return Refuse(413, "the body is larger than MaxNotificationBodyBytes");
                    }

                    var bigger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, _maxBody + 1));
                    buffer.AsSpan(0, length).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }

                var read = await body.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                length += read;
            }

            return length > _maxBody ? Refuse(413, "the body is larger than MaxNotificationBodyBytes") : ProcessBody(buffer.AsMemory(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static string? GetString(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>The user id from <c>resourceData.id</c> or the resource path.</summary>
    private static string? UserIdOf(JsonElement item)
    {
        if (item.TryGetProperty("resourceData", out var data) && data.ValueKind == JsonValueKind.Object && GetString(data, "id") is { } id)
        {
            return Guid.TryParseExact(id, "D", out _) ? id : null;
        }

        var resource = GetString(item, "resource")?.Trim('/');
        if (resource is null)
        {
            return null;
        }

        string? candidate = null;
        const string Presences = "communications/presences/";
        if (resource.StartsWith(Presences, StringComparison.OrdinalIgnoreCase))
        {
            candidate = resource[Presences.Length..];
        }
        else if (resource.StartsWith("users/", StringComparison.OrdinalIgnoreCase) && resource.EndsWith("/presence", StringComparison.OrdinalIgnoreCase))
        {
            candidate = resource["users/".Length..^"/presence".Length];
        }

        return Guid.TryParseExact(candidate, "D", out _) ? candidate : null;
    }

    private GraphNotificationResponse Handshake(string token)
    {
        if (token.Length is 0 or > MaxValidationTokenLength)
        {
            return Refuse(400, "the validation token is empty or too long");
        }

        return new GraphNotificationResponse(200, "text/plain", token);
    }

    private GraphNotificationResponse Refuse(int status, string reason)
    {
        _metrics.Reject(status == 413 ? "too-large" : "malformed");
        Log.NotificationRequestRejected(_logger, reason);
        return new GraphNotificationResponse(status, null, null);
    }

    private GraphNotificationResponse ProcessBody(ReadOnlyMemory<byte> body)
    {
        if (body.IsEmpty)
        {
            return Refuse(400, "the body is empty");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException)
        {
            return Refuse(400, "the body is not JSON");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("value", out var items)
                || items.ValueKind != JsonValueKind.Array)
            {
                return Refuse(400, "the body has no 'value' array");
            }

            foreach (var item in items.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.Object)
                {
                    Reject("malformed", "an item is not an object");
                    continue;
                }

                if (Accept(item) is { } work && !_inbox.TryWrite(work))
                {
                    Log.InboxFull(_logger);
                    return new GraphNotificationResponse(503, null, null);
                }
            }
        }

        return s_accepted;
    }

    private NotificationWork? Accept(JsonElement item)
    {
        var clientState = item.TryGetProperty("clientState", out var state) && state.ValueKind == JsonValueKind.String ? state.GetString() : null;
        if (clientState is null || !_registry.ClientStateMatches(clientState))
        {
            return Reject("clientState", "the clientState does not match");
        }

        var subscriptionId = GetString(item, "subscriptionId");
        if (!_registry.Contains(subscriptionId))
        {
            return Reject("subscription", "the subscription is not one of the connector's");
        }

        if (!string.Equals(GetString(item, "tenantId"), _tenantId, StringComparison.OrdinalIgnoreCase))
        {
            return Reject("tenant", "the tenant is not the configured one");
        }

        if (GetString(item, "lifecycleEvent") is { } lifecycle)
        {
            _metrics.Accept();
            return new NotificationWork(NotificationKind.Lifecycle, subscriptionId!, null) { LifecycleEvent = lifecycle };
        }

        var userId = UserIdOf(item);
        if (userId is null)
        {
            return Reject("malformed", "the notification names no user");
        }

        _metrics.Accept();
        if (item.TryGetProperty("encryptedContent", out var encrypted) && encrypted.ValueKind == JsonValueKind.Object)
        {
            return new NotificationWork(NotificationKind.Rich, subscriptionId!, userId)
            {
                Data = GetString(encrypted, "data"),
                DataSignature = GetString(encrypted, "dataSignature"),
                DataKey = GetString(encrypted, "dataKey"),
                EncryptionCertificateId = GetString(encrypted, "encryptionCertificateId"),
            };
        }

        return new NotificationWork(NotificationKind.Basic, subscriptionId!, userId);
    }

    private NotificationWork? Reject(string reason, string message)
    {
        _metrics.Reject(reason);
        Log.NotificationRejected(_logger, message);
        return null;
    }
}
