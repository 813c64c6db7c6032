using System.Net;
using System.Text;

namespace Webex.TeamsConnector.Testing.Tests.ContactCenter;

/// <summary>The WxCC emulator is a strict server: a request body with a field Cisco's schema does not have gets 400.</summary>
public sealed class RequestBodyStrictnessTests
{
    private const string Secret = "0123456789abcdef0123456789abcdef";

    [Theory]
    [InlineData("POST", "v2/subscriptions", """{"name":"t","eventTypes":["agent:state_change"],"destinationUrl":"{url}","secret":"{secret}","resourceVersion":"agent:1.0.0","status":"active"}""", "status")]
    [InlineData("PATCH", "v2/subscriptions/{id}", """{"name":"renamed","eventTypes":["agent:state_change"],"destinationUrl":"{url}","secret":"{secret}"}""", "name")]
    [InlineData("PUT", "v1/agents/session/state", """{"state":"Available","auxCodeId":"0","agentId":"{agent}","lastStateChangeReason":"x","priority":1}""", "priority")]
    [InlineData("POST", "v1/notification/subscribe", """{"isKeepAliveEnabled":true,"clientType":"AgentDesktop","allowMultiLogin":true,"force":false,"mode":"x"}""", "mode")]
    [InlineData("PUT", "webex/v1/telephony/config/settings/msTeams?orgId={org}", """{"settingName":"PRESENCE_SYNC","value":true,"level":"ORGANIZATION"}""", "level")]
    public async Task Request_UndocumentedField_IsRefused400NamingIt(string method, string path, string json, string field)
    {
        await using var c = await EmulatorClient.StartAsync();
        await c.AuthorizeAsync();
        var agent = c.Wxcc.AddAgent();
        c.Wxcc.SignIn(agent);
        const string url = "http://127.0.0.1:9/hook";
        var id = c.Wxcc.AddSubscription("existing", new Uri(url), Secret);
        json = json.Replace("{url}", url, StringComparison.Ordinal).Replace("{secret}", Secret, StringComparison.Ordinal).Replace("{agent}", agent, StringComparison.Ordinal);

        using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(c.Wxcc.BaseUrl, path.Replace("{id}", id, StringComparison.Ordinal).Replace("{org}", c.Wxcc.OrgId, StringComparison.Ordinal)))
        {
            Content = new StringContent(json, Encoding.UTF8, "application/json"),
        };
        using var response = await c.Http.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync()).Should().Contain(field);
    }

    [Fact]
    public async Task Subscriptions_DocumentedCreateAndUpdateBodies_AreAccepted()
    {
        await using var c = await EmulatorClient.StartAsync();
        await c.AuthorizeAsync();

        using var created = await c.PostJsonAsync("v2/subscriptions", $$"""{"name":"t","description":"d","eventTypes":["agent:state_change"],"destinationUrl":"http://127.0.0.1:9/hook","secret":"{{Secret}}","orgId":"{{c.Wxcc.OrgId}}","resourceVersion":"agent:1.0.0"}""");
        created.StatusCode.Should().Be(HttpStatusCode.Created);
        var id = c.Wxcc.Subscriptions.Single().Id;
        using var patch = new HttpRequestMessage(HttpMethod.Patch, new Uri(c.Wxcc.BaseUrl, "v2/subscriptions/" + id))
        {
            Content = new StringContent($$"""{"description":"d","eventTypes":["agent:login"],"destinationUrl":"http://127.0.0.1:9/hook2","secret":"{{Secret}}","resourceVersion":"agent:1.0.0","status":"active"}""", Encoding.UTF8, "application/json"),
        };
        using var updated = await c.Http.SendAsync(patch);

        updated.StatusCode.Should().Be(HttpStatusCode.OK);
        c.Wxcc.Subscriptions.Single().Name.Should().Be("t", "an update cannot rename a subscription");
        c.Wxcc.Subscriptions.Single().DestinationUrl.Should().Be(new Uri("http://127.0.0.1:9/hook2"));
    }
}
