using Microsoft.Extensions.DependencyInjection;
using Webex.TeamsConnector.Testing;

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

    [Fact]
    public async Task FileStore_KeepsTheRotatedRefreshTokenAcrossARestart()
    {
        var path = Path.Combine(Path.GetTempPath(), "teams-connector-tests", Guid.NewGuid().ToString("N"), "refresh-token.json");
        var settings = new Dictionary<string, string?> { ["RefreshTokenFilePath"] = path };
        await using var wxcc = await ContactCenterEmulator.StartAsync();
        settings["RefreshToken"] = wxcc.RefreshToken;

        await using (var first = await Harness.StartAsync(settings: settings, shared: wxcc))
        {
            first.Services.GetRequiredService<IRefreshTokenStore>().Should().BeOfType<FileRefreshTokenStore>();
            await first.Tokens.GetAccessTokenAsync(CancellationToken.None);
        }

        // The configured token was retired by the rotation; the restarted adapter uses the stored one.
        await using var second = await Harness.StartAsync(settings: settings, shared: wxcc);
        await second.Tokens.GetAccessTokenAsync(CancellationToken.None);

        wxcc.TokenRequests.Should().Be(2);
        File.ReadAllText(path).Should().Contain(wxcc.RefreshToken);
        if (!OperatingSystem.IsWindows())
        {
            File.GetUnixFileMode(path).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    [Fact]
    public async Task FileStore_ANewlyConfiguredRefreshToken_WinsOverTheStoredOne()
    {
        var path = Path.Combine(Path.GetTempPath(), "teams-connector-tests", Guid.NewGuid().ToString("N"), "refresh-token.json");
        using (var old = new FileRefreshTokenStore(path, "configured-a"))
        {
            await old.SaveAsync("rotated-a", CancellationToken.None);
            (await old.GetAsync(CancellationToken.None)).Should().Be("rotated-a");
        }

        using var renewed = new FileRefreshTokenStore(path, "configured-b");

        (await renewed.GetAsync(CancellationToken.None)).Should().BeNull();
    }

    [Fact]
    public async Task FileStore_DamagedOrMissingFile_FallsBackToTheConfiguredToken()
    {
        var path = Path.Combine(Path.GetTempPath(), "teams-connector-tests", Guid.NewGuid().ToString("N") + ".json");
        using var store = new FileRefreshTokenStore(path, "configured");
        (await store.GetAsync(CancellationToken.None)).Should().BeNull();

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllTextAsync(path, "{ not json");

        (await store.GetAsync(CancellationToken.None)).Should().BeNull();
    }

    [Fact]
    public async Task Refresh_StoreThrowsBeforeAnyAwait_FailureIsNotCachedAndTheNextCallRecovers()
    {
        var store = new FlakyStore { FailReads = 1 };
        await using var h = await Harness.StartAsync(services: s => s.AddSingleton<IRefreshTokenStore>(store));

        var act = () => h.Tokens.GetAccessTokenAsync(CancellationToken.None);
        var error = (await act.Should().ThrowAsync<ContactCenterException>()).Which;
        var token = await h.Tokens.GetAccessTokenAsync(CancellationToken.None);

        error.Message.Should().Contain("refresh-token store").And.Contain(nameof(IOException)).And.NotContain(FlakyStore.Secret);
        token.Should().NotBeNullOrEmpty();
        h.Wxcc.TokenRequests.Should().Be(1);
        store.Reads.Should().Be(2);
    }

    [Fact]
    public async Task Refresh_StoreFailsToSaveTheRotatedToken_KeepsItInMemoryAndSavesItNextTime()
    {
        var store = new FlakyStore { FailSaves = 1 };
        await using var h = await Harness.StartAsync(e => e.AccessTokenLifetime = TimeSpan.FromMinutes(10), services: s => s.AddSingleton<IRefreshTokenStore>(store));

        await h.Tokens.GetAccessTokenAsync(CancellationToken.None);
        var rotated = h.Wxcc.RefreshToken;
        store.Saved.Should().BeEmpty();
        h.Time.Advance(TimeSpan.FromMinutes(10));

        // The configured refresh token was retired by the rotation: this refresh only works with the in-memory one.
        await h.Tokens.GetAccessTokenAsync(CancellationToken.None);

        h.Wxcc.TokenRequests.Should().Be(2);
        store.Saved.Should().ContainSingle().Which.Should().Be(h.Wxcc.RefreshToken);
        h.Logs.GetSnapshot().Should().Contain(r => r.Id.Id == 4050);
        h.AllLogText().Should().NotContain(rotated).And.NotContain(h.Wxcc.RefreshToken).And.NotContain(FlakyStore.Secret);
    }

    private sealed class FlakyStore : IRefreshTokenStore
    {
        public const string Secret = "store-detail-that-must-not-leak";

        public int FailReads { get; set; }

        public int FailSaves { get; set; }

        public int Reads { get; private set; }

        public List<string> Saved { get; } = [];

        public ValueTask<string?> GetAsync(CancellationToken cancellationToken)
        {
            Reads++;
            if (FailReads-- > 0)
            {
                throw new IOException(Secret);
            }

            return ValueTask.FromResult(Saved.LastOrDefault());
        }

        public ValueTask SaveAsync(string refreshToken, CancellationToken cancellationToken)
        {
            if (FailSaves-- > 0)
            {
                throw new IOException(Secret);
            }

            Saved.Add(refreshToken);
            return ValueTask.CompletedTask;
        }
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
