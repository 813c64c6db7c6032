using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Webex.TeamsConnector.Graph.Tests;

public sealed class GraphNotificationProcessorTests : IAsyncLifetime
{
    private const string SubscriptionId = "7f105c7d-2dc5-4530-97cd-4e7ae6534c07";
    private const string UserId = "fa8bf3dc-eca7-46b7-bad1-db199b62afc3";
    private const string ClientState = "the-secret-client-state-0123456789";
    private GraphTestHost _host = null!;

    private IGraphNotificationProcessor Processor => _host.Services.GetRequiredService<IGraphNotificationProcessor>();

    private NotificationInbox Inbox => _host.Services.GetRequiredService<NotificationInbox>();

    private string TenantId => _host.Emulator.TenantId;

    public async Task InitializeAsync()
    {
        _host = await GraphTestHost.StartAsync(o => o.NotificationClientState = ClientState);
        _host.Services.GetRequiredService<SubscriptionRegistry>().Add(SubscriptionId);
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public void Process_ValidationToken_EchoesItAsPlainText()
    {
        const string token = "Validation: Testing client application reachability for subscription Request-Id: 4b8e";

        var response = Processor.Process(token, []);

        response.Should().Be(new GraphNotificationResponse(200, "text/plain", token));
    }

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    public void Process_EmptyValidationTokenOrNoBody_IsABadRequest(string? token)
    {
        Processor.Process(token, []).StatusCode.Should().Be(400);
    }

    [Fact]
    public void Process_ValidNotification_Answers202AndQueuesTheWork()
    {
        var response = Processor.Process(null, Body(Item()));

        response.Should().Be(new GraphNotificationResponse(202, null, null));
        Inbox.Reader.TryRead(out var work).Should().BeTrue();
        work.Should().Be(new NotificationWork(NotificationKind.Basic, SubscriptionId, UserId));
    }

    [Fact]
    public void Process_WrongClientState_IsRejectedCountedAndNotLogged()
    {
        var response = Processor.Process(null, Body(Item(clientState: "guess-" + ClientState)));

        response.StatusCode.Should().Be(202);
        Inbox.Reader.TryRead(out _).Should().BeFalse();
        _host.Metrics.Rejected("clientState").Should().Be(1);
        var logs = _host.AllLogText();
        logs.Should().Contain("clientState=1").And.NotContain(ClientState);
    }

    [Fact]
    public void Process_MissingClientState_IsRejected()
    {
        Processor.Process(null, Body(Item(clientState: null)));

        _host.Metrics.Rejected("clientState").Should().Be(1);
        Inbox.Reader.TryRead(out _).Should().BeFalse();
    }

    [Fact]
    public void Process_UnknownSubscription_IsRejected()
    {
        Processor.Process(null, Body(Item(subscriptionId: "aaaaaaaa-2dc5-4530-97cd-4e7ae6534c07")));

        _host.Metrics.Rejected("subscription").Should().Be(1);
        Inbox.Reader.TryRead(out _).Should().BeFalse();
    }

    [Fact]
    public void Process_OtherTenant_IsRejected()
    {
        Processor.Process(null, Body(Item(tenantId: "00000000-0000-0000-0000-000000000001")));

        _host.Metrics.Rejected("tenant").Should().Be(1);
        Inbox.Reader.TryRead(out _).Should().BeFalse();
    }

    [Fact]
    public void Process_MixedBatch_KeepsOnlyTheValidItems()
    {
        var response = Processor.Process(null, Body(Item(), Item(clientState: "x"), Item(userId: "not-a-guid"), "42", Item(userId: "0a8bf3dc-eca7-46b7-bad1-db199b62afc3")));

        response.StatusCode.Should().Be(202);
        var queued = new List<NotificationWork>();
        while (Inbox.Reader.TryRead(out var work))
        {
            queued.Add(work);
        }

        queued.Select(w => w.UserId).Should().Equal(UserId, "0a8bf3dc-eca7-46b7-bad1-db199b62afc3");
        _host.Metrics.RejectedTotal.Should().Be(3);
    }

    [Fact]
    public void Process_LifecycleEvent_IsQueued()
    {
        var item = $$"""{"subscriptionId":"{{SubscriptionId}}","subscriptionExpirationDateTime":"2026-11-24T10:00:00Z","tenantId":"{{TenantId}}","clientState":"{{ClientState}}","lifecycleEvent":"reauthorizationRequired"}""";

        Processor.Process(null, Body(item)).StatusCode.Should().Be(202);

        Inbox.Reader.TryRead(out var work).Should().BeTrue();
        (work!.Kind, work.LifecycleEvent).Should().Be((NotificationKind.Lifecycle, "reauthorizationRequired"));
    }

    [Fact]
    public void Process_ResourcePathWithoutResourceData_FindsTheUser()
    {
        var item = $$"""{"subscriptionId":"{{SubscriptionId}}","clientState":"{{ClientState}}","changeType":"updated","tenantId":"{{TenantId}}","resource":"users/{{UserId}}/presence"}""";

        Processor.Process(null, Body(item));

        Inbox.Reader.TryRead(out var work).Should().BeTrue();
        work!.UserId.Should().Be(UserId);
    }

    [Theory]
    [InlineData("{not json")]
    [InlineData("[]")]
    [InlineData("{\"value\":{}}")]
    [InlineData("{\"items\":[]}")]
    [InlineData("null")]
    public void Process_MalformedBody_Answers400AndCountsIt(string body)
    {
        var response = Processor.Process(null, Encoding.UTF8.GetBytes(body));

        response.StatusCode.Should().Be(400);
        _host.Metrics.Rejected("malformed").Should().Be(1);
        Inbox.Reader.TryRead(out _).Should().BeFalse();
    }

    [Fact]
    public void Process_DeeplyNestedJson_IsRefusedWithoutCrashing()
    {
        var body = new string('[', 10_000) + new string(']', 10_000);

        Processor.Process(null, Encoding.UTF8.GetBytes(body)).StatusCode.Should().Be(400);
    }

    [Fact]
    public async Task ProcessAsync_BodyOverTheLimit_Answers413()
    {
        var limit = _host.Services.GetRequiredService<IOptions<GraphOptions>>().Value.MaxNotificationBodyBytes;
        using var stream = new MemoryStream(new byte[limit + 1]);

        var response = await Processor.ProcessAsync(null, stream, CancellationToken.None);

        response.StatusCode.Should().Be(413);
        _host.Metrics.Rejected("too-large").Should().Be(1);
        Processor.Process(null, new byte[limit + 1]).StatusCode.Should().Be(413);
    }

    [Fact]
    public async Task ProcessAsync_StreamedBody_IsProcessedLikeABuffer()
    {
        var bytes = Body(Item(), Item());
        using var stream = new MemoryStream(bytes);

        var response = await ProcessInSmallReadsAsync(bytes);

        response.StatusCode.Should().Be(202);
        Inbox.Reader.Count.Should().Be(2);
        (await Processor.ProcessAsync("token", stream, CancellationToken.None)).Body.Should().Be("token");
    }

    private async Task<GraphNotificationResponse> ProcessInSmallReadsAsync(byte[] bytes)
    {
        using var stream = new TrickleStream(bytes);
        return await Processor.ProcessAsync(null, stream, CancellationToken.None);
    }

    private string Item(string? clientState = ClientState, string subscriptionId = SubscriptionId, string? tenantId = null, string userId = UserId)
    {
        var state = clientState is null ? string.Empty : $"\"clientState\":\"{clientState}\",";
        return $$"""{"subscriptionId":"{{subscriptionId}}",{{state}}"changeType":"updated","tenantId":"{{tenantId ?? TenantId}}","resource":"communications/presences/{{userId}}","subscriptionExpirationDateTime":"2026-11-24T10:00:00Z","resourceData":{"@odata.id":"users/{{userId}}/presence","@odata.type":"#microsoft.graph.presence","id":"{{userId}}"} }""";
    }

    private static byte[] Body(params string[] items) => Encoding.UTF8.GetBytes("{\"value\":[" + string.Join(',', items) + "]}");

    /// <summary>A stream that returns at most 7 bytes per read.</summary>
    private sealed class TrickleStream(byte[] data) : MemoryStream(data)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(7, buffer.Length)], cancellationToken);
    }
}
