using Microsoft.Extensions.DependencyInjection;

namespace Webex.TeamsConnector.ContactCenter.Tests.Auth;

public sealed class TokenTests
{
    [Fact]
    public async Task GetAccessToken_ManyConcurrentCallers_MakeOneRefresh()
    {
        await using var h = await Harness.StartAsync();

        var tokens = await Task.WhenAll(Enumerable.Range(0, 64).Select(_ => Task.Run(() => h.Tokens.GetAccessTokenAsync(CancellationToken.None))));

        tokens.Distinct().Should().ContainSingle();
        h.Wxcc.TokenRequests.Should().Be(1);
    }

    [Fact]
    public async Task GetAccessToken_CachedUntilShortlyBeforeExpiry_ThenRefreshed()
    {
        await using var h = await Harness.StartAsync(e => e.AccessTokenLifetime = TimeSpan.FromHours(1));
        var first = await h.Tokens.GetAccessTokenAsync(CancellationToken.None);

        h.Time.Advance(TimeSpan.FromMinutes(54));
        var cached = await h.Tokens.GetAccessTokenAsync(CancellationToken.None);
        h.Time.Advance(TimeSpan.FromMinutes(2));
        var renewed = await h.Tokens.GetAccessTokenAsync(CancellationToken.None);

        cached.Should().Be(first);
        renewed.Should().NotBe(first);
        h.Wxcc.TokenRequests.Should().Be(2);
    }

    [Fact]
    public async Task ApiCall_Unauthorized_RefreshesOnceAndRetriesOnce()
    {
        await using var h = await Harness.StartAsync();
        await h.Directory.GetPresenceSyncSettingAsync(CancellationToken.None);
        h.Wxcc.ExpireAccessTokens();

        var setting = await h.Directory.GetPresenceSyncSettingAsync(CancellationToken.None);

        setting.Should().BeTrue();
        h.Wxcc.TokenRequests.Should().Be(2);
        h.Wxcc.RequestCount("msTeams").Should().Be(3);
    }

    [Fact]
    public async Task ApiCalls_ConcurrentUnauthorized_ShareOneRefresh()
    {
        await using var h = await Harness.StartAsync();
        await h.Directory.GetPresenceSyncSettingAsync(CancellationToken.None);
        h.Wxcc.ExpireAccessTokens();

        await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => h.Directory.GetPresenceSyncSettingAsync(CancellationToken.None)));

        h.Wxcc.TokenRequests.Should().Be(2);
    }

    [Fact]
    public async Task Refresh_RotatedRefreshToken_IsStoredAndUsedNextTime()
    {
        await using var h = await Harness.StartAsync(e => e.AccessTokenLifetime = TimeSpan.FromMinutes(10));
        var store = h.Services.GetRequiredService<IRefreshTokenStore>();
        var initial = h.Wxcc.RefreshToken;

        await h.Tokens.GetAccessTokenAsync(CancellationToken.None);
        var stored = await store.GetAsync(CancellationToken.None);
        h.Time.Advance(TimeSpan.FromMinutes(10));
        await h.Tokens.GetAccessTokenAsync(CancellationToken.None);

        stored.Should().NotBeNull().And.NotBe(initial);
        (await store.GetAsync(CancellationToken.None)).Should().Be(h.Wxcc.RefreshToken);
        h.Wxcc.TokenRequests.Should().Be(2);
    }

    [Fact]
    public async Task Refresh_CustomStore_ReplacesTheDefault()
    {
        var custom = new RecordingStore();
        await using var h = await Harness.StartAsync(services: s => s.AddSingleton<IRefreshTokenStore>(custom));

        await h.Tokens.GetAccessTokenAsync(CancellationToken.None);

        custom.Saved.Should().ContainSingle().Which.Should().Be(h.Wxcc.RefreshToken);
    }

    [Fact]
    public async Task Refresh_RefusedGrant_ThrowsAClearErrorWithoutSecrets()
    {
        await using var h = await Harness.StartAsync(settings: new() { ["RefreshToken"] = "stale-refresh-token-secret" });

        var act = () => h.Tokens.GetAccessTokenAsync(CancellationToken.None);

        var error = (await act.Should().ThrowAsync<ContactCenterException>()).Which;
        error.Message.Should().Contain("HTTP 400").And.Contain("invalid_grant").And.NotContain("stale-refresh-token-secret");
        h.AllLogText().Should().NotContain("stale-refresh-token-secret").And.NotContain(h.Wxcc.ClientSecret);
    }

    [Fact]
    public async Task Refresh_TokenEndpointUnreachable_ThrowsContactCenterException()
    {
        await using var h = await Harness.StartAsync(settings: new() { ["TokenUrl"] = "http://127.0.0.1:1/v1/access_token" });

        var act = () => h.Tokens.GetAccessTokenAsync(CancellationToken.None);

        (await act.Should().ThrowAsync<ContactCenterException>()).Which.Message.Should().Contain("could not be reached");
    }

    private sealed class RecordingStore : IRefreshTokenStore
    {
        public List<string> Saved { get; } = [];

        public ValueTask<string?> GetAsync(CancellationToken cancellationToken) => ValueTask.FromResult(Saved.LastOrDefault());

        public ValueTask SaveAsync(string refreshToken, CancellationToken cancellationToken)
        {
            Saved.Add(refreshToken);
            return ValueTask.CompletedTask;
        }
    }
}
