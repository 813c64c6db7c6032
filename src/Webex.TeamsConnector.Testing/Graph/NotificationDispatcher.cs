using System.Buffers;
using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;

namespace Webex.TeamsConnector.Testing;

/// <summary>
/// Delivers change and lifecycle notifications to subscribers over HTTP, one at a time in order of change, with
/// the fault modes of <see cref="GraphEmulatorFaults"/>; performs the validation handshake of new subscriptions.
/// </summary>
internal sealed class NotificationDispatcher : IAsyncDisposable
{
    private readonly Channel<Item> _queue = Channel.CreateUnbounded<Item>(new UnboundedChannelOptions { SingleReader = true });
    private readonly HttpClient _http = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(30) };
    private readonly GraphEmulatorFaults _faults;
    private readonly GraphEmulatorOptions _options;
    private readonly Action _changed;
    private readonly List<Item> _held = [];
    private readonly Lock _heldGate = new();
    private readonly SemaphoreSlim _sendGate = new(1, 1);
    private readonly Task _loop;
    private long _delivered;
    private long _failed;
    private long _suppressed;

    public NotificationDispatcher(GraphEmulatorOptions options, GraphEmulatorFaults faults, Action changed)
    {
        _options = options;
        _faults = faults;
        _changed = changed;
        _loop = Task.Run(RunAsync);
    }

    public long Delivered => Interlocked.Read(ref _delivered);

    public long Failed => Interlocked.Read(ref _failed);

    public long Suppressed => Interlocked.Read(ref _suppressed);

    public void Enqueue(EmulatedTenant.SubscriptionRecord subscription, string userId, EmulatedPresence presence)
    {
        if (subscription.NeedsReauthorization || _faults.IsSilenced(subscription.Id))
        {
            Interlocked.Increment(ref _suppressed);
            return;
        }

        var item = new Item(subscription, userId, presence);
        if (_faults.ReorderNotifications)
        {
            lock (_heldGate)
            {
                _held.Add(item);
            }

            return;
        }

        _queue.Writer.TryWrite(item);
    }

    /// <summary>Delivers the notifications held by <see cref="GraphEmulatorFaults.ReorderNotifications"/>, newest first.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        List<Item> held;
        lock (_heldGate)
        {
            held = [.. _held];
            _held.Clear();
        }

        held.Reverse();
        foreach (var group in held.GroupBy(i => i.Subscription.NotificationUrl))
        {
            await SendAsync([.. group], cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Graph's handshake: POST notificationUrl?validationToken=..., expect 200 text/plain echoing the token.</summary>
    public async Task<string?> ValidateAsync(Uri url, CancellationToken cancellationToken)
    {
        var token = "Validation: Testing client application reachability for subscription Request-Id: " + Guid.NewGuid().ToString("D");
        var separator = string.IsNullOrEmpty(url.Query) ? "?" : "&";
        using var timeout = new CancellationTokenSource(_options.ValidationTimeout, _options.TimeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(url + separator + "validationToken=" + Uri.EscapeDataString(token)));
            request.Content = new ByteArrayContent([]);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("text/plain");
            using var response = await _http.SendAsync(request, linked.Token).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync(linked.Token).ConfigureAwait(false);
            if ((int)response.StatusCode != 200)
            {
                return $"the validation request to {url} was answered with {(int)response.StatusCode}";
            }

            if (response.Content.Headers.ContentType?.MediaType is not "text/plain")
            {
                return $"the validation request to {url} was answered with content type '{response.Content.Headers.ContentType?.MediaType}', not text/plain";
            }

            return string.Equals(body, token, StringComparison.Ordinal) ? null : $"the validation request to {url} was answered with a body that is not the validation token";
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            return $"the validation request to {url} was not answered within {_options.ValidationTimeout.TotalSeconds:0} seconds";
        }
        catch (HttpRequestException ex)
        {
            return $"the validation request to {url} failed: {ex.Message}";
        }
    }

    public async Task SendLifecycleAsync(EmulatedTenant.SubscriptionRecord subscription, GraphLifecycleEvent lifecycleEvent, CancellationToken cancellationToken)
    {
        var url = subscription.LifecycleNotificationUrl ?? throw new InvalidOperationException($"Subscription '{subscription.Id}' has no lifecycleNotificationUrl.");
        var name = lifecycleEvent switch
        {
            GraphLifecycleEvent.ReauthorizationRequired => "reauthorizationRequired",
            GraphLifecycleEvent.SubscriptionRemoved => "subscriptionRemoved",
            _ => "missed",
        };
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("value");
            writer.WriteStartObject();
            writer.WriteString("subscriptionId", subscription.Id);
            writer.WriteString("subscriptionExpirationDateTime", subscription.ExpiresAt);
            writer.WriteString("tenantId", _options.TenantId);
            if (subscription.ClientState is { } state)
            {
                writer.WriteString("clientState", state);
            }

            writer.WriteString("lifecycleEvent", name);
            writer.WriteEndObject();
            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        await PostAsync(url, buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        try
        {
            await _loop.ConfigureAwait(false);
        }
        finally
        {
            _http.Dispose();
            _sendGate.Dispose();
        }
    }

    private static string BuildValidationToken()
    {
        static string B64(string json) => Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return B64("{\"typ\":\"JWT\",\"alg\":\"none\"}") + "." + B64("{\"iss\":\"graph-emulator\",\"aud\":\"emulated\"}") + ".";
    }

    private async Task RunAsync()
    {
        await foreach (var item in _queue.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            await SendAsync([item], CancellationToken.None).ConfigureAwait(false);
            if (_faults.DuplicateNotifications)
            {
                await SendAsync([item], CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    private async Task SendAsync(List<Item> items, CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("value");
            var rich = false;
            foreach (var item in items)
            {
                rich |= item.Subscription.IncludeResourceData;
                WriteNotification(writer, item);
            }

            writer.WriteEndArray();
            if (rich)
            {
                writer.WriteStartArray("validationTokens");
                writer.WriteStringValue(BuildValidationToken());
                writer.WriteEndArray();
            }

            writer.WriteEndObject();
        }

        await PostAsync(items[0].Subscription.NotificationUrl, buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
    }

    private void WriteNotification(Utf8JsonWriter writer, Item item)
    {
        var subscription = item.Subscription;
        writer.WriteStartObject();
        writer.WriteString("subscriptionId", subscription.Id);
        if (subscription.ClientState is { } state)
        {
            writer.WriteString("clientState", state);
        }

        writer.WriteString("changeType", "updated");
        writer.WriteString("tenantId", _options.TenantId);
        writer.WriteString("resource", "communications/presences/" + item.UserId);
        writer.WriteString("subscriptionExpirationDateTime", subscription.ExpiresAt);
        writer.WriteStartObject("resourceData");
        writer.WriteString("@odata.id", "users/" + item.UserId + "/presence");
        writer.WriteString("@odata.type", "#microsoft.graph.presence");
        writer.WriteString("id", item.UserId);
        writer.WriteEndObject();
        if (subscription.IncludeResourceData && subscription.Certificate is { } certificate)
        {
            WriteEncryptedContent(writer, item, certificate, subscription.CertificateId);
        }

        writer.WriteEndObject();
    }

    private void WriteEncryptedContent(Utf8JsonWriter writer, Item item, System.Security.Cryptography.X509Certificates.X509Certificate2 certificate, string? certificateId)
    {
        var data = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(data))
        {
            json.WriteStartObject();
            json.WriteString("@odata.type", "#microsoft.graph.presence");
            json.WriteString("@odata.id", "communications/presences/" + item.UserId);
            json.WriteString("id", item.UserId);
            json.WriteString("availability", item.Presence.Availability);
            json.WriteString("activity", item.Presence.Activity);
            json.WriteString("sequenceNumber", item.Presence.SequenceNumber);
            json.WriteEndObject();
        }

        var key = RandomNumberGenerator.GetBytes(32);
        byte[] encrypted;
        using (var aes = Aes.Create())
        {
            aes.Key = key;
            encrypted = aes.EncryptCbc(data.WrittenSpan, key.AsSpan(0, 16), PaddingMode.PKCS7);
        }

        var signature = HMACSHA256.HashData(key, encrypted);
        if (_faults.TakeTamper())
        {
            encrypted[encrypted.Length / 2] ^= 0x5A;
        }

        using var rsa = certificate.GetRSAPublicKey() ?? throw new InvalidOperationException("The subscription's encryption certificate has no RSA key.");
        var dataKey = rsa.Encrypt(key, RSAEncryptionPadding.OaepSHA1);
        writer.WriteStartObject("encryptedContent");
        writer.WriteString("data", Convert.ToBase64String(encrypted));
        writer.WriteString("dataSignature", Convert.ToBase64String(signature));
        writer.WriteString("dataKey", Convert.ToBase64String(dataKey));
        writer.WriteString("encryptionCertificateId", certificateId);
        writer.WriteString("encryptionCertificateThumbprint", certificate.Thumbprint);
        writer.WriteEndObject();
    }

    private async Task PostAsync(Uri url, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        await _sendGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var content = new ReadOnlyMemoryContent(body);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
            using var response = await _http.PostAsync(url, content, cancellationToken).ConfigureAwait(false);
            Interlocked.Increment(ref response.IsSuccessStatusCode ? ref _delivered : ref _failed);
        }
        catch (HttpRequestException)
        {
            Interlocked.Increment(ref _failed);
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            Interlocked.Increment(ref _failed);
        }
        finally
        {
            _sendGate.Release();
            _changed();
        }
    }

    private sealed record Item(EmulatedTenant.SubscriptionRecord Subscription, string UserId, EmulatedPresence Presence);
}
