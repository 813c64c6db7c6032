using Microsoft.Extensions.DependencyInjection;
using Microsoft.Kiota.Abstractions;
using Webex.TeamsConnector.Testing;

namespace Webex.TeamsConnector.Graph.Tests;

public sealed class GraphUserResolverTests
{
    [Fact]
    public async Task ResolveAsync_UserPrincipalName_GivesTheObjectIdAndCachesIt()
    {
        await using var host = await GraphTestHost.StartAsync();
        var ann = host.Emulator.AddUser(new EmulatedUser { DisplayName = "Ann Lee", UserPrincipalName = "ann@contoso.example" });
        var resolver = host.Services.GetRequiredService<ITeamsUserResolver>();

        (await resolver.ResolveAsync("ann@contoso.example", CancellationToken.None)).Should().Be(ann);
        (await resolver.ResolveAsync("ANN@contoso.example", CancellationToken.None)).Should().Be(ann);

        host.Emulator.RequestCount(GraphEmulatorOperation.GetUser).Should().Be(1);
    }

    [Fact]
    public async Task ResolveAsync_MailDiffersFromUpn_FindsTheUserByMail()
    {
        await using var host = await GraphTestHost.StartAsync();
        var ann = host.Emulator.AddUser(new EmulatedUser { DisplayName = "Ann Lee", UserPrincipalName = "alee@contoso.onmicrosoft.example", Mail = "ann.lee@contoso.example" });
        var resolver = host.Services.GetRequiredService<ITeamsUserResolver>();

        (await resolver.ResolveAsync("ann.lee@contoso.example", CancellationToken.None)).Should().Be(ann);

        host.Emulator.Requests.Select(r => (r.Operation, r.StatusCode)).Should().Equal((GraphEmulatorOperation.GetUser, 404), (GraphEmulatorOperation.ListUsers, 200));
    }

    [Fact]
    public async Task ResolveAsync_UnknownUser_IsNullAndCachedForTheNegativeDuration()
    {
        await using var host = await GraphTestHost.StartAsync(settings: new Dictionary<string, string?> { ["TeamsConnector:Graph:UserNotFoundCacheDuration"] = "00:05:00" });
        var resolver = host.Services.GetRequiredService<ITeamsUserResolver>();

        (await resolver.ResolveAsync("nobody@contoso.example", CancellationToken.None)).Should().BeNull();
        host.Clock.Advance(TimeSpan.FromMinutes(4));
        (await resolver.ResolveAsync("nobody@contoso.example", CancellationToken.None)).Should().BeNull();
        host.Emulator.RequestCount().Should().Be(2, "GET by UPN and the mail filter, once");

        var later = host.Emulator.AddUser(new EmulatedUser { DisplayName = "Nobody Yet", UserPrincipalName = "nobody@contoso.example" });
        host.Clock.Advance(TimeSpan.FromMinutes(2));
        (await resolver.ResolveAsync("nobody@contoso.example", CancellationToken.None)).Should().Be(later);
    }

    [Fact]
    public async Task ResolveAsync_PositiveEntry_ExpiresAfterTheCacheDuration()
    {
        await using var host = await GraphTestHost.StartAsync(settings: new Dictionary<string, string?> { ["TeamsConnector:Graph:UserCacheDuration"] = "01:00:00" });
        host.Emulator.AddUser(new EmulatedUser { DisplayName = "Ann Lee", UserPrincipalName = "ann@contoso.example" });
        var resolver = host.Services.GetRequiredService<ITeamsUserResolver>();

        await resolver.ResolveAsync("ann@contoso.example", CancellationToken.None);
        host.Clock.Advance(TimeSpan.FromMinutes(59));
        await resolver.ResolveAsync("ann@contoso.example", CancellationToken.None);
        host.Emulator.RequestCount().Should().Be(1);
        host.Clock.Advance(TimeSpan.FromMinutes(2));
        await resolver.ResolveAsync("ann@contoso.example", CancellationToken.None);
        host.Emulator.RequestCount().Should().Be(2);
    }

    [Fact]
    public async Task ResolveAsync_ConfiguredOverride_WinsWithoutARequest()
    {
        const string id = "0a8bf3dc-eca7-46b7-bad1-db199b62afc3";
        await using var host = await GraphTestHost.StartAsync(settings: new Dictionary<string, string?> { ["TeamsConnector:Graph:UserIdOverrides:agent7@contact.example"] = id });
        var resolver = host.Services.GetRequiredService<ITeamsUserResolver>();

        (await resolver.ResolveAsync("Agent7@Contact.example", CancellationToken.None)).Should().Be(id);

        host.Emulator.RequestCount().Should().Be(0);
    }

    [Theory]
    [InlineData("no-at-sign")]
    [InlineData("a@b@c")]
    [InlineData("ann@contoso.example/../../subscriptions")]
    [InlineData("ann lee@contoso.example")]
    [InlineData("@contoso.example")]
    public async Task ResolveAsync_NotAnEmail_IsNullWithoutARequest(string input)
    {
        await using var host = await GraphTestHost.StartAsync();
        var resolver = host.Services.GetRequiredService<ITeamsUserResolver>();

        (await resolver.ResolveAsync(input, CancellationToken.None)).Should().BeNull();

        host.Emulator.RequestCount().Should().Be(0);
    }

    [Fact]
    public async Task ResolveAsync_QuoteInTheAddress_IsEscapedInTheFilter()
    {
        await using var host = await GraphTestHost.StartAsync();
        var id = host.Emulator.AddUser(new EmulatedUser { DisplayName = "Ann O'Neil", UserPrincipalName = "aoneil@contoso.example", Mail = "ann.o'neil@contoso.example" });
        var resolver = host.Services.GetRequiredService<ITeamsUserResolver>();

        (await resolver.ResolveAsync("ann.o'neil@contoso.example", CancellationToken.None)).Should().Be(id);
    }

    [Fact]
    public async Task ResolveAsync_GraphFails_ThrowsAndCachesNothing()
    {
        await using var host = await GraphTestHost.StartAsync(settings: new Dictionary<string, string?> { ["TeamsConnector:Graph:MaxRetryAttempts"] = "0" });
        var ann = host.Emulator.AddUser(new EmulatedUser { DisplayName = "Ann Lee", UserPrincipalName = "ann@contoso.example" });
        var resolver = host.Services.GetRequiredService<ITeamsUserResolver>();
        host.Emulator.Faults.FailNext(1, 503);

        var first = async () => await resolver.ResolveAsync("ann@contoso.example", CancellationToken.None);

        (await first.Should().ThrowAsync<ApiException>()).Which.ResponseStatusCode.Should().Be(503);
        (await resolver.ResolveAsync("ann@contoso.example", CancellationToken.None)).Should().Be(ann);
    }

    [Fact]
    public async Task ResolveAsync_Empty_Throws()
    {
        await using var host = await GraphTestHost.StartAsync();
        var resolve = async () => await host.Services.GetRequiredService<ITeamsUserResolver>().ResolveAsync(" ", CancellationToken.None);

        await resolve.Should().ThrowAsync<ArgumentException>();
    }
}
