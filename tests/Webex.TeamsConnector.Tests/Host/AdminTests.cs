using System.Web;
using Microsoft.Extensions.DependencyInjection;
using Webex.TeamsConnector.Tests.Fakes;

namespace Webex.TeamsConnector.Tests.Host;

public class AdminTests
{
    private const string Tenant = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";

    private static Dictionary<string, string?> NotConfigured()
    {
        var settings = HostFixture.DefaultSettings();
        settings["TeamsConnector:Admin:InitialState"] = "NotConfigured";
        return settings;
    }

    private static string StateOf(Uri url) => HttpUtility.ParseQueryString(url.Query)["state"]!;

    /// <summary>The consent step on its own: the URL the sign-in issues to a Global Administrator of the tenant.</summary>
    private static Task<Uri> ConsentUrlAsync(HostFixture fixture) =>
        fixture.Host.Services.GetRequiredService<TeamsConnectorAdmin>().IssueConsentUrlAsync(AzureAdminRole.GlobalAdministrator, Tenant, default);

    [Fact]
    public async Task CreateAdminConsentUrl_StartsTheOpenIdConnectSignIn_WithPkceStateAndNonce()
    {
        await using var fixture = await HostFixture.StartAsync(settings: NotConfigured());

#pragma warning disable CS0618 // The obsolete synchronous form still works for 0.9.0 callers.
        var url = fixture.Admin.CreateAdminConsentUrl();
#pragma warning restore CS0618
        var second = await fixture.Admin.StartAdminSignInAsync(default);

        url.GetLeftPart(UriPartial.Path).Should().Be($"https://login.microsoftonline.com/{Tenant}/oauth2/v2.0/authorize");
        var query = HttpUtility.ParseQueryString(url.Query);
        query["client_id"].Should().Be("11111111-2222-3333-4444-555555555555");
        query["response_type"].Should().Be("code");
        query["scope"].Should().Be("openid profile");
        query["redirect_uri"].Should().Be("https://connector.example.test/teams-connector/admin/signin");
        query["code_challenge_method"].Should().Be("S256");
        query["code_challenge"].Should().MatchRegex("^[A-Za-z0-9_-]{43}$");
        query["nonce"].Should().HaveLength(32).And.NotBe(HttpUtility.ParseQueryString(second.Query)["nonce"]);
        query["state"].Should().HaveLength(64).And.NotBe(StateOf(second));
    }

    [Fact]
    public async Task IssueConsentUrl_AfterSignIn_HasClientIdScopeRedirectAndAFreshState()
    {
        await using var fixture = await HostFixture.StartAsync(settings: NotConfigured());

        var url = await ConsentUrlAsync(fixture);
        var second = await ConsentUrlAsync(fixture);

        url.GetLeftPart(UriPartial.Path).Should().Be($"https://login.microsoftonline.com/{Tenant}/v2.0/adminconsent");
        var query = HttpUtility.ParseQueryString(url.Query);
        query["client_id"].Should().Be("11111111-2222-3333-4444-555555555555");
        query["scope"].Should().Be("https://graph.microsoft.com/.default");
        query["redirect_uri"].Should().Be("https://connector.example.test/teams-connector/admin/consent");
        query["state"].Should().HaveLength(64).And.NotBe(StateOf(second));
    }

    [Fact]
    public async Task ConsentCallback_Granted_AuthorizesAndTurnsPresenceSyncOn()
    {
        var ports = new FakePorts { PresenceSyncSetting = false };
        await using var fixture = await HostFixture.StartAsync(ports, NotConfigured());
        fixture.Admin.GetStatus().Status.State.Should().Be(ConnectorState.NotConfigured);
        var state = StateOf(await ConsentUrlAsync(fixture));

        var result = await fixture.Admin.CompleteAdminConsentAsync(new AdminConsentCallback(state, Tenant, "True"), default);

        result.Succeeded.Should().BeTrue();
        result.Status.Should().Be(new ConnectorStatus(ConnectorState.Active, true));
        ports.SettingWrites.Should().Be(1);
        ports.PresenceSyncSetting.Should().BeTrue();
    }

    [Fact]
    public async Task ConsentCallback_StateIsSingleUse()
    {
        await using var fixture = await HostFixture.StartAsync(settings: NotConfigured());
        var state = StateOf(await ConsentUrlAsync(fixture));
        await fixture.Admin.CompleteAdminConsentAsync(new AdminConsentCallback(state, Tenant, "True"), default);
        await fixture.Admin.DeactivateAsync(default);
        await fixture.Admin.DeleteAsync(default);

        var replay = await fixture.Admin.CompleteAdminConsentAsync(new AdminConsentCallback(state, Tenant, "True"), default);

        replay.Succeeded.Should().BeFalse();
        replay.Error.Should().Contain("unknown or expired state");
    }

    [Theory]
    [InlineData("forged-state", Tenant, "True", null, "unknown or expired state")]
    [InlineData(null, Tenant, "True", null, "unknown or expired state")]
    [InlineData("VALID", "99999999-bbbb-cccc-dddd-eeeeeeeeeeee", "True", null, "another tenant")]
    [InlineData("VALID", "not-a-guid", "True", null, "no valid tenant")]
    [InlineData("VALID", Tenant, "False", null, "admin consent was not granted")]
    [InlineData("VALID", Tenant, null, "access_denied", "Entra ID reported access_denied")]
    public async Task ConsentCallback_AnyCheckFails_IsRefused(string? state, string? tenant, string? adminConsent, string? error, string expected)
    {
        await using var fixture = await HostFixture.StartAsync(settings: NotConfigured());
        var valid = StateOf(await ConsentUrlAsync(fixture));

        var result = await fixture.Admin.CompleteAdminConsentAsync(new AdminConsentCallback(state == "VALID" ? valid : state, tenant, adminConsent, error, "The user declined."), default);

        result.Succeeded.Should().BeFalse();
        result.Status.State.Should().Be(ConnectorState.NotConfigured);
        result.Error.Should().StartWith("Cannot authorize the connector while it is NotConfigured: ").And.Contain(expected);
    }

    [Fact]
    public async Task TenantGivenAsADomain_AdminConsentNeedsTheTenantGuid_ToCheckTheCallback()
    {
        var settings = NotConfigured();
        settings["TeamsConnector:Graph:TenantId"] = "contoso.onmicrosoft.com";
        using var host = HostFixture.CreateBuilder(settings, new FakePorts()).Build();

        var start = () => host.StartAsync();

        (await start.Should().ThrowAsync<Microsoft.Extensions.Options.OptionsValidationException>())
            .Which.Failures.Should().Contain(f => f.Contains("TeamsConnector:Admin:TenantId must be the tenant (directory) id", StringComparison.Ordinal));

        settings["TeamsConnector:Admin:TenantId"] = Tenant;
        await using var fixture = await HostFixture.StartAsync(settings: settings);
        var state = StateOf(await ConsentUrlAsync(fixture));
        (await fixture.Admin.CompleteAdminConsentAsync(new AdminConsentCallback(state, "99999999-bbbb-cccc-dddd-eeeeeeeeeeee", "True"), default))
            .Error.Should().Contain("another tenant");
    }

    [Fact]
    public async Task ConsentCallback_ExpiredState_IsRefused()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var fixture = await HostFixture.StartAsync(settings: NotConfigured(), configure: b => b.Services.AddSingleton<TimeProvider>(time));
        var state = StateOf(await ConsentUrlAsync(fixture));

        time.Advance(TimeSpan.FromMinutes(16));

        (await fixture.Admin.CompleteAdminConsentAsync(new AdminConsentCallback(state, Tenant, "True"), default)).Error.Should().Contain("expired");
    }

    [Fact]
    public async Task StartAdminSignInAsync_WithoutRedirectUri_SaysWhatIsMissing()
    {
        var settings = NotConfigured();
        settings.Remove("TeamsConnector:Admin:ConsentRedirectUri");
        await using var fixture = await HostFixture.StartAsync(settings: settings);

        var act = () => fixture.Admin.StartAdminSignInAsync(default);

        await act.Should().ThrowAsync<InvalidOperationException>().WithMessage("*ConsentRedirectUri*");
    }

    [Fact]
    public async Task DesktopProfileToggle_TeamsWhileWebexOn_IsRefused_AfterWebexOff_AgentsAreSynced()
    {
        var ports = new FakePorts();
        ports.AddAgent("a3", "cid@example.test", "t3", profile: "p-webex");
        var settings = HostFixture.DefaultSettings();
        settings["TeamsConnector:StateSync:RosterRefreshInterval"] = "00:00:00.200";
        await using var fixture = await HostFixture.StartAsync(ports, settings);

        var refused = await fixture.Admin.SetDesktopProfileToggleAsync("p-webex", DesktopProfileToggle.TeamsStateSynchronization, true, default);
        refused.Succeeded.Should().BeFalse();
        refused.Error.Should().Contain("turn the Webex App toggles off first");

        (await fixture.Admin.SetDesktopProfileToggleAsync("p-webex", DesktopProfileToggle.WebexStateSynchronization, false, default)).Succeeded.Should().BeTrue();
        (await fixture.Admin.SetDesktopProfileToggleAsync("p-webex", DesktopProfileToggle.TeamsStateSynchronization, true, default)).Succeeded.Should().BeTrue();

        await Wait.UntilAsync(() => fixture.Admin.GetStatus().TrackedAgents == 1, "the agent of the changed profile is synced");
    }

    [Fact]
    public async Task DesktopProfileToggle_RefreshesTheRosterAtOnce_WithoutRestartingSync()
    {
        var ports = new FakePorts();
        ports.AddAgent("a1", "ann@example.test", "t1");
        ports.AddAgent("a3", "cid@example.test", "t3", profile: "p-webex");
        ports.CurrentStates["a1"] = new AgentFeedEvent("a1", AgentEvent.LoggedIn(AgentState.Available, DateTimeOffset.FromUnixTimeMilliseconds(1_739_000_000_000)), null, default);
        var settings = HostFixture.DefaultSettings();
        settings["TeamsConnector:StateSync:RosterRefreshInterval"] = "01:00:00";
        await using var fixture = await HostFixture.StartAsync(ports, settings);
        await ports.FeedsRunning.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await ports.AgentAsync("a1", ports.NextState(AgentState.Engaged));
        await Wait.UntilAsync(() => ports.Published.Contains(("t1", PublishedPresence.InACall)), "a1 shows busy in Teams");
        var starts = ports.FeedStarts;

        (await fixture.Admin.SetDesktopProfileToggleAsync("p-webex", DesktopProfileToggle.WebexStateSynchronization, false, default)).Succeeded.Should().BeTrue();
        (await fixture.Admin.SetDesktopProfileToggleAsync("p-webex", DesktopProfileToggle.TeamsStateSynchronization, true, default)).Succeeded.Should().BeTrue();

        await Wait.UntilAsync(() => fixture.Admin.GetStatus().TrackedAgents == 2, "the agent of the changed profile is synced long before the hourly refresh");
        ports.FeedStarts.Should().Be(starts, "a profile change does not restart the sync session");
        ports.Cleared.Should().NotContain("t1", "the presence of an agent on a contact is not cleared and published again");
    }

    [Fact]
    public async Task ExpertSearch_OnlyForProfilesShowingTeamsUserDetails_AndOnlyWhileActive()
    {
        var ports = new FakePorts();
        ports.AddAgent("a1", "ann@example.test", "t1");
        ports.AddAgent("a3", "cid@example.test", "t3", profile: "p-webex");
        var experts = new FixedExperts();
        await using var fixture = await HostFixture.StartAsync(ports, configure: b => b.Services.AddSingleton<IExpertDirectory>(experts));
        var search = fixture.Host.Services.GetRequiredService<IAgentExpertSearch>();
        var query = new ExpertQuery { Department = "Tax" };

        var allowed = await search.SearchAsync("a1", query, default);
        allowed.Allowed.Should().BeTrue();
        allowed.Experts.Should().ContainSingle().Which.DisplayName.Should().Be("Tara Tax");

        var webex = await search.SearchAsync("a3", query, default);
        webex.Should().BeEquivalentTo(new { Allowed = false, Experts = Array.Empty<Expert>() });
        webex.Reason.Should().Contain("p-webex").And.Contain("does not show Microsoft Teams user details");
        (await search.SearchAsync("nobody", query, default)).Reason.Should().Contain("not a contact-center user");

        (await fixture.Admin.SetDesktopProfileToggleAsync("p-teams", DesktopProfileToggle.TeamsShowUserDetails, false, default)).Succeeded.Should().BeTrue();
        (await search.SearchAsync("a1", query, default)).Allowed.Should().BeFalse("the admin API's profile setting applies at once");

        (await fixture.Admin.SetDesktopProfileToggleAsync("p-teams", DesktopProfileToggle.TeamsShowUserDetails, true, default)).Succeeded.Should().BeTrue();
        await fixture.Admin.DeactivateAsync(default);
        (await search.SearchAsync("a1", query, default)).Reason.Should().Be("the Teams connector is Inactive");
        experts.Searches.Should().Be(1, "only the allowed search reached the directory");
    }

    private sealed class FixedExperts : IExpertDirectory
    {
        public int Searches;

        public Task<IReadOnlyList<Expert>> SearchAsync(ExpertQuery query, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Searches);
            return Task.FromResult<IReadOnlyList<Expert>>([new Expert("t-tara", "Tara Tax", "Senior Tax Advisor", "Tax", "+14255550100", null, "tara@example.test")]);
        }
    }

    [Fact]
    public async Task JsonFileStore_KeepsStatusAcrossRestarts()
    {
        var path = Path.Combine(Path.GetTempPath(), "teams-connector-tests", Guid.NewGuid().ToString("N"), "state.json");
        var settings = HostFixture.DefaultSettings();
        settings["TeamsConnector:Admin:StateFilePath"] = path;

        await using (var first = await HostFixture.StartAsync(settings: settings))
        {
            (await first.Admin.DeactivateAsync(default)).Succeeded.Should().BeTrue();
        }

        await using var second = await HostFixture.StartAsync(settings: settings);
        await Wait.UntilAsync(() => second.Admin.GetStatus().Status.State == ConnectorState.Inactive, "the status is read back");
        File.ReadAllText(path).Should().Contain("\"state\": \"Inactive\"");
    }

    [Fact]
    public async Task JsonFileStore_CorruptFile_IsAClearError()
    {
        var path = Path.Combine(Path.GetTempPath(), "teams-connector-tests", Guid.NewGuid().ToString("N") + ".json");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllTextAsync(path, "{ not json");
        using var store = new JsonFileConnectorStateStore(path);

        var act = async () => await store.LoadAsync(default);

        (await act.Should().ThrowAsync<InvalidDataException>()).WithMessage("*is not valid*");
    }
}
