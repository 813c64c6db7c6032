using System.Net.WebSockets;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Webex.TeamsConnector.ContactCenter;

/// <summary>
/// The agent notification websocket: subscribes with <c>POST /v1/notification/subscribe</c>, connects, sends
/// <c>{"keepalive":"true"}</c> every 4 seconds (WxCC drops a socket after 16 s without one), turns messages into
/// events, and reconnects with backoff (0 s, then 1, 2, 4 … 30 s) when the socket drops. Each <c>Welcome</c> asks for a
/// reconciliation so that events missed while disconnected are recovered.
/// </summary>
internal sealed class WebSocketAgentEventFeed
{
    internal static readonly TimeSpan KeepAliveInterval = TimeSpan.FromSeconds(4);
    private const int MaxMessageBytes = 1024 * 1024;
    private static readonly byte[] s_keepAlive = """{"keepalive":"true"}"""u8.ToArray();

    private readonly WxccApiClient _api;
    private readonly ContactCenterDirectory _directory;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ContactCenterTelemetry _telemetry;
    private int _connections;

    public WebSocketAgentEventFeed(
        WxccApiClient api,
        ContactCenterDirectory directory,
        TimeProvider timeProvider,
        ContactCenterTelemetry telemetry,
        ILogger<WebSocketAgentEventFeed> logger)
    {
        _telemetry = telemetry;
        _api = api;
        _directory = directory;
        _time = timeProvider;
        _logger = logger;
    }

    /// <summary>Raised when a reconnect was scheduled (its timer is registered), with the delay.</summary>
    public event Action<TimeSpan>? ReconnectScheduled;

    /// <summary>Raised when the next keepalive's timer is registered.</summary>
    public event Action? KeepAliveArmed;

    /// <summary>The number of <c>Welcome</c> messages received (connections established).</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Messages refused as malformed.</summary>
    public long Rejected { get; private set; }

    internal static TimeSpan ReconnectDelay(int failures) =>
        failures <= 1 ? TimeSpan.Zero : Backoff.Doubling(TimeSpan.FromSeconds(1), failures - 1, max: TimeSpan.FromSeconds(30));

    public async Task RunAsync(ChannelWriter<AgentFeedEvent> events, Action onWelcome, CancellationToken cancellationToken)
    {
        var failures = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            var welcomed = false;
            try
            {
                var url = await SubscribeAsync(cancellationToken).ConfigureAwait(false);
                using var socket = new ClientWebSocket();
                await socket.ConnectAsync(url, cancellationToken).ConfigureAwait(false);
                Log.WebSocketConnected(_logger);
                using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                var keepAlive = KeepAliveAsync(socket, stop.Token);
                try
                {
                    await ReceiveAsync(socket, events, () =>
                    {
                        welcomed = true;
                        failures = 0;
                        Interlocked.Increment(ref _connections);
                        onWelcome();
                    }, cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    await stop.CancelAsync().ConfigureAwait(false);
                    await keepAlive.ConfigureAwait(false);
                }

                Log.WebSocketClosed(_logger, socket.CloseStatus?.ToString() ?? "dropped");
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is WebSocketException or ContactCenterException or HttpRequestException or OperationCanceledException or JsonException or InvalidOperationException)
            {
                Log.WebSocketFailed(_logger, ex.GetType().Name, ex is ContactCenterException ? ex.Message : "connection failed");
            }

            failures = welcomed ? 1 : failures + 1;
            var delay = ReconnectDelay(failures);
            try
            {
                var wait = delay > TimeSpan.Zero ? Task.Delay(delay, _time, cancellationToken) : Task.CompletedTask;
                ReconnectScheduled?.Invoke(delay);
                await wait.ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private async Task<Uri> SubscribeAsync(CancellationToken cancellationToken)
    {
        var uri = new Uri(ContactCenterDirectory.WithSlash(_api.Options.BaseUrl), "v1/notification/subscribe");
        var body = """{"isKeepAliveEnabled":true,"clientType":"AgentDesktop","allowMultiLogin":true,"force":false}"""u8.ToArray();
        var response = await _api.SendAsync(HttpMethod.Post, uri, body, retry: true, leaseHeld: false, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccess)
        {
            throw new ContactCenterException($"POST {uri.AbsolutePath} failed ({response.Describe()}).", response.Status, response.TrackingId);
        }

        using var doc = JsonDocument.Parse(response.Body);
        var url = ContactCenterDirectory.Str(doc.RootElement, "webSocketUrl");
        return Uri.TryCreate(url, UriKind.Absolute, out var ws) && (ws.Scheme == "wss" || ws.Scheme == "ws" && ws.IsLoopback)
            ? ws
            : throw new ContactCenterException("The notification subscription returned no usable webSocketUrl.", response.Status, response.TrackingId);
    }

    private async Task KeepAliveAsync(ClientWebSocket socket, CancellationToken cancellationToken)
    {
        try
        {
            while (socket.State == WebSocketState.Open)
            {
                var delay = Task.Delay(KeepAliveInterval, _time, cancellationToken);
                KeepAliveArmed?.Invoke();
                await delay.ConfigureAwait(false);
                await socket.SendAsync(s_keepAlive, WebSocketMessageType.Text, endOfMessage: true, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
            // The receive loop notices the drop and reconnects.
        }
    }

    private async Task ReceiveAsync(ClientWebSocket socket, ChannelWriter<AgentFeedEvent> events, Action onWelcome, CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        using var message = new MemoryStream();
        while (socket.State == WebSocketState.Open)
        {
            var result = await socket.ReceiveAsync(buffer, cancellationToken).ConfigureAwait(false);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return;
            }

            message.Write(buffer, 0, result.Count);
            if (message.Length > MaxMessageBytes)
            {
                Rejected++;
                _telemetry.EventsRejected.Add(1);
                Log.WebSocketMessageRejected(_logger, "message larger than 1 MiB");
                await socket.CloseAsync(WebSocketCloseStatus.MessageTooBig, "too big", cancellationToken).ConfigureAwait(false);
                return;
            }

            if (!result.EndOfMessage)
            {
                continue;
            }

            var bytes = message.GetBuffer().AsMemory(0, (int)message.Length);
            await HandleAsync(bytes, events, onWelcome, cancellationToken).ConfigureAwait(false);
            message.SetLength(0);
        }
    }

    private async ValueTask HandleAsync(ReadOnlyMemory<byte> bytes, ChannelWriter<AgentFeedEvent> events, Action onWelcome, CancellationToken cancellationToken)
    {
        var rona = _directory.KnownCodes?.FirstOrDefault(IdleCodeCatalog.IsRona)?.Id;
        var parsed = AgentEventParser.FromNotification(bytes.Span, rona, _time.GetUtcNow());
        switch (parsed.Kind)
        {
            case ParsedKind.Welcome:
                Log.WebSocketWelcome(_logger);
                onWelcome();
                break;
            case ParsedKind.Agent:
                _telemetry.EventsReceived.Add(1);
                await events.WriteAsync(parsed.Event, cancellationToken).ConfigureAwait(false);
                break;
            case ParsedKind.StateChangeFailed:
                if (parsed.AgentId is { } failedAgent)
                {
                    // The rules decide whether it was their write and when to try again.
                    var now = _time.GetUtcNow();
                    var failure = new AgentFeedEvent(failedAgent, AgentEvent.ChangeFailed(now, parsed.Detail is { Length: > 200 } d ? d[..200] : parsed.Detail), parsed.TrackingId, now);
                    await events.WriteAsync(failure, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    Log.UnmatchedFailure(_logger, parsed.AgentId, parsed.TrackingId);
                }

                break;
            case ParsedKind.Rejected:
                Rejected++;
                _telemetry.EventsRejected.Add(1);
                Log.WebSocketMessageRejected(_logger, parsed.Detail ?? "malformed");
                break;
            default:
                break;
        }
    }
}
