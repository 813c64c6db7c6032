using Microsoft.Extensions.DependencyInjection;
using Webex.TeamsConnector.Testing;

namespace Webex.TeamsConnector.Graph.Tests;

public sealed class BoundedCacheTests
{
    [Fact]
    public void Set_Full_DropsExpiredEntriesFirst()
    {
        var clock = new ManualClock();
        var cache = new BoundedCache<int>(3, clock);
        cache.Set("short", 1, TimeSpan.FromMinutes(1));
        cache.Set("a", 2, TimeSpan.FromHours(1));
        cache.Set("b", 3, TimeSpan.FromHours(1));
        clock.Advance(TimeSpan.FromMinutes(2));

        cache.Set("c", 4, TimeSpan.FromHours(1));

        cache.Count.Should().Be(3);
        cache.TryGet("short", out _).Should().BeFalse();
        cache.TryGet("a", out var a).Should().BeTrue();
        a.Should().Be(2);
        cache.TryGet("c", out _).Should().BeTrue();
    }

    [Fact]
    public void Set_FullOfFreshEntries_DropsTheOldest()
    {
        var clock = new ManualClock();
        var cache = new BoundedCache<int>(3, clock);
        foreach (var key in new[] { "a", "b", "c" })
        {
            cache.Set(key, 0, TimeSpan.FromHours(1));
            clock.Advance(TimeSpan.FromSeconds(1));
        }

        cache.Set("d", 0, TimeSpan.FromHours(1));

        cache.Count.Should().Be(3);
        cache.TryGet("a", out _).Should().BeFalse("the entry closest to expiry goes first");
        new[] { "b", "c", "d" }.Where(k => !cache.TryGet(k, out var _)).Should().BeEmpty();
    }

    [Fact]
    public void Set_ManyKeys_NeverHoldsMoreThanTheCapacity()
    {
        var clock = new ManualClock();
        var cache = new BoundedCache<int>(100, clock);
        for (var i = 0; i < 10_000; i++)
        {
            cache.Set("user" + i, i, TimeSpan.FromHours(1));
            cache.Count.Should().BeLessThanOrEqualTo(100);
        }

        cache.TryGet("user9999", out var last).Should().BeTrue();
        last.Should().Be(9999);
    }

    [Fact]
    public async Task ResolveAsync_MoreUsersThanUserCacheSize_KeepsTheCacheBoundedAndLooksUpEvictedUsersAgain()
    {
        await using var host = await GraphTestHost.StartAsync(settings: new Dictionary<string, string?> { ["TeamsConnector:Graph:UserCacheSize"] = "2" });
        foreach (var name in new[] { "ann", "bob", "cy" })
        {
            host.Emulator.AddUser(new EmulatedUser { DisplayName = name, UserPrincipalName = name + "@contoso.example" });
        }

        var resolver = (GraphUserResolver)host.Services.GetRequiredService<ITeamsUserResolver>();
        foreach (var name in new[] { "ann", "bob", "cy" })
        {
            (await resolver.ResolveAsync(name + "@contoso.example", CancellationToken.None)).Should().NotBeNull();
            host.Clock.Advance(TimeSpan.FromSeconds(1));
        }

        resolver.CachedCount.Should().Be(2);
        await resolver.ResolveAsync("cy@contoso.example", CancellationToken.None);
        host.Emulator.RequestCount(GraphEmulatorOperation.GetUser).Should().Be(3, "cy is still cached");
        await resolver.ResolveAsync("ann@contoso.example", CancellationToken.None);
        host.Emulator.RequestCount(GraphEmulatorOperation.GetUser).Should().Be(4, "ann, the oldest, was evicted");
    }

    [Fact]
    public async Task SearchAsync_MoreExpertsThanExpertPresenceCacheSize_KeepsTheCacheBounded()
    {
        await using var host = await GraphTestHost.StartAsync(settings: new Dictionary<string, string?> { ["TeamsConnector:Graph:ExpertPresenceCacheSize"] = "3" });
        for (var i = 0; i < 8; i++)
        {
            host.Emulator.AddUser("Tax Expert " + i, department: "Tax", businessPhone: "+41 44 668 18 0" + i);
        }

        var directory = (GraphExpertDirectory)host.Services.GetRequiredService<IExpertDirectory>();
        var experts = await directory.SearchAsync(new ExpertQuery { Department = "Tax", MaxResults = 8 }, CancellationToken.None);

        experts.Should().HaveCount(8).And.OnlyContain(e => e.Presence != null);
        directory.CachedPresenceCount.Should().BeLessThanOrEqualTo(3);
    }
}
