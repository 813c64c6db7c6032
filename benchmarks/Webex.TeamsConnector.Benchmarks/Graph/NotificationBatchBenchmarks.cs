using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading.Channels;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using Webex.TeamsConnector.Graph;

namespace Webex.TeamsConnector.Benchmarks.Graph;

/// <summary>
/// A batch of 1,000 Graph change notifications (one webhook request) through the notification processor:
/// <c>Basic</c> is the synchronous part that answers Graph (size and JSON checks, constant-time clientState,
/// subscription and tenant checks, queueing); <c>Rich</c> adds what the feed does next for encrypted notifications
/// (RSA-OAEP key, HMAC-SHA256 check, AES-CBC decryption, change detection), per notification as Graph sends them.
/// </summary>
[MemoryDiagnoser]
public class NotificationBatchBenchmarks
{
    private const int Batch = 1_000;
    private const string SubscriptionId = "7f105c7d-2dc5-4530-97cd-4e7ae6534c07";

    private ServiceProvider _services = null!;
    private IGraphNotificationProcessor _processor = null!;
    private NotificationInbox _inbox = null!;
    private ChangeNotificationPresenceFeed _feed = null!;
    private X509Certificate2 _certificate = null!;
    private byte[] _basic = null!;
    private byte[][] _rich = null!;
    private int _round;
    private Channel<TeamsPresenceUpdate> _updates = null!;

    [GlobalSetup]
    public void Setup()
    {
        using (var rsa = RSA.Create(2048))
        {
            var request = new CertificateRequest("CN=benchmark", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            using var self = request.CreateSelfSigned(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2036, 1, 1, 0, 0, 0, TimeSpan.Zero));
            _certificate = X509CertificateLoader.LoadPkcs12(self.Export(X509ContentType.Pfx), null);
        }

        _services = GraphBenchmarkHost.Build(
            new Uri("http://127.0.0.1:9/v1.0"),
            o => o.UseEncryptionCertificate(_certificate),
            new()
            {
                ["TeamsConnector:Graph:PresenceSource"] = "ChangeNotifications",
                ["TeamsConnector:Graph:NotificationUrl"] = "http://127.0.0.1:9/notify",
                ["TeamsConnector:Graph:NotificationClientState"] = "benchmark-client-state",
                ["TeamsConnector:Graph:EncryptionCertificateId"] = "cert-1",
            });
        _processor = _services.GetRequiredService<IGraphNotificationProcessor>();
        _inbox = _services.GetRequiredService<NotificationInbox>();
        _feed = _services.GetRequiredService<ChangeNotificationPresenceFeed>();
        _services.GetRequiredService<SubscriptionRegistry>().Add(SubscriptionId);
        var users = Enumerable.Range(0, Batch).Select(i => $"fa8bf3dc-eca7-46b7-bad1-{i:x12}").ToArray();
        _feed.SetWatchedUsers(users);
        _updates = Channel.CreateUnbounded<TeamsPresenceUpdate>();
        _basic = Body(users.Select(u => Item(u, null)));
        // 64 rounds of rich notifications with rising sequence numbers and alternating presence: each round is a change.
        _rich = [.. Enumerable.Range(0, 64).Select(round => Body(users.Select(u => Item(u, Encrypt(u, round)))))];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _services.Dispose();
        _certificate.Dispose();
    }

    [Benchmark(Baseline = true)]
    public int Basic()
    {
        var response = _processor.Process(null, _basic);
        Expect(response, 202);
        var queued = 0;
        while (_inbox.Reader.TryRead(out _))
        {
            queued++;
        }

        return response.StatusCode + queued;
    }

    [Benchmark]
    public async Task<int> Rich()
    {
        var response = _processor.Process(null, _rich[_round++ % _rich.Length]);
        Expect(response, 202);
        while (_inbox.Reader.TryRead(out var work))
        {
            await _feed.HandleAsync(work, _updates.Writer, CancellationToken.None);
        }

        var emitted = 0;
        while (_updates.Reader.TryRead(out _))
        {
            emitted++;
        }

        if (_round <= _rich.Length && emitted != Batch)
        {
            throw new InvalidOperationException($"{emitted} presence changes came out of {Batch} rich notifications.");
        }

        return response.StatusCode + emitted;
    }

    private static void Expect(GraphNotificationResponse response, int status)
    {
        if (response.StatusCode != status)
        {
            throw new InvalidOperationException($"The processor answered {response.StatusCode}, not {status}.");
        }
    }

    private static byte[] Body(IEnumerable<string> items) => Encoding.UTF8.GetBytes("{\"value\":[" + string.Join(',', items) + "]}");

    private static string Item(string user, string? encrypted) =>
        $"{{\"subscriptionId\":\"{SubscriptionId}\",\"clientState\":\"benchmark-client-state\",\"changeType\":\"updated\",\"tenantId\":\"{GraphBenchmarkHost.TenantId}\"," +
        $"\"resource\":\"communications/presences/{user}\",\"subscriptionExpirationDateTime\":\"2026-11-24T10:00:00Z\"," +
        $"\"resourceData\":{{\"@odata.id\":\"users/{user}/presence\",\"@odata.type\":\"#microsoft.graph.presence\",\"id\":\"{user}\"}}" +
        (encrypted is null ? string.Empty : ",\"encryptedContent\":" + encrypted) + "}";

    private string Encrypt(string user, int round)
    {
        var (availability, activity) = round % 2 == 0 ? ("Busy", "InACall") : ("Available", "Available");
        var json = $"{{\"@odata.type\":\"#microsoft.graph.presence\",\"id\":\"{user}\",\"availability\":\"{availability}\",\"activity\":\"{activity}\",\"sequenceNumber\":\"{round.ToString("X8", CultureInfo.InvariantCulture)}\"}}";
        var key = RandomNumberGenerator.GetBytes(32);
        using var aes = Aes.Create();
        aes.Key = key;
        var data = aes.EncryptCbc(Encoding.UTF8.GetBytes(json), key.AsSpan(0, 16), PaddingMode.PKCS7);
        using var rsa = _certificate.GetRSAPublicKey()!;
        return $"{{\"data\":\"{Convert.ToBase64String(data)}\",\"dataSignature\":\"{Convert.ToBase64String(HMACSHA256.HashData(key, data))}\"," +
            $"\"dataKey\":\"{Convert.ToBase64String(rsa.Encrypt(key, RSAEncryptionPadding.OaepSHA1))}\",\"encryptionCertificateId\":\"cert-1\",\"encryptionCertificateThumbprint\":\"{_certificate.Thumbprint}\"}}";
    }
}
