using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Webex.TeamsConnector.ContactCenter;

/// <summary>
/// Handles WxCC webhook deliveries independently of any web framework: give it the raw body and the request headers,
/// answer the HTTP status it returns. It checks the size, the HMAC-SHA256 signature (<c>X-WebexCC-Signature</c>, in
/// constant time), the organization, the replay window and the delivery id, understands the v1 and v2 event shapes,
/// drops duplicates and out-of-order events by their timestamps, and hands the rest to the webhook-mode
/// <see cref="IAgentEventFeed"/>. Rejections are logged and counted, never thrown.
/// </summary>
internal sealed class WxccWebhookProcessor
{
    /// <summary>The signature header (hex HMAC-SHA256 of the raw body, keyed by the subscription secret).</summary>
    public const string SignatureHeader = "X-WebexCC-Signature";

    /// <summary>
    /// The timestamp header of v2 deliveries (seconds or milliseconds since the epoch). It is trusted for the replay
    /// window only when the signature covers it ("timestamp.body"); with a body-only signature the signed envelope's
    /// <c>comciscotimestamp</c> is used instead.
    /// </summary>
    public const string TimestampHeader = "X-WebexCC-Timestamp";

    private static readonly string[] s_signatureHeaders = [SignatureHeader, "X-Webex-Signature", "X-WxCC-Signature"];

    private readonly ContactCenterOptions _options;
    private readonly ChannelWriter<AgentFeedEvent> _queue;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ContactCenterTelemetry _telemetry;
    private readonly byte[]? _secret;
    private readonly Dictionary<string, DateTimeOffset> _seenIds = new(StringComparer.Ordinal);
    private readonly Queue<(string Id, DateTimeOffset Expires)> _seenOrder = new();
    private long _accepted;
    private long _rejected;
    private long _duplicates;
    private long _ignored;

    internal WxccWebhookProcessor(
        IOptions<ContactCenterOptions> options,
        WebhookEventQueue queue,
        TimeProvider timeProvider,
        ContactCenterTelemetry telemetry,
        ILogger<WxccWebhookProcessor> logger)
    {
        _telemetry = telemetry;
        _options = options.Value;
        _queue = queue.Writer;
        _time = timeProvider;
        _logger = logger;
        _secret = string.IsNullOrEmpty(_options.WebhookSecret) ? null : Encoding.UTF8.GetBytes(_options.WebhookSecret);
    }

    /// <summary>The largest body accepted; read at most this many bytes (plus one, to detect more) from the request.</summary>
    public int MaxBodyBytes => _options.MaxWebhookBodyBytes;

    /// <summary>Deliveries accepted and passed on.</summary>
    public long Accepted => Interlocked.Read(ref _accepted);

    /// <summary>Deliveries refused (bad signature, stale, replayed outside the window, malformed, oversized, wrong organization).</summary>
    public long Rejected => Interlocked.Read(ref _rejected);

    /// <summary>Deliveries acknowledged but not passed on because they repeat an earlier one or are older than the last event of the agent.</summary>
    public long Duplicates => Interlocked.Read(ref _duplicates);

    /// <summary>Valid deliveries of event types the connector does not use.</summary>
    public long Ignored => Interlocked.Read(ref _ignored);

    /// <summary>Processes one delivery.</summary>
    /// <param name="body">The raw request body, exactly as received.</param>
    /// <param name="headers">The request headers (names are matched case-insensitively).</param>
    /// <param name="cancellationToken">Cancels the processing.</param>
    /// <returns>
    /// The status to answer: 200 processed (also for duplicates and ignored types), 400 malformed, 401 bad signature or
    /// outside the replay window, 403 another organization, 404 webhooks not configured, 413 too large, 503 the
    /// connector cannot take more events now (WxCC retries).
    /// </returns>
    public ValueTask<int> ProcessAsync(ReadOnlyMemory<byte> body, IEnumerable<KeyValuePair<string, string?>> headers, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(headers);
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Process(body.Span, headers));
    }

    /// <summary>
    /// Refuses a delivery whose body is larger than <see cref="MaxBodyBytes"/> without reading it (for a transport that
    /// stops reading at the limit); logged and counted like every other rejection.
    /// </summary>
    /// <param name="length">The body length if known (the declared <c>Content-Length</c>), else <see langword="null"/>.</param>
    /// <returns>413, the status to answer.</returns>
    public int RejectOversized(long? length) =>
        Reject(413, length is { } bytes ? $"body of {bytes} bytes exceeds {_options.MaxWebhookBodyBytes}" : $"body exceeds {_options.MaxWebhookBodyBytes} bytes");

    /// <summary>
    /// Refuses a delivery whose body the web framework could not or would not read (larger than the limit, sent too
    /// slowly, malformed framing, too many bodies in memory at once); logged and counted like every other rejection.
    /// </summary>
    /// <param name="statusCode">The status to answer (413, 408, 400 or 503).</param>
    /// <param name="reason">A fixed description for the log; never text taken from the request.</param>
    /// <returns><paramref name="statusCode"/>, the status to answer.</returns>
    public int RejectRequest(int statusCode, string reason)
    {
        ArgumentNullException.ThrowIfNull(reason);
        return Reject(statusCode, reason);
    }

    /// <summary>
    /// Checks a delivery as <see cref="ProcessAsync"/> does (secret, size, signature, organization, replay window) without
    /// delivering it: a cluster node checks a webhook before it hands it to the org's owner. Rejections are logged and counted.
    /// </summary>
    /// <returns>200 when the delivery passes, otherwise the status to answer.</returns>
    internal int Check(ReadOnlySpan<byte> body, IEnumerable<KeyValuePair<string, string?>> headers) => Process(body, headers, deliver: false);

    private int Process(ReadOnlySpan<byte> body, IEnumerable<KeyValuePair<string, string?>> headers, bool deliver = true)
    {
        if (_secret is null)
        {
            return Reject(404, "webhooks are not configured (no WebhookSecret)");
        }

        if (body.Length > _options.MaxWebhookBodyBytes)
        {
            return Reject(413, $"body of {body.Length} bytes exceeds {_options.MaxWebhookBodyBytes}");
        }

        string? signature = null;
        string? timestampHeader = null;
        foreach (var (name, value) in headers)
        {
            if (signature is null && s_signatureHeaders.Any(h => string.Equals(h, name, StringComparison.OrdinalIgnoreCase)))
            {
                signature = value;
            }
            else if (string.Equals(name, TimestampHeader, StringComparison.OrdinalIgnoreCase))
            {
                timestampHeader = value;
            }
        }

        var signed = CheckSignature(body, signature, timestampHeader);
        if (signed == SignatureMatch.None)
        {
            return Reject(401, signature is null ? "no signature header" : "signature does not match");
        }

        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(body.ToArray(), new JsonDocumentOptions { MaxDepth = 32 });
        }
        catch (JsonException)
        {
            return Reject(400, "body is not JSON");
        }

        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return Reject(400, "body is not a JSON object");
            }

            var org = ContactCenterDirectory.Str(root, "comciscoorgid") ?? ContactCenterDirectory.Str(root, "orgId");
            if (org is not null && !string.Equals(org, _options.OrgId, StringComparison.OrdinalIgnoreCase))
            {
                return Reject(403, "delivery for another organization");
            }

            var now = _time.GetUtcNow();
            // The timestamp header is trusted only when the signature covers it; otherwise anyone who captured a
            // delivery could resend it with a fresh header. The envelope timestamp is inside the signed body.
            var headerTime = signed == SignatureMatch.TimestampAndBody ? ParseTimestamp(timestampHeader) : null;
            var bodyTime = EnvelopeTime(root);
            if (headerTime is null && bodyTime is null)
            {
                return Reject(400, signed == SignatureMatch.TimestampAndBody ? "delivery without a timestamp" : "delivery without a signed timestamp");
            }

            if (!WithinWindow(now, headerTime) || !WithinWindow(now, bodyTime))
            {
                return Reject(401, "delivery outside the replay window (stale or replayed)");
            }

            if (!deliver)
            {
                return 200;
            }

            var id = ContactCenterDirectory.Str(root, "id");
            if (id is not null && !Remember(id, now))
            {
                Interlocked.Increment(ref _duplicates);
                _telemetry.EventsDuplicate.Add(1);
                Log.WebhookDuplicate(_logger, id);
                return 200;
            }

            var parsed = AgentEventParser.FromWebhook(root, now);
            switch (parsed.Kind)
            {
                case ParsedKind.Agent:
                    // Order, repeats and staleness are the sync rules' to judge.
                    if (!_queue.TryWrite(parsed.Event))
                    {
                        Forget(id);
                        return Reject(503, "event queue full");
                    }

                    Interlocked.Increment(ref _accepted);
                    _telemetry.EventsReceived.Add(1);
                    return 200;
                case ParsedKind.Rejected:
                    return Reject(400, parsed.Detail ?? "malformed event");
                default:
                    Interlocked.Increment(ref _ignored);
                    if (parsed.UnknownChannel)
                    {
                        // Answered 200 (WxCC would retry a 4xx), but logged and counted: nothing is published for it.
                        _telemetry.EventsRejected.Add(1);
                        Log.UnknownChannel(_logger, parsed.Detail ?? "unknown channel");
                    }

                    return 200;
            }
        }
    }

    private bool WithinWindow(DateTimeOffset now, DateTimeOffset? at) =>
        at is null || (now - at.Value).Duration() <= _options.WebhookReplayWindow;

    /// <summary>Which form of the signature matched: none, the body alone (v1) or "timestamp.body" (v2).</summary>
    private SignatureMatch CheckSignature(ReadOnlySpan<byte> body, string? header, string? timestamp)
    {
        if (string.IsNullOrWhiteSpace(header))
        {
            return SignatureMatch.None;
        }

        var text = header.Trim();
        if (text.StartsWith("sha256=", StringComparison.OrdinalIgnoreCase))
        {
            text = text["sha256=".Length..];
        }

        byte[] given;
        try
        {
            given = Convert.FromHexString(text);
        }
        catch (FormatException)
        {
            return SignatureMatch.None;
        }

        if (given.Length != HMACSHA256.HashSizeInBytes)
        {
            return SignatureMatch.None;
        }

        Span<byte> expected = stackalloc byte[HMACSHA256.HashSizeInBytes];
        if (!string.IsNullOrWhiteSpace(timestamp))
        {
            // v2 (unconfirmed): the signature may cover "<timestamp>.<body>".
            var prefix = Encoding.UTF8.GetBytes(timestamp.Trim() + ".");
            var signed = new byte[prefix.Length + body.Length];
            prefix.CopyTo(signed, 0);
            body.CopyTo(signed.AsSpan(prefix.Length));
            HMACSHA256.HashData(_secret, signed, expected);
            if (CryptographicOperations.FixedTimeEquals(expected, given))
            {
                return SignatureMatch.TimestampAndBody;
            }
        }

        HMACSHA256.HashData(_secret, body, expected);
        return CryptographicOperations.FixedTimeEquals(expected, given) ? SignatureMatch.BodyOnly : SignatureMatch.None;
    }

    private static DateTimeOffset? ParseTimestamp(string? text)
    {
        if (!long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value <= 0)
        {
            return null;
        }

        return value > 100_000_000_000 ? FromMs(value) : FromMs(value * 1000);
    }

    private static DateTimeOffset? FromMs(long ms) =>
        ms is > 0 and < 253_402_300_799_999 ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;

    private static DateTimeOffset? EnvelopeTime(JsonElement root) =>
        root.TryGetProperty("comciscotimestamp", out var t) && t.ValueKind == JsonValueKind.Number && t.TryGetInt64(out var ms) ? FromMs(ms) : null;

    private bool Remember(string id, DateTimeOffset now)
    {
        lock (_seenIds)
        {
            while (_seenOrder.Count > 0 && (_seenOrder.Peek().Expires <= now || _seenOrder.Count > 100_000))
            {
                var (old, expires) = _seenOrder.Dequeue();
                if (_seenIds.TryGetValue(old, out var e) && e == expires)
                {
                    _seenIds.Remove(old);
                }
            }

            if (_seenIds.ContainsKey(id))
            {
                return false;
            }

            // Remember for twice the window: a delivery is refused as stale after one window anyway.
            var until = now + _options.WebhookReplayWindow + _options.WebhookReplayWindow;
            _seenIds[id] = until;
            _seenOrder.Enqueue((id, until));
            return true;
        }
    }

    private void Forget(string? id)
    {
        if (id is null)
        {
            return;
        }

        lock (_seenIds)
        {
            _seenIds.Remove(id);
        }
    }

    private int Reject(int status, string why)
    {
        Interlocked.Increment(ref _rejected);
        _telemetry.EventsRejected.Add(1);
        Log.WebhookRejected(_logger, status, why);
        return status;
    }
}

/// <summary>What a delivery's signature covers.</summary>
internal enum SignatureMatch
{
    /// <summary>No valid signature.</summary>
    None,

    /// <summary>The raw body alone (v1): a timestamp header is not covered and is not trusted.</summary>
    BodyOnly,

    /// <summary>"&lt;timestamp&gt;.&lt;body&gt;" (v2): the timestamp header is covered.</summary>
    TimestampAndBody,
}

/// <summary>The queue between the webhook processor and the webhook-mode feed.</summary>
internal sealed class WebhookEventQueue
{
    private readonly Channel<AgentFeedEvent> _channel = Channel.CreateBounded<AgentFeedEvent>(
        new BoundedChannelOptions(100_000) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    public ChannelWriter<AgentFeedEvent> Writer => _channel.Writer;

    public ChannelReader<AgentFeedEvent> Reader => _channel.Reader;
}
