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

        // An exact copy: renting from the array pool would round a body just over a power of two up to twice its size
        // and keep that array in the pool afterwards.
        return ProcessBody(body.ToArray());
    }

    public async ValueTask<GraphNotificationResponse> ProcessAsync(string? validationToken, Stream body, CancellationToken cancellationToken)
    {
        if (validationToken is not null)
        {
            return Handshake(validationToken);
        }

        ArgumentNullException.ThrowIfNull(body);
        // Plain arrays sized up to the limit plus one byte (to see that there is more): never past the limit.
        var buffer = new byte[Math.Min(_maxBody + 1, 16 * 1024)];
        var length = 0;
        while (true)
        {
            if (length == buffer.Length)
            {
                if (length > _maxBody)
                {
                    return Refuse(413, "the body is larger than MaxNotificationBodyBytes");
                }

                var bigger = new byte[(int)Math.Min(buffer.Length * 2L, _maxBody + 1L)];
                buffer.AsSpan(0, length).CopyTo(bigger);
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

    /// <inheritdoc />
    public GraphNotificationResponse RejectRequest(int statusCode, string reason)
    {
        ArgumentNullException.ThrowIfNull(reason);
        return Refuse(statusCode, reason);
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
        _metrics.Reject(status switch
        {
            413 => "too-large",
            408 => "too-slow",
            503 => "busy",
            _ => "malformed",
        });
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

            // Every rejected item is counted, but the request writes one warning with the counts by reason, so that a
            // forged request with thousands of bad items cannot flood the log.
            var rejections = new RejectionTally();
            try
            {
                foreach (var item in items.EnumerateArray())
                {
                    rejections.Items++;
                    if (item.ValueKind != JsonValueKind.Object)
                    {
                        Reject(ref rejections, "malformed");
                        continue;
                    }

                    if (Accept(item, ref rejections) is { } work && !_inbox.TryWrite(work))
                    {
                        Log.InboxFull(_logger);
                        return new GraphNotificationResponse(503, null, null);
                    }
                }
            }
            finally
            {
                if (rejections.Total > 0)
                {
                    Log.NotificationsRejected(_logger, rejections.Total, rejections.Items, rejections.Describe());
                }
            }
        }

        return s_accepted;
    }

    private NotificationWork? Accept(JsonElement item, ref RejectionTally rejections)
    {
        var clientState = item.TryGetProperty("clientState", out var state) && state.ValueKind == JsonValueKind.String ? state.GetString() : null;
        if (clientState is null || !_registry.ClientStateMatches(clientState))
        {
            return Reject(ref rejections, "clientState");
        }

        var subscriptionId = GetString(item, "subscriptionId");
        if (!_registry.Contains(subscriptionId))
        {
            return Reject(ref rejections, "subscription");
        }

        if (!string.Equals(GetString(item, "tenantId"), _tenantId, StringComparison.OrdinalIgnoreCase))
        {
            return Reject(ref rejections, "tenant");
        }

        if (GetString(item, "lifecycleEvent") is { } lifecycle)
        {
            _metrics.Accept();
            return new NotificationWork(NotificationKind.Lifecycle, subscriptionId!, null) { LifecycleEvent = lifecycle };
        }

        var userId = UserIdOf(item);
        if (userId is null)
        {
            return Reject(ref rejections, "malformed");
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

    private NotificationWork? Reject(ref RejectionTally rejections, string reason)
    {
        _metrics.Reject(reason);
        rejections.Add(reason);
        return null;
    }
}
