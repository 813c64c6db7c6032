using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Webex.TeamsConnector.Testing;

namespace Webex.TeamsConnector.Testing.Tests.ContactCenter;

/// <summary><c>PUT /organization/{orgId}/agent-profile/{id}</c>: the emulator stores the toggles and keeps Teams and Webex App exclusive.</summary>
public class DesktopProfileWriteTests
{
    [Fact]
    public async Task PutAgentProfile_StoresTheToggles_AndServesThemBack()
    {
        await using var c = await EmulatorClient.StartAsync();
        await c.AuthorizeAsync();
        c.Wxcc.SetDesktopProfile(new DesktopProfile("p1", StateSynchronizationMS: true) { Name = "Sales" });

        using var put = await c.Http.PutAsync(new Uri(c.Wxcc.BaseUrl, $"organization/{c.Wxcc.OrgId}/agent-profile/p1"), Body("{\"name\":\"Sales\",\"showUserDetailsMS\":true}"));
        using var read = await c.GetAsync($"organization/{c.Wxcc.OrgId}/agent-profile/p1");

        put.StatusCode.Should().Be(HttpStatusCode.OK);
        (await read.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("showUserDetailsMS").GetBoolean().Should().BeTrue();
        c.Wxcc.GetDesktopProfile("p1").Should().Be(new DesktopProfile("p1", StateSynchronizationMS: true, ShowUserDetailsMS: true) { Name = "Sales" });
    }

    [Theory]
    [InlineData("{\"stateSynchronizationWebex\":true}", HttpStatusCode.BadRequest)]
    [InlineData("{not json", HttpStatusCode.BadRequest)]
    [InlineData("[]", HttpStatusCode.BadRequest)]
    public async Task PutAgentProfile_ClashingTogglesOrABadBody_AreRefused_AndNothingChanges(string json, HttpStatusCode status)
    {
        await using var c = await EmulatorClient.StartAsync();
        await c.AuthorizeAsync();
        var profile = new DesktopProfile("p1", StateSynchronizationMS: true);
        c.Wxcc.SetDesktopProfile(profile);

        using var put = await c.Http.PutAsync(new Uri(c.Wxcc.BaseUrl, $"organization/{c.Wxcc.OrgId}/agent-profile/p1"), Body(json));

        put.StatusCode.Should().Be(status);
        c.Wxcc.GetDesktopProfile("p1").Should().Be(profile);
    }

    [Fact]
    public async Task PutAgentProfile_UnknownProfile_Is404()
    {
        await using var c = await EmulatorClient.StartAsync();
        await c.AuthorizeAsync();

        using var put = await c.Http.PutAsync(new Uri(c.Wxcc.BaseUrl, $"organization/{c.Wxcc.OrgId}/agent-profile/nope"), Body("{}"));

        put.StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    private static StringContent Body(string json) => new(json, Encoding.UTF8, "application/json");
}
