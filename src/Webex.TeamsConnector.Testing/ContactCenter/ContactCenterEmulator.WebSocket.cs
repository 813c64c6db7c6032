using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http;

namespace Webex.TeamsConnector.Testing;

/// <summary>The agent notification websocket: <c>POST /v1/notification/subscribe</c> and the socket with its keepalive rule.</summary>
public sealed partial class ContactCenterEmulator
{
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

    private (int, JsonNode?) Subscribe()
    {
        var id = Guid.NewGuid().ToString("N");
        lock (_gate)
        {
            _notificationSubscriptions.Add(id);
        }

        var ws = new UriBuilder(BaseUrl) { Scheme = "ws", Path = "ws/notification/" + id };
        return (200, new JsonObject { ["webSocketUrl"] = ws.Uri.AbsoluteUri, ["subscriptionId"] = id });
    }

    /// <summary>Whether the websocket carries events about <paramref name="agentId"/> (see <see cref="ContactCenterWebSocketScope"/>).</summary>
    private bool Carries(NotificationConnection socket, string? agentId) =>
        _options.WebSocketScope == ContactCenterWebSocketScope.Organization || string.Equals(socket.UserId, agentId, StringComparison.Ordinal);

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

    private sealed class NotificationConnection(WebSocket socket, string userId)
    {
        public WebSocket Socket { get; } = socket;

        /// <summary>The signed-in user the websocket belongs to (the access token's user).</summary>
        public string UserId { get; } = userId;

        public Channel<byte[]> Outgoing { get; } = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = true });

        public void Abort() => Socket.Abort();
    }
}
