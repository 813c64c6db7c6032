using Webex.TeamsConnector.Testing;

namespace Webex.TeamsConnector.ContactCenter.Tests.Catalog;

/// <summary><c>UsersPageSize</c>: larger user pages when WxCC serves them, WxCC's size when it cuts them, 100 when it refuses.</summary>
public sealed class UsersPageSizeTests
{
    [Fact]
    public async Task GetUsers_LargerPagesServed_ReadsEveryUserInFewerRequests()
    {
        await using var h = await Harness.StartAsync(e => e.MaxPageSize = 1_000, settings: new() { ["UsersPageSize"] = "1000" });
        var agents = Enumerable.Range(0, 2_500).Select(_ => h.Wxcc.AddAgent()).ToHashSet();

        var users = await h.Directory.GetUsersAsync(CancellationToken.None);

        users.Select(u => u.AgentId).Should().BeEquivalentTo(agents);
        h.Wxcc.RequestCount("v2/user").Should().Be(3);
    }

    [Fact]
    public async Task GetUsers_ServerCutsThePageSize_FollowsItsSizeAndSkipsNoUser()
    {
        // The emulator serves at most 100 a page and says so in meta.pageSize: page 1 must be asked at 100, not 1,000.
        await using var h = await Harness.StartAsync(settings: new() { ["UsersPageSize"] = "1000" });
        var agents = Enumerable.Range(0, 250).Select(_ => h.Wxcc.AddAgent()).ToHashSet();

        var users = await h.Directory.GetUsersAsync(CancellationToken.None);

        users.Select(u => u.AgentId).Should().BeEquivalentTo(agents);
        users.Should().HaveCount(250);
        h.Wxcc.RequestCount("v2/user").Should().Be(3);
    }

    [Fact]
    public async Task GetUsers_ServerRefusesThePageSize_FallsBackTo100ForEveryLaterRead()
    {
        await using var h = await Harness.StartAsync(
            e =>
            {
                e.MaxPageSize = 100;
                e.RefuseLargerPageSize = true;
            },
            settings: new() { ["UsersPageSize"] = "1000" });
        var agents = Enumerable.Range(0, 250).Select(_ => h.Wxcc.AddAgent()).ToHashSet();

        var first = await h.Directory.GetUsersAsync(CancellationToken.None);
        h.Wxcc.RequestCount("v2/user").Should().Be(4, "one refused request, then three pages of 100");
        var second = await h.Directory.GetUsersAsync(CancellationToken.None);

        first.Select(u => u.AgentId).Should().BeEquivalentTo(agents);
        second.Select(u => u.AgentId).Should().BeEquivalentTo(agents);
        h.Wxcc.RequestCount("v2/user").Should().Be(7, "the second read asks pages of 100 at once");
        h.Logs.GetSnapshot().Where(r => r.Id.Id == 4063).Should().ContainSingle();
    }

    [Fact]
    public async Task Options_UsersPageSizeAbove1000_FailsValidation()
    {
        await using var h = await Harness.StartAsync(settings: new() { ["UsersPageSize"] = "1001" });

        var read = () => h.Options;

        read.Should().Throw<Microsoft.Extensions.Options.OptionsValidationException>().WithMessage("*UsersPageSize*");
    }
}
