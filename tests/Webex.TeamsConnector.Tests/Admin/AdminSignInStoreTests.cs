using Microsoft.Extensions.Time.Testing;

namespace Webex.TeamsConnector.Tests.Admin;

/// <summary>The in-memory store of pending sign-in and consent states: single use, expiring, bounded.</summary>
public class AdminSignInStoreTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 29, 8, 0, 0, TimeSpan.Zero));

    private PendingAdminSignIn Pending(TimeSpan lifetime) => new(AdminSignInStep.SignIn, _time.GetUtcNow() + lifetime) { CodeVerifier = "v", Nonce = "n" };

    [Fact]
    public async Task TryTake_ReturnsTheStateOnce()
    {
        var store = new InMemoryAdminSignInStore(_time, 4);
        (await store.TryAddAsync("a", Pending(TimeSpan.FromMinutes(15)), default)).Should().BeTrue();

        (await store.TryTakeAsync("a", default)).Should().NotBeNull().And.Match<PendingAdminSignIn>(p => p.Nonce == "n");
        (await store.TryTakeAsync("a", default)).Should().BeNull("a state is usable once");
        (await store.TryTakeAsync("", default)).Should().BeNull();
    }

    [Fact]
    public async Task TryAdd_WhenFull_IsRefused_UntilStatesExpireOrAreUsed()
    {
        var store = new InMemoryAdminSignInStore(_time, 2);
        (await store.TryAddAsync("a", Pending(TimeSpan.FromMinutes(1)), default)).Should().BeTrue();
        (await store.TryAddAsync("b", Pending(TimeSpan.FromMinutes(15)), default)).Should().BeTrue();

        (await store.TryAddAsync("c", Pending(TimeSpan.FromMinutes(15)), default)).Should().BeFalse("the store is bounded");

        _time.Advance(TimeSpan.FromMinutes(2));
        (await store.TryAddAsync("c", Pending(TimeSpan.FromMinutes(15)), default)).Should().BeTrue("the expired state made room");
        store.Count.Should().Be(2);
        (await store.TryTakeAsync("a", default)).Should().BeNull("expired states are dropped");
        await store.TryTakeAsync("b", default);
        (await store.TryAddAsync("d", Pending(TimeSpan.FromMinutes(15)), default)).Should().BeTrue("a used state made room");
    }

    [Fact]
    public async Task TryAdd_SameStateTwice_IsRefused()
    {
        var store = new InMemoryAdminSignInStore(_time, 4);
        (await store.TryAddAsync("a", Pending(TimeSpan.FromMinutes(15)), default)).Should().BeTrue();

        (await store.TryAddAsync("a", Pending(TimeSpan.FromMinutes(15)), default)).Should().BeFalse();
    }
}
