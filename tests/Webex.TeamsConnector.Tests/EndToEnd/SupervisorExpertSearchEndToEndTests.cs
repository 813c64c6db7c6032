using Microsoft.Extensions.DependencyInjection;

namespace Webex.TeamsConnector.Tests.EndToEnd;

/// <summary>
/// Supervisors search experts like agents: a WxCC user whom the connector does not sync (a supervisor's desktop profile
/// has no Teams state synchronization, and the user never signs in as an agent) may search when the profile shows
/// Microsoft Teams user details.
/// </summary>
[Collection("EndToEnd")]
public class SupervisorExpertSearchEndToEndTests
{
    private static readonly ExpertQuery s_tax = new() { Department = "Tax" };

    private static async Task<(ConnectorWorld World, IAgentExpertSearch Search)> StartAsync()
    {
        var world = await ConnectorWorld.StartAsync(agents: 1);
        world.Graph.AddUser("Tara Tax", "Tax", "Tax adviser", "+1 555 0100", "tara@contoso.example");
        world.Wxcc.SetDesktopProfile(new DesktopProfile("supervisors", StateSynchronizationMS: false, ShowUserDetailsMS: true));
        world.Wxcc.SetDesktopProfile(new DesktopProfile("supervisors-plain", StateSynchronizationMS: false, ShowUserDetailsMS: false));
        return (world, world.App!.Services.GetRequiredService<IAgentExpertSearch>());
    }

    [Fact]
    public async Task SupervisorNotSynced_ProfileShowsTeamsUserDetails_SearchesAndGetsExperts()
    {
        var (world, search) = await StartAsync();
        await using var _ = world;
        var supervisor = world.Wxcc.AddAgent(email: "sam.supervisor@contoso.example", desktopProfileId: "supervisors");

        var result = await search.SearchAsync(supervisor, s_tax, default);

        result.Allowed.Should().BeTrue(result.Reason);
        result.Experts.Should().ContainSingle().Which.DisplayName.Should().Be("Tara Tax");
        (await world.Admin.GetAgentsAsync(default)).Should().NotContain(a => a.AgentId == supervisor, "a supervisor is not synced, yet may search");
    }

    [Fact]
    public async Task Supervisor_ProfileDoesNotShowTeamsUserDetails_IsRefusedWithTheReason()
    {
        var (world, search) = await StartAsync();
        await using var _ = world;
        var supervisor = world.Wxcc.AddAgent(email: "pat.supervisor@contoso.example", desktopProfileId: "supervisors-plain");

        var result = await search.SearchAsync(supervisor, s_tax, default);

        result.Allowed.Should().BeFalse();
        result.Experts.Should().BeEmpty();
        result.Reason.Should().Be("the desktop profile supervisors-plain does not show Microsoft Teams user details");
    }

    [Fact]
    public async Task SupervisorWithoutDesktopProfile_IsRefusedSayingNoProfileShowsTeamsUserDetails()
    {
        var (world, search) = await StartAsync();
        await using var _ = world;
        var supervisor = world.Wxcc.AddAgent(email: "lee.supervisor@contoso.example", desktopProfileId: null);

        var result = await search.SearchAsync(supervisor, s_tax, default);

        result.Allowed.Should().BeFalse();
        result.Reason.Should().Be("the user has no desktop profile, so none shows Microsoft Teams user details");
    }
}
