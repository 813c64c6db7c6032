using System.Net;
using System.Text;

namespace Webex.TeamsConnector.Testing.Tests.Graph;

/// <summary>The Graph emulator is a strict server: a request body with a field Graph does not document gets 400.</summary>
public sealed class GraphRequestBodyStrictnessTests
{
    [Theory]
    [InlineData("POST", "users/{user}/presence/setPresence", """{"sessionId":"{app}","availability":"Busy","activity":"InACall","expirationDuration":"PT1H","priority":1}""", "priority")]
    [InlineData("POST", "users/{user}/presence/clearPresence", """{"sessionId":"{app}","availability":"Busy"}""", "availability")]
    [InlineData("POST", "communications/getPresencesByUserId", """{"ids":["{user}"],"select":"all"}""", "select")]
    [InlineData("POST", "subscriptions", """{"changeType":"updated","notificationUrl":"https://example.test/n","resource":"/communications/presences?$filter=id in ('{user}')","expirationDateTime":"2030-01-01T00:00:00Z","clientState":"x","status":"on"}""", "status")]
    public async Task Request_UndocumentedField_IsRefused400NamingIt(string method, string path, string json, string field)
    {
        await using var graph = await GraphEmulator.StartAsync();
        var user = graph.AddUser("Ann Lee");
        using var http = GraphClients.Raw(graph);
        json = json.Replace("{user}", user, StringComparison.Ordinal).Replace("{app}", GraphClients.AppId, StringComparison.Ordinal);

        using var request = new HttpRequestMessage(new HttpMethod(method), path.Replace("{user}", user, StringComparison.Ordinal))
        {
            Content = new StringContent(json, Encoding.UTF8, "application/json"),
        };
        using var response = await http.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync()).Should().Contain(field);
    }
}
