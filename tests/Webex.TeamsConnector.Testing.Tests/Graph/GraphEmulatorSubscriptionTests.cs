using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Microsoft.Graph;
using Microsoft.Graph.Models;
using Microsoft.Graph.Models.ODataErrors;

namespace Webex.TeamsConnector.Testing.Tests.Graph;

public sealed class GraphEmulatorSubscriptionTests : IAsyncLifetime
{
    private const string ClientState = "client-state-secret";
    private readonly SignallingTimeProvider _time = new();
    private GraphEmulator _graph = null!;
    private GraphServiceClient _client = null!;
    private Subscriber _subscriber = null!;
    private string _ann = null!;
    private string _bob = null!;

    public async Task InitializeAsync()
    {
        _graph = await GraphEmulator.StartAsync(new GraphEmulatorOptions { TimeProvider = _time });
        _client = GraphClients.Sdk(_graph);
        _subscriber = await Subscriber.StartAsync();
        _ann = _graph.AddUser("Ann Lee");
        _bob = _graph.AddUser("Bob Stone");
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _graph.DisposeAsync();
        await _subscriber.DisposeAsync();
    }

    [Fact]
    public async Task Create_AnsweredHandshake_CreatesTheSubscription()
    {
        var created = await Create([_ann]);

        created!.Id.Should().NotBeNullOrEmpty();
        created.ExpirationDateTime.Should().Be(_time.GetUtcNow().AddMinutes(60));
        _graph.Subscriptions.Should().ContainSingle().Which.UserIds.Should().Equal(_ann);
        _subscriber.ValidationTokens.Should().HaveCount(2, "notificationUrl and lifecycleNotificationUrl are both validated")
            .And.OnlyContain(t => t.StartsWith("Validation: Testing client application reachability", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(Subscriber.Handshake.WrongBody)]
    [InlineData(Subscriber.Handshake.WrongContentType)]
    [InlineData(Subscriber.Handshake.ServerError)]
    public async Task Create_HandshakeNotAnsweredCorrectly_Is400(Subscriber.Handshake answer)
    {
        _subscriber.Answer = answer;

        var create = () => Create([_ann]);

        var error = (await create.Should().ThrowAsync<ODataError>()).Which;
        (error.ResponseStatusCode, error.Error!.Code).Should().Be((400, "ValidationError"));
        _graph.Subscriptions.Should().BeEmpty();
    }

    [Fact]
    public async Task Create_HandshakeNotAnsweredWithin10Seconds_Is400()
    {
        _subscriber.Answer = Subscriber.Handshake.Never;
        var waiting = _time.NextTimer;

        var create = Create([_ann]);
        await waiting.WaitAsync(TimeSpan.FromSeconds(10));
        _time.Advance(TimeSpan.FromSeconds(9));
        create.IsCompleted.Should().BeFalse();
        _time.Advance(TimeSpan.FromSeconds(1));

        var error = (await FluentActions.Awaiting(() => create).Should().ThrowAsync<ODataError>()).Which;
        error.Error!.Message.Should().Contain("not answered within 10 seconds");
    }

    [Fact]
    public async Task Create_NoListener_Is400()
    {
        var create = () => _client.Subscriptions.PostAsync(Subscription([_ann], notificationUrl: "http://127.0.0.1:1/nothing-listens-here"));

        (await create.Should().ThrowAsync<ODataError>()).Which.ResponseStatusCode.Should().Be(400);
    }

    [Fact]
    public async Task Create_Over650Ids_Is400()
    {
        var users = _graph.AddUsers(651);

        var create = () => Create([.. users]);

        (await create.Should().ThrowAsync<ODataError>()).Which.Error!.Message.Should().Contain("650");
        (await Create([.. users.Take(650)]))!.Id.Should().NotBeNull();
    }

    [Theory]
    [InlineData(61)]
    [InlineData(-1)]
    public async Task Create_ExpirationOutsideTheNext60Minutes_Is400(int minutes)
    {
        var create = () => _client.Subscriptions.PostAsync(Subscription([_ann], expiration: _time.GetUtcNow().AddMinutes(minutes)));

        (await create.Should().ThrowAsync<ODataError>()).Which.ResponseStatusCode.Should().Be(400);
    }

    [Theory]
    [InlineData("https://example.com/notify", "/users/x/messages")]
    [InlineData("http://example.com/notify", null)]
    public async Task Create_UnsupportedResourceOrPlainHttpOffLoopback_Is400(string notificationUrl, string? resource)
    {
        var subscription = Subscription([_ann], notificationUrl: notificationUrl);
        subscription.Resource = resource ?? subscription.Resource;

        var create = () => _client.Subscriptions.PostAsync(subscription);

        (await create.Should().ThrowAsync<ODataError>()).Which.ResponseStatusCode.Should().Be(400);
    }

    [Fact]
    public async Task Create_RichWithoutCertificate_Is400()
    {
        var subscription = Subscription([_ann]);
        subscription.IncludeResourceData = true;

        var create = () => _client.Subscriptions.PostAsync(subscription);

        (await create.Should().ThrowAsync<ODataError>()).Which.Error!.Message.Should().Contain("encryptionCertificate");
    }

    [Fact]
    public async Task Renew_Within60Minutes_ExtendsTheExpiry()
    {
        var created = await Create([_ann]);
        _time.Advance(TimeSpan.FromMinutes(50));

        var renewed = await _client.Subscriptions[created!.Id].PatchAsync(new Subscription { ExpirationDateTime = _time.GetUtcNow().AddMinutes(60) });
        var tooFar = () => _client.Subscriptions[created.Id].PatchAsync(new Subscription { ExpirationDateTime = _time.GetUtcNow().AddMinutes(61) });

        renewed!.ExpirationDateTime.Should().Be(_time.GetUtcNow().AddMinutes(60));
        (await tooFar.Should().ThrowAsync<ODataError>()).Which.ResponseStatusCode.Should().Be(400);
        _time.Advance(TimeSpan.FromMinutes(30));
        _graph.Subscriptions.Should().ContainSingle();
    }

    [Fact]
    public async Task Expiry_RemovesTheSubscriptionAndStopsNotifications()
    {
        var created = await Create([_ann]);

        _time.Advance(TimeSpan.FromMinutes(60));
        _graph.SetPresence(_ann, "Busy", "InACall");
        var renew = () => _client.Subscriptions[created!.Id].PatchAsync(new Subscription { ExpirationDateTime = _time.GetUtcNow().AddMinutes(30) });

        (await renew.Should().ThrowAsync<ODataError>()).Which.ResponseStatusCode.Should().Be(404);
        _graph.Subscriptions.Should().BeEmpty();
        await _graph.FlushNotificationsAsync();
        _subscriber.Notifications.Should().BeEmpty();
    }

    [Fact]
    public async Task DeleteAndReauthorize_BehaveAsGraph()
    {
        var created = await Create([_ann]);

        await _client.Subscriptions[created!.Id].Reauthorize.PostAsync();
        await _client.Subscriptions[created.Id].DeleteAsync();
        var again = () => _client.Subscriptions[created.Id].DeleteAsync();

        (await again.Should().ThrowAsync<ODataError>()).Which.ResponseStatusCode.Should().Be(404);
        _graph.RequestCount(GraphEmulatorOperation.ReauthorizeSubscription).Should().Be(1);
        (await _client.Subscriptions.GetAsync())!.Value.Should().BeEmpty();
    }

    [Fact]
    public async Task PresenceChange_DeliversABasicNotificationForSubscribedUsersOnly()
    {
        var created = await Create([_ann]);

        _graph.SetPresence(_bob, "Busy", "InACall");
        _graph.SetPresence(_ann, "Busy", "InACall");
        await _subscriber.WaitForAsync(1);

        using var body = JsonDocument.Parse(_subscriber.Notifications.Single());
        var item = body.RootElement.GetProperty("value").EnumerateArray().Single();
        item.GetProperty("subscriptionId").GetString().Should().Be(created!.Id);
        item.GetProperty("clientState").GetString().Should().Be(ClientState);
        item.GetProperty("tenantId").GetString().Should().Be(_graph.TenantId);
        item.GetProperty("changeType").GetString().Should().Be("updated");
        item.GetProperty("resource").GetString().Should().Be("communications/presences/" + _ann);
        item.GetProperty("resourceData").GetProperty("id").GetString().Should().Be(_ann);
        item.TryGetProperty("encryptedContent", out _).Should().BeFalse();
    }

    [Fact]
    public async Task PresenceChange_RichSubscription_DeliversDataOnlyThePrivateKeyOpens()
    {
        using var certificate = CreateCertificate();
        var subscription = Subscription([_ann]);
        subscription.IncludeResourceData = true;
        subscription.EncryptionCertificate = Convert.ToBase64String(certificate.Export(X509ContentType.Cert));
        subscription.EncryptionCertificateId = "cert-7";
        await _client.Subscriptions.PostAsync(subscription);

        _graph.SetPresence(_ann, "DoNotDisturb", "Presenting");
        await _subscriber.WaitForAsync(1);

        using var body = JsonDocument.Parse(_subscriber.Notifications.Single());
        body.RootElement.GetProperty("validationTokens").GetArrayLength().Should().Be(1);
        var content = body.RootElement.GetProperty("value")[0].GetProperty("encryptedContent");
        content.GetProperty("encryptionCertificateId").GetString().Should().Be("cert-7");
        content.GetProperty("encryptionCertificateThumbprint").GetString().Should().Be(certificate.Thumbprint);
        var (json, signatureValid) = Decrypt(certificate, content);
        signatureValid.Should().BeTrue();
        using var presence = JsonDocument.Parse(json);
        presence.RootElement.GetProperty("id").GetString().Should().Be(_ann);
        presence.RootElement.GetProperty("availability").GetString().Should().Be("DoNotDisturb");
        presence.RootElement.GetProperty("activity").GetString().Should().Be("Presenting");
        presence.RootElement.GetProperty("sequenceNumber").GetString().Should().Be(_graph.GetPresence(_ann).SequenceNumber);
    }

    [Fact]
    public async Task TamperNextRichNotifications_BreaksTheSignature()
    {
        using var certificate = CreateCertificate();
        var subscription = Subscription([_ann]);
        subscription.IncludeResourceData = true;
        subscription.EncryptionCertificate = Convert.ToBase64String(certificate.Export(X509ContentType.Cert));
        subscription.EncryptionCertificateId = "cert-7";
        await _client.Subscriptions.PostAsync(subscription);
        _graph.Faults.TamperNextRichNotifications(1);

        _graph.SetPresence(_ann, "Busy", "InACall");
        _graph.SetPresence(_ann, "Away", "Away");
        await _subscriber.WaitForAsync(2);

        var results = _subscriber.Notifications.Select(n =>
        {
            using var body = JsonDocument.Parse(n);
            return Decrypt(certificate, body.RootElement.GetProperty("value")[0].GetProperty("encryptedContent")).SignatureValid;
        });
        results.Should().Equal(false, true);
    }

    [Fact]
    public async Task Faults_DuplicateNotifications_DeliversEachTwice()
    {
        await Create([_ann]);
        _graph.Faults.DuplicateNotifications = true;

        _graph.SetPresence(_ann, "Busy", "InACall");
        await _subscriber.WaitForAsync(2);

        _subscriber.Notifications.Distinct().Should().ContainSingle();
    }

    [Fact]
    public async Task Faults_ReorderNotifications_HoldsThemUntilFlushedNewestFirst()
    {
        await Create([_ann, _bob]);
        _graph.Faults.ReorderNotifications = true;

        _graph.SetPresence(_ann, "Busy", "InACall");
        _graph.SetPresence(_bob, "Away", "Away");
        _graph.SetPresence(_ann, "DoNotDisturb", "Presenting");
        _subscriber.Notifications.Should().BeEmpty();
        await _graph.FlushNotificationsAsync();
        await _subscriber.WaitForAsync(1);

        using var body = JsonDocument.Parse(_subscriber.Notifications.Single());
        var users = body.RootElement.GetProperty("value").EnumerateArray().Select(i => i.GetProperty("resourceData").GetProperty("id").GetString()).ToList();
        users.Should().Equal(_ann, _bob, _ann);
    }

    [Fact]
    public async Task Faults_SilencedSubscription_StopsFiringButStaysListed()
    {
        var created = await Create([_ann]);
        _graph.Faults.SilenceSubscription(created!.Id!);

        _graph.SetPresence(_ann, "Busy", "InACall");

        _graph.NotificationsSuppressed.Should().Be(1);
        _graph.Subscriptions.Should().ContainSingle();
        (await _client.Subscriptions[created.Id].GetAsync())!.Id.Should().Be(created.Id);
    }

    [Theory]
    [InlineData(GraphLifecycleEvent.ReauthorizationRequired, "reauthorizationRequired", 1)]
    [InlineData(GraphLifecycleEvent.SubscriptionRemoved, "subscriptionRemoved", 0)]
    [InlineData(GraphLifecycleEvent.Missed, "missed", 1)]
    public async Task SendLifecycleNotification_PostsTheEventToTheLifecycleUrl(GraphLifecycleEvent lifecycle, string name, int remaining)
    {
        var created = await Create([_ann]);

        await _graph.SendLifecycleNotificationAsync(created!.Id!, lifecycle);

        using var body = JsonDocument.Parse(_subscriber.Notifications.Single());
        var item = body.RootElement.GetProperty("value")[0];
        item.GetProperty("lifecycleEvent").GetString().Should().Be(name);
        item.GetProperty("clientState").GetString().Should().Be(ClientState);
        _graph.Subscriptions.Should().HaveCount(remaining);
    }

    [Fact]
    public async Task ReauthorizationRequired_PausesDeliveryUntilReauthorized()
    {
        var created = await Create([_ann]);
        await _graph.SendLifecycleNotificationAsync(created!.Id!, GraphLifecycleEvent.ReauthorizationRequired);

        _graph.SetPresence(_ann, "Busy", "InACall");
        _graph.NotificationsSuppressed.Should().Be(1);
        await _client.Subscriptions[created.Id].Reauthorize.PostAsync();
        _graph.SetPresence(_ann, "Away", "Away");
        await _subscriber.WaitForAsync(2);

        _graph.Subscriptions.Single().NeedsReauthorization.Should().BeFalse();
    }

    [Fact]
    public async Task SessionExpiry_NotifiesSubscribersWhenThePresenceChanges()
    {
        await Create([_ann]);
        await _client.Users[_ann].Presence.SetPresence.PostAsync(new() { SessionId = GraphClients.AppId, Availability = "Busy", Activity = "InACall", ExpirationDuration = TimeSpan.FromMinutes(5) });
        await _subscriber.WaitForAsync(1);

        _time.Advance(TimeSpan.FromMinutes(5));
        await _subscriber.WaitForAsync(2);

        _graph.GetPresence(_ann).Activity.Should().Be("Available");
    }

    private static X509Certificate2 CreateCertificate()
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=emulator-tests", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pfx), null);
    }

    private static (string Json, bool SignatureValid) Decrypt(X509Certificate2 certificate, JsonElement content)
    {
        using var rsa = certificate.GetRSAPrivateKey()!;
        var key = rsa.Decrypt(Convert.FromBase64String(content.GetProperty("dataKey").GetString()!), RSAEncryptionPadding.OaepSHA1);
        var data = Convert.FromBase64String(content.GetProperty("data").GetString()!);
        var valid = CryptographicOperations.FixedTimeEquals(HMACSHA256.HashData(key, data), Convert.FromBase64String(content.GetProperty("dataSignature").GetString()!));
        if (!valid)
        {
            return (string.Empty, false);
        }

        using var aes = Aes.Create();
        aes.Key = key;
        return (Encoding.UTF8.GetString(aes.DecryptCbc(data, key.AsSpan(0, 16), PaddingMode.PKCS7)), true);
    }

    [Fact]
    public async Task WaitUntilAsync_SubscriptionCreatedThenRemoved_WakesEachWait()
    {
        var created = _graph.WaitUntilAsync(g => g.Subscriptions.Count == 1);
        created.IsCompleted.Should().BeFalse();

        var subscription = await Create([_ann]);
        await created.WaitAsync(TimeSpan.FromSeconds(10));
        var removed = _graph.WaitUntilAsync(g => g.Subscriptions.Count == 0);
        removed.IsCompleted.Should().BeFalse();
        _graph.RemoveSubscription(subscription!.Id!).Should().BeTrue();

        await removed.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task WaitUntilAsync_NotificationDelivered_WakesTheWait()
    {
        await Create([_ann]);
        var delivered = _graph.WaitUntilAsync(g => g.NotificationsDelivered == 1);
        delivered.IsCompleted.Should().BeFalse();

        _graph.SetPresence(_ann, "Busy", "InACall");

        await delivered.WaitAsync(TimeSpan.FromSeconds(10));
        _subscriber.Notifications.Should().ContainSingle();
    }

    private Task<Subscription?> Create(string[] users) => _client.Subscriptions.PostAsync(Subscription(users));

    private Subscription Subscription(string[] users, string? notificationUrl = null, DateTimeOffset? expiration = null) => new()
    {
        ChangeType = "updated",
        NotificationUrl = notificationUrl ?? _subscriber.Url.ToString(),
        LifecycleNotificationUrl = notificationUrl ?? _subscriber.Url.ToString(),
        Resource = "/communications/presences?$filter=id in (" + string.Join(',', users.Select(u => $"'{u}'")) + ")",
        ExpirationDateTime = expiration ?? _time.GetUtcNow().AddMinutes(60),
        ClientState = ClientState,
    };
}
