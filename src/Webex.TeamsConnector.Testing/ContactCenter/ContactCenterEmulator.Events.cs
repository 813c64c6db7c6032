using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http;

namespace Webex.TeamsConnector.Testing;

/// <summary>Agent events: the notification websocket and signed webhook deliveries.</summary>
public sealed partial class ContactCenterEmulator
{
    private readonly List<NotificationConnection> _sockets = [];
    private readonly HashSet<string> _notificationSubscriptions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SubscriptionRecord> _subscriptions = new(StringComparer.Ordinal);
    private readonly HttpClient _deliveryClient = new() { Timeout = TimeSpan.FromSeconds(10) };
    private readonly CancellationTokenSource _stopping = new();
    private PendingEvent? _heldBack;
    private long _webhookDeliveries;
    private long _webhookFailures;
    private long _webSocketsAccepted;
    private long _keepAlives;

    private enum EventKind
    {
        State = 0,
        Login,
        Logout,
        Contact,
    }

    /// <summary>Notification websockets open now.</summary>
    public int OpenWebSockets
    {
        get
        {
            lock (_gate)
            {
                return _sockets.Count;
            }
        }
    }

    /// <summary>Notification websockets accepted since start.</summary>
    public long WebSocketsAccepted => Interlocked.Read(ref _webSocketsAccepted);

    /// <summary><c>{"keepalive":"true"}</c> messages received on notification websockets.</summary>
    public long KeepAlivesReceived => Interlocked.Read(ref _keepAlives);

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

    /// <summary>Drops every notification websocket at once, as a network failure would.</summary>
    public void DropWebSockets()
    {
        lock (_gate)
        {
            foreach (var socket in _sockets)
            {
                socket.Abort();
            }
        }
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

    private void PublishLocked(AgentRecord agent, EventKind kind, string innerType, string? trackingId)
    {
        var pending = BuildEvent(agent, kind, innerType, trackingId);
        if (Faults.TakeDropEvent())
        {
            return;
        }

        if (Faults.ReorderEvents)
        {
            if (_heldBack is null)
            {
                _heldBack = pending;
                return;
            }

            EmitLocked(pending);
            EmitLocked(_heldBack);
            _heldBack = null;
            return;
        }

        if (_heldBack is { } held)
        {
            _heldBack = null;
            EmitLocked(held);
        }

        EmitLocked(pending);
        if (Faults.DuplicateEvents)
        {
            EmitLocked(pending);
        }
    }

    private PendingEvent BuildEvent(AgentRecord agent, EventKind kind, string innerType, string? trackingId)
    {
        var state = agent.State;
        var tracking = trackingId ?? "emulator_" + Guid.NewGuid().ToString("N");
        var data = new JsonObject
        {
            ["eventType"] = "AgentDesktopMessage",
            ["type"] = innerType,
            ["agentId"] = agent.AgentId,
            ["agentSessionId"] = agent.SessionId,
            ["trackingId"] = tracking,
            ["status"] = state.Kind == AgentStateKind.LoggedOut ? "LoggedOut" : "LoggedIn",
            ["subStatus"] = StateName(state),
            ["auxCodeId"] = state.Kind switch
            {
                AgentStateKind.Idle => state.IdleCodeId,
                AgentStateKind.Available => "0",
                _ => null,
            },
            ["lastStateChangeTimestamp"] = agent.LastChangeMs,
            ["lastIdleCodeChangeTimestamp"] = agent.LastChangeMs,
            ["lastStateChangeReason"] = agent.Reason,
            ["changedBy"] = agent.ChangedById is null ? null : "supervisor",
            ["changedById"] = agent.ChangedById,
            ["changedByName"] = agent.ChangedById,
            ["interactionId"] = agent.ContactId,
            ["eventTime"] = agent.LastChangeMs,
        };
        var outer = kind switch
        {
            EventKind.State => "AgentStateChange",
            EventKind.Contact => "RoutingMessage",
            _ => "AgentDesktopMessage",
        };
        var message = new JsonObject
        {
            ["type"] = outer,
            ["orgId"] = OrgId,
            ["trackingId"] = tracking,
            ["data"] = data,
        };
        var code = state.Kind == AgentStateKind.Idle ? _codes.FirstOrDefault(c => c.Id == state.IdleCodeId) : null;
        return new PendingEvent(
            Guid.NewGuid().ToString(),
            kind,
            Encoding.UTF8.GetBytes(message.ToJsonString()),
            agent.AgentId,
            StateName(state),
            state.IdleCodeId ?? (state.Kind == AgentStateKind.Available ? "0" : null),
            code?.Name,
            agent.Reason,
            agent.ChangedById,
            agent.LastChangeMs,
            tracking);
    }

    private void EmitLocked(PendingEvent pending)
    {
        foreach (var socket in _sockets)
        {
            if (Carries(socket, pending.AgentId))
            {
                socket.Outgoing.Writer.TryWrite(pending.WebSocketMessage);
            }
        }

        foreach (var subscription in _subscriptions.Values)
        {
            if (!subscription.Active)
            {
                continue;
            }

            var v2 = subscription.ResourceVersion.StartsWith("agent:2", StringComparison.OrdinalIgnoreCase);
            var type = pending.Kind switch
            {
                EventKind.Login => "agent:login",
                EventKind.Logout => "agent:logout",
                _ => v2 ? "agent:channel_state_change" : "agent:state_change",
            };
            if (!subscription.EventTypes.Contains(type, StringComparer.OrdinalIgnoreCase)
                && !(type == "agent:channel_state_change" && subscription.EventTypes.Contains("agent:state_change", StringComparer.OrdinalIgnoreCase)))
            {
                continue;
            }

            var data = new JsonObject
            {
                ["agentId"] = pending.AgentId,
                ["orgId"] = OrgId,
                ["currentState"] = v2 ? pending.State : pending.State.ToLowerInvariant(),
                ["idleCodeId"] = pending.IdleCodeId,
                ["idleCodeName"] = pending.IdleCodeName,
                ["lastStateChangeReason"] = pending.Reason,
                ["changedById"] = pending.ChangedById,
                ["channelType"] = "telephony",
                ["createdTime"] = pending.TimestampMs,
                ["trackingId"] = pending.TrackingId,
            };
            if (v2)
            {
                data["teamId"] = null;
            }

            var sentAt = NowMs();
            var envelope = new JsonObject
            {
                ["id"] = pending.Id,
                ["specversion"] = "1.0",
                ["type"] = type,
                ["source"] = "/com/cisco/wxcc/" + subscription.Id,
                ["comciscoorgid"] = OrgId,
                ["comciscotimestamp"] = sentAt,
                ["datacontenttype"] = "application/json",
                ["data"] = data,
            };
            var body = Encoding.UTF8.GetBytes(envelope.ToJsonString());
            string signature;
            string? timestamp = null;
            if (v2)
            {
                timestamp = Invariant(sentAt);
                var signed = Encoding.UTF8.GetBytes(timestamp + ".").Concat(body).ToArray();
                signature = Sign(subscription.Secret, signed);
            }
            else
            {
                signature = Sign(subscription.Secret, body);
            }

            subscription.Queue.Writer.TryWrite(new Delivery(body, signature, timestamp));
        }
    }

    /// <summary>Whether the websocket carries events about <paramref name="agentId"/> (see <see cref="ContactCenterWebSocketScope"/>).</summary>
    private bool Carries(NotificationConnection socket, string? agentId) =>
        _options.WebSocketScope == ContactCenterWebSocketScope.Organization || string.Equals(socket.UserId, agentId, StringComparison.Ordinal);

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

    private async Task HandleWebSocketAsync(HttpContext context, string subscriptionId)
    {
        lock (_gate)
        {
            if (!context.WebSockets.IsWebSocketRequest || !_notificationSubscriptions.Remove(subscriptionId))
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync().ConfigureAwait(false);
        var connection = new NotificationConnection(socket, _options.ApiUserId);
        var welcome = new JsonObject
        {
            ["type"] = "Welcome",
            ["orgId"] = OrgId,
            ["trackingId"] = "emulator_" + Guid.NewGuid().ToString("N"),
            ["data"] = new JsonObject { ["agentId"] = _options.ApiUserId, ["subscriptionId"] = subscriptionId },
        };
        connection.Outgoing.Writer.TryWrite(Encoding.UTF8.GetBytes(welcome.ToJsonString()));
        using var keepAliveTimer = _time.CreateTimer(static s => ((NotificationConnection)s!).Abort(), connection, _options.KeepAliveTimeout, Timeout.InfiniteTimeSpan);
        lock (_gate)
        {
            _sockets.Add(connection);
        }

        Interlocked.Increment(ref _webSocketsAccepted);
        Changed();
        var sender = SendLoopAsync(connection);
        try
        {
            var buffer = new byte[4096];
            while (socket.State == WebSocketState.Open)
            {
                var result = await socket.ReceiveAsync(buffer, _stopping.Token).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }

                if (Encoding.UTF8.GetString(buffer, 0, result.Count).Contains("keepalive", StringComparison.OrdinalIgnoreCase))
                {
                    keepAliveTimer.Change(_options.KeepAliveTimeout, Timeout.InfiniteTimeSpan);
                    Interlocked.Increment(ref _keepAlives);
                    Changed();
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
        finally
        {
            lock (_gate)
            {
                _sockets.Remove(connection);
            }

            connection.Outgoing.Writer.TryComplete();
            connection.Abort();
            await sender.ConfigureAwait(false);
            Changed();
        }
    }

    private static async Task SendLoopAsync(NotificationConnection connection)
    {
        try
        {
            await foreach (var message in connection.Outgoing.Reader.ReadAllAsync().ConfigureAwait(false))
            {
                await connection.Socket.SendAsync(message, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    private sealed record PendingEvent(
        string Id,
        EventKind Kind,
        byte[] WebSocketMessage,
        string AgentId,
        string State,
        string? IdleCodeId,
        string? IdleCodeName,
        string? Reason,
        string? ChangedById,
        long TimestampMs,
        string TrackingId);

    private sealed record Delivery(byte[] Body, string Signature, string? Timestamp);

    private sealed class NotificationConnection(WebSocket socket, string userId)
    {
        public WebSocket Socket { get; } = socket;

        /// <summary>The signed-in user the websocket belongs to (the access token's user).</summary>
        public string UserId { get; } = userId;

        public Channel<byte[]> Outgoing { get; } = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = true });

        public void Abort() => Socket.Abort();
    }

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
