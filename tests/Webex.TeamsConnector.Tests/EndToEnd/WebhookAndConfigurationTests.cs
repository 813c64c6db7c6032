using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Webex.TeamsConnector.AspNetCore;
using Webex.TeamsConnector.ContactCenter;
using Webex.TeamsConnector.Testing;

namespace Webex.TeamsConnector.Tests.EndToEnd;

/// <summary>The HTTP endpoints under abuse, change-notification mode, and configuration errors at start.</summary>
[Collection("EndToEnd")]
public class WebhookAndConfigurationTests
{
    private static readonly HttpClient s_http = new();

    private static Uri Endpoint(ConnectorWorld world, string path) =>
        new(world.AppUrl, TeamsConnectorEndpointRouteBuilderExtensions.DefaultPrefix + path);

    private static byte[] WxccDelivery(ConnectorWorld world, string agentId, string state, string? code, DateTimeOffset at) =>
        Encoding.UTF8.GetBytes(new JsonObject
        {
            ["id"] = Guid.NewGuid().ToString(),
            ["specversion"] = "1.0",
            ["type"] = "agent:state_change",
            ["source"] = "/com/cisco/wxcc/sub-1",
            ["comciscoorgid"] = world.Wxcc.OrgId,
            ["comciscotimestamp"] = at.ToUnixTimeMilliseconds(),
            ["datacontenttype"] = "application/json",
            ["data"] = new JsonObject { ["agentId"] = agentId, ["currentState"] = state, ["idleCodeId"] = code, ["createdTime"] = at.ToUnixTimeMilliseconds() },
        }.ToJsonString());

    private static async Task<HttpStatusCode> PostWxccAsync(ConnectorWorld world, byte[] body, string? signature)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, Endpoint(world, TeamsConnectorEndpointRouteBuilderExtensions.WebexEventsPath)) { Content = content };
        if (signature is not null)
        {
            request.Headers.TryAddWithoutValidation(WxccWebhookProcessor.SignatureHeader, signature);
        }

        using var response = await s_http.SendAsync(request);
        return response.StatusCode;
    }

    [Fact]
    public async Task WxccWebhook_BadSignature_Oversized_Replayed_AreRejectedAndCounted_AndChangeNoState()
    {
        await using var world = await ConnectorWorld.StartAsync(webhooks: true);
        var ann = world.Agents[0];
        var processor = world.App!.Services.GetRequiredService<WxccWebhookProcessor>();
        var body = WxccDelivery(world, ann.AgentId, "idle", world.LunchCode, DateTimeOffset.UtcNow);

        var valid = ContactCenterEmulator.Sign(ConnectorWorld.WebhookSecret, body);
        var forged = (valid[0] == '0' ? "1" : "0") + valid[1..];
        forged.Should().NotBe(valid).And.HaveLength(valid.Length);
        (await PostWxccAsync(world, body, forged)).Should().Be(HttpStatusCode.Unauthorized);
        (await PostWxccAsync(world, body, null)).Should().Be(HttpStatusCode.Unauthorized);
        (await PostWxccAsync(world, Encoding.UTF8.GetBytes(new string(' ', processor.MaxBodyBytes + 1)), "00")).Should().Be(HttpStatusCode.RequestEntityTooLarge);
        var stale = WxccDelivery(world, ann.AgentId, "idle", world.LunchCode, DateTimeOffset.UtcNow.AddMinutes(-11));
        (await PostWxccAsync(world, stale, ContactCenterEmulator.Sign(ConnectorWorld.WebhookSecret, stale))).Should().Be(HttpStatusCode.Unauthorized, "a correctly signed delivery outside the replay window is refused");
        processor.Rejected.Should().Be(4, "two forged deliveries, an oversized one and a stale one are each counted");
        await world.AssertLeftAloneAsync(ann, AgentState.Available, () => { });
        (await world.Admin.GetAgentsAsync(default)).Single(a => a.AgentId == ann.AgentId).State.Should().Be(AgentState.Available);

        var signature = ContactCenterEmulator.Sign(ConnectorWorld.WebhookSecret, body);
        (await PostWxccAsync(world, body, signature)).Should().Be(HttpStatusCode.OK);
        (await PostWxccAsync(world, body, signature)).Should().Be(HttpStatusCode.OK, "a repeat is acknowledged");
        processor.Duplicates.Should().BeGreaterThanOrEqualTo(1, "but not passed on again");
    }

    [Fact]
    public async Task GraphNotifications_Handshake_WrongClientState_UnknownSubscription_Malformed_AreAnsweredAndCounted()
    {
        await using var world = await ConnectorWorld.StartAsync(agents: 2, notifications: true);
        var url = Endpoint(world, TeamsConnectorEndpointRouteBuilderExtensions.GraphNotificationsPath);
        using var rejected = new MetricCollector<long>(world.App!.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), "Webex.TeamsConnector", "webex.teamsconnector.graph.notifications.rejected");

        using (var handshake = await s_http.PostAsync(new Uri(url + "?validationToken=" + Uri.EscapeDataString("token <&> 1")), null))
        {
            handshake.StatusCode.Should().Be(HttpStatusCode.OK);
            handshake.Content.Headers.ContentType!.MediaType.Should().Be("text/plain");
            (await handshake.Content.ReadAsStringAsync()).Should().Be("token <&> 1");
        }

        await ConnectorWorld.WaitAsync(() => world.Graph.Subscriptions.Count > 0, "the subscription is created");
        var subscription = world.Graph.Subscriptions[0];
        var forged = new JsonObject
        {
            ["value"] = new JsonArray(new JsonObject
            {
                ["subscriptionId"] = subscription.Id,
                ["clientState"] = "not-the-secret",
                ["changeType"] = "updated",
                ["tenantId"] = world.Graph.TenantId,
                ["resource"] = "communications/presences/" + world.Agents[0].TeamsUserId,
                ["resourceData"] = new JsonObject { ["id"] = world.Agents[0].TeamsUserId },
            }),
        }.ToJsonString();
        using (var response = await s_http.PostAsync(url, new StringContent(forged, Encoding.UTF8, "application/json")))
        {
            ((int)response.StatusCode).Should().BeInRange(200, 499);
        }

        using (var response = await s_http.PostAsync(url, new StringContent("{ not json", Encoding.UTF8, "application/json")))
        {
            response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        }

        var unknown = forged
            .Replace(subscription.Id, Guid.NewGuid().ToString(), StringComparison.Ordinal)
            .Replace("not-the-secret", ConnectorWorld.GraphClientState, StringComparison.Ordinal);
        using (var response = await s_http.PostAsync(url, new StringContent(unknown, Encoding.UTF8, "application/json")))
        {
            ((int)response.StatusCode).Should().BeInRange(200, 499);
        }

        var limit = world.App!.Services.GetRequiredService<IOptions<Webex.TeamsConnector.Graph.GraphOptions>>().Value.MaxNotificationBodyBytes;
        using (var response = await s_http.PostAsync(url, new StringContent("{\"value\":[" + new string(' ', limit) + "]}", Encoding.UTF8, "application/json")))
        {
            response.StatusCode.Should().Be(HttpStatusCode.RequestEntityTooLarge);
        }

        await ConnectorWorld.WaitAsync(() => rejected.GetMeasurementSnapshot().Any(m => Equals(m.Tags["reason"], "clientState")), "the wrong clientState is counted");
        await ConnectorWorld.WaitAsync(() => rejected.GetMeasurementSnapshot().Any(m => Equals(m.Tags["reason"], "subscription")), "the unknown subscription is counted");
        rejected.GetMeasurementSnapshot().Should().Contain(m => Equals(m.Tags["reason"], "malformed"));
        rejected.GetMeasurementSnapshot().Should().Contain(m => Equals(m.Tags["reason"], "too-large"));
        await world.AssertLeftAloneAsync(world.Agents[0], AgentState.Available, () => { });
    }

    [Fact]
    public async Task ChangeNotifications_TeamsCall_IsSyncedFromTheNotification()
    {
        await using var world = await ConnectorWorld.StartAsync(agents: 2, notifications: true);
        var ann = world.Agents[0];
        await ConnectorWorld.WaitAsync(() => world.Graph.Subscriptions.Count > 0, "the subscription is created");

        world.Graph.SetPresence(ann.TeamsUserId, "DoNotDisturb", "DoNotDisturb");

        await world.WaitForStateAsync(ann, AgentState.Idle(world.DndCode));

        // The emulator counts a delivery when the connector's answer reaches it, which may be after the connector acted on it.
        await ConnectorWorld.WaitAsync(() => world.Graph.NotificationsDelivered > 0, "the emulator counts the delivered notification");
    }

    [Fact]
    public async Task BadConfiguration_FailsAtStart_ListingEveryErrorOfEveryPackage_WithoutSecrets()
    {
        var settings = new Dictionary<string, string?>
        {
            ["TeamsConnector:StateSync:IdleCodes:Sleeping"] = "x",
            ["TeamsConnector:StateSync:PublishExpiration"] = "00:01:00",
            ["TeamsConnector:Bogus"] = "1",
            ["TeamsConnector:Graph:BaseUrl"] = "not a url",
            ["TeamsConnector:Graph:ClientSecret"] = "super-secret-graph-value",
            ["TeamsConnector:ContactCenter:ClientSecret"] = "super-secret-wxcc-value",
            ["TeamsConnector:ContactCenter:RequestsPerMinute"] = "0",
            ["TeamsConnector:ContactCenter:Colour"] = "blue",
            ["TeamsConnector:Graph:PollInterval"] = "SECRETkiwi",
            ["TeamsConnector:ContactCenter:EventSource"] = "SECRETfig",
            ["TeamsConnector:StateSync:EchoGracePeriod"] = "SECRETlime",
        };
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.ClearProviders();
        builder.Services.AddTeamsConnector(builder.Configuration.GetSection("TeamsConnector")).AddGraphPresence().AddWebexContactCenter();
        await using var app = builder.Build();

        var start = () => app.StartAsync();

        var thrown = (await start.Should().ThrowAsync<AggregateException>()).Which;
        var failures = Failures(thrown).ToList();
        var text = string.Join("\n", failures);
        text.Should().Contain("IdleCodes:Sleeping").And.Contain("PublishExpiration").And.Contain("TeamsConnector:Bogus");
        text.Should().Contain("Graph").And.Contain("ContactCenter");
        text.Should().Contain("RequestsPerMinute");
        text.Should().Contain("TeamsConnector:Graph:PollInterval is not a valid TimeSpan")
            .And.Contain("TeamsConnector:ContactCenter:EventSource is not a valid")
            .And.Contain("TeamsConnector:StateSync:EchoGracePeriod is not a valid TimeSpan")
            .And.Contain("Colour");
        text.Should().NotContain("super-secret").And.NotContain("blue").And.NotContain("SECRET");
        failures.Should().HaveCountGreaterThanOrEqualTo(9);
    }

    private static IEnumerable<string> Failures(Exception exception) => exception switch
    {
        AggregateException aggregate => aggregate.InnerExceptions.SelectMany(Failures),
        OptionsValidationException validation => validation.Failures,
        _ => [exception.Message],
    };
}
