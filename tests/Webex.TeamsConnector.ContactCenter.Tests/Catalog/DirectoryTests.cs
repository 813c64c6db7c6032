using Microsoft.Extensions.DependencyInjection;
using Webex.TeamsConnector.Testing;

namespace Webex.TeamsConnector.ContactCenter.Tests.Catalog;

public sealed class DirectoryTests
{
    [Fact]
    public async Task GetIdleCodes_ManyPages_ReadsEveryPageAndRecognisesSystemCodes()
    {
        await using var h = await Harness.StartAsync(e => e.MaxPageSize = 3);
        var busy = h.Wxcc.AddIdleCode("Teams call");
        var inactive = h.Wxcc.AddIdleCode("Old", active: false);
        var wrap = h.Wxcc.AddWrapUpCode("Sale");

        var codes = await h.Directory.GetIdleCodesAsync(CancellationToken.None);

        codes.Should().HaveCount(10);
        h.Wxcc.RequestCount("auxiliary-code").Should().Be(4);
        codes.Single(c => c.Id == busy).Should().Be(new IdleCode(busy, "Teams call", false, true, true));
        codes.Single(c => c.Id == inactive).Active.Should().BeFalse();
        codes.Single(c => c.Id == wrap).IsIdleCode.Should().BeFalse();
        var rona = codes.Single(IdleCodeCatalog.IsRona);
        rona.Id.Should().Be(h.Wxcc.RonaCodeId);
        rona.IsRona.Should().BeTrue();
        codes.Where(IdleCodeCatalog.IsSystem).Should().HaveCount(7);
    }

    [Fact]
    public async Task Validate_MappingAgainstCatalogue_ReturnsEveryError()
    {
        await using var h = await Harness.StartAsync();
        var ok = h.Wxcc.AddIdleCode("Teams call");
        var inactive = h.Wxcc.AddIdleCode("Old", active: false);
        var wrap = h.Wxcc.AddWrapUpCode("Sale");
        var codes = await h.Directory.GetIdleCodesAsync(CancellationToken.None);
        var mapping = IdleCodeMapping.Create(new Dictionary<string, string?>
        {
            ["InACall"] = ok,
            ["Presenting"] = inactive,
            ["DoNotDisturb"] = wrap,
            ["Away"] = "missing-code",
            ["Busy"] = h.Wxcc.RonaCodeId,
        });

        var errors = IdleCodeCatalog.Validate(mapping, codes);

        errors.Should().HaveCount(4);
        errors.Should().Contain(e => e.Contains("Presenting") && e.Contains("not active"))
            .And.Contain(e => e.Contains("DoNotDisturb") && e.Contains("wrap-up"))
            .And.Contain(e => e.Contains("Away") && e.Contains("does not exist"))
            .And.Contain(e => e.Contains("Busy") && e.Contains("system code"));
        IdleCodeCatalog.Validate(IdleCodeMapping.Create(new Dictionary<string, string?> { ["InACall"] = ok }), codes).Should().BeEmpty();
    }

    [Fact]
    public async Task Validate_CodeWithoutOrWithUnknownWorkTypeCode_IsRefusedAsNotAnIdleCode()
    {
        await using var h = await Harness.StartAsync();
        var none = h.Wxcc.AddAuxiliaryCode("No work type", workTypeCode: null);
        var unknown = h.Wxcc.AddAuxiliaryCode("Strange work type", workTypeCode: "SOMETHING_ELSE");
        var lower = h.Wxcc.AddAuxiliaryCode("Lower case", workTypeCode: "idle_code");
        var codes = await h.Directory.GetIdleCodesAsync(CancellationToken.None);
        var mapping = IdleCodeMapping.Create(new Dictionary<string, string?>
        {
            ["InACall"] = none,
            ["Presenting"] = unknown,
            ["DoNotDisturb"] = lower,
        });

        var errors = IdleCodeCatalog.Validate(mapping, codes);

        codes.Single(c => c.Id == none).IsIdleCode.Should().BeFalse();
        codes.Single(c => c.Id == unknown).IsIdleCode.Should().BeFalse();
        codes.Single(c => c.Id == lower).IsIdleCode.Should().BeTrue();
        errors.Should().HaveCount(2);
        errors.Should().Contain(e => e.Contains("InACall") && e.Contains("not an idle code"))
            .And.Contain(e => e.Contains("Presenting") && e.Contains("not an idle code"));
    }

    [Fact]
    public async Task CreateClassifier_Catalogue_KnowsRonaAndOtherSystemCodes()
    {
        await using var h = await Harness.StartAsync();
        var codes = await h.Directory.GetIdleCodesAsync(CancellationToken.None);
        var busy = codes.Single(c => c.Name == "Agent_Busy").Id;

        var classifier = IdleCodeCatalog.CreateClassifier(codes);

        classifier.RonaIdleCodeIds.Should().Equal(h.Wxcc.RonaCodeId);
        classifier.SystemIdleCodeIds.Should().Contain(busy).And.HaveCount(6);
    }

    [Fact]
    public async Task GetUsers_ManyPages_MapsAgentIdEmailAndProfile()
    {
        await using var h = await Harness.StartAsync(e => e.MaxPageSize = 2);
        var ids = Enumerable.Range(0, 5).Select(i => h.Wxcc.AddAgent(email: $"agent{i}@example.com", desktopProfileId: "profile-1")).ToList();
        h.Wxcc.AddAgent(email: "not-an-agent@example.com", contactCenterEnabled: false);

        var users = await h.Directory.GetUsersAsync(CancellationToken.None);

        users.Should().HaveCount(6);
        h.Wxcc.RequestCount("v2/user").Should().Be(3);
        users.Where(u => u.ContactCenterEnabled).Select(u => u.AgentId).Should().BeEquivalentTo(ids);
        var first = users.Single(u => u.AgentId == ids[0]);
        first.Email.Should().Be("agent0@example.com");
        first.DesktopProfileId.Should().Be("profile-1");
        first.Id.Should().Be(h.Wxcc.GetAgent(ids[0]).UserId);
    }

    [Fact]
    public async Task GetDesktopProfile_ReadsTheFourToggles_AndRefreshesAfterTheInterval()
    {
        await using var h = await Harness.StartAsync(settings: new() { ["ProfileRefreshInterval"] = "00:05:00" });
        h.Wxcc.SetDesktopProfile(new DesktopProfile("p1", StateSynchronizationMS: true, ShowUserDetailsMS: true) { Name = "Sales" });

        var first = await h.Directory.GetDesktopProfileAsync("p1", CancellationToken.None);
        h.Wxcc.SetDesktopProfile(new DesktopProfile("p1", StateSynchronizationWebex: true, ShowUserDetailsWebex: true) { Name = "Sales" });
        var cached = await h.Directory.GetDesktopProfileAsync("p1", CancellationToken.None);
        h.Time.Advance(TimeSpan.FromMinutes(5));
        var refreshed = await h.Directory.GetDesktopProfileAsync("p1", CancellationToken.None);

        first.Should().Be(new DesktopProfile("p1", true, true, false, false) { Name = "Sales" });
        cached.Should().Be(first);
        refreshed.Should().Be(new DesktopProfile("p1", false, false, true, true) { Name = "Sales" });
        h.Wxcc.RequestCount("agent-profile/p1").Should().Be(2);
        (await h.Directory.GetDesktopProfileAsync("missing", CancellationToken.None)).Should().BeNull();
    }

    [Fact]
    public async Task GetPresenceSyncSetting_ReadsTheOrganizationSetting()
    {
        await using var h = await Harness.StartAsync();

        var on = await h.Directory.GetPresenceSyncSettingAsync(CancellationToken.None);
        h.Wxcc.PresenceSyncEnabled = false;
        var off = await h.Directory.GetPresenceSyncSettingAsync(CancellationToken.None);

        on.Should().BeTrue();
        off.Should().BeFalse();
    }

    [Fact]
    public async Task SetPresenceSyncSetting_WritesTheOrganizationSetting()
    {
        await using var h = await Harness.StartAsync();
        h.Wxcc.PresenceSyncEnabled = false;
        var writer = (IPresenceSyncSettingWriter)h.Directory;

        await writer.SetPresenceSyncSettingAsync(true, CancellationToken.None);

        h.Wxcc.PresenceSyncEnabled.Should().BeTrue();
        (await h.Directory.GetPresenceSyncSettingAsync(CancellationToken.None)).Should().BeTrue();
        await writer.SetPresenceSyncSettingAsync(false, CancellationToken.None);
        h.Wxcc.PresenceSyncEnabled.Should().BeFalse();
    }

    [Fact]
    public async Task GetCurrentStates_MoreThan100Agents_BatchesAndReturnsCurrentStates()
    {
        await using var h = await Harness.StartAsync();
        var code = h.Wxcc.AddIdleCode("Lunch");
        var agents = Enumerable.Range(0, 250).Select(_ => h.Wxcc.AddAgent()).ToList();
        h.Wxcc.SignIn(agents[0]);
        h.Wxcc.SignIn(agents[1]);
        h.Time.Advance(TimeSpan.FromSeconds(1));
        h.Wxcc.SetStateAsAgent(agents[1], AgentState.Idle(code), "lunch");
        h.Wxcc.SignIn(agents[2]);
        h.Wxcc.SignOut(agents[2]);

        var states = await h.Directory.GetCurrentStatesAsync(agents, CancellationToken.None);

        h.Wxcc.RequestCount("agents/activities").Should().Be(3);
        agents.Except(states.Select(s => s.AgentId)).Should().BeEmpty();
        states.Should().HaveCount(250);
        states.Single(s => s.AgentId == agents[0]).Event.State.Should().Be(AgentState.Available);
        var idle = states.Single(s => s.AgentId == agents[1]).Event;
        idle.State.Should().Be(AgentState.Idle(code));
        idle.Reason.Should().Be("lunch");
        idle.Timestamp.Should().Be(h.Wxcc.GetAgent(agents[1]).LastStateChangeAt);
        states.Single(s => s.AgentId == agents[2]).Event.State.Should().Be(AgentState.LoggedOut);
        states.Should().OnlyContain(s => s.Event.Kind == AgentEventKind.Reconciliation, "a state read from WxCC is a reconciliation record");
    }

    [Fact]
    public async Task GetCurrentStates_AgentWithMoreRecordsThanAPage_StillReconcilesToItsNewestState()
    {
        await using var h = await Harness.StartAsync();
        var lunch = h.Wxcc.AddIdleCode("Lunch");
        var meeting = h.Wxcc.AddIdleCode("Meeting");
        var agents = Enumerable.Range(0, 100).Select(_ => h.Wxcc.AddAgent()).ToList();
        foreach (var agent in agents)
        {
            h.Wxcc.SignIn(agent);
        }

        h.Time.Advance(TimeSpan.FromHours(2));
        var busy = agents[42];
        for (var i = 0; i < 1500; i++)
        {
            h.Time.Advance(TimeSpan.FromSeconds(1));
            h.Wxcc.SetStateAsAgent(busy, i % 2 == 0 ? AgentState.Idle(lunch) : AgentState.Available, "flip " + i);
        }

        h.Time.Advance(TimeSpan.FromSeconds(1));
        h.Wxcc.SetStateAsAgent(busy, AgentState.Idle(meeting), "newest");
        h.Wxcc.SetStateAsAgent(agents[7], AgentState.Idle(lunch), "lunch");

        var states = await h.Directory.GetCurrentStatesAsync(agents, CancellationToken.None);

        states.Should().HaveCount(100);
        var newest = states.Single(s => s.AgentId == busy).Event;
        newest.State.Should().Be(AgentState.Idle(meeting));
        newest.Reason.Should().Be("newest");
        newest.Timestamp.Should().Be(h.Wxcc.GetAgent(busy).LastStateChangeAt);
        states.Single(s => s.AgentId == agents[7]).Event.State.Should().Be(AgentState.Idle(lunch));
        states.Where(s => s.AgentId != busy && s.AgentId != agents[7]).Should().OnlyContain(s => s.Event.State == AgentState.Available);
        h.Wxcc.RequestCount("agents/activities").Should().BeInRange(2, 20, "the window is narrowed step by step, not read record by record");
    }

    [Fact]
    public async Task GetCurrentStates_SeveralBusyAgentsOverflowingAPage_EachReconcilesToItsNewestState()
    {
        await using var h = await Harness.StartAsync();
        var lunch = h.Wxcc.AddIdleCode("Lunch");
        var agents = Enumerable.Range(0, 4).Select(_ => h.Wxcc.AddAgent()).ToList();
        foreach (var agent in agents)
        {
            h.Wxcc.SignIn(agent);
            for (var i = 0; i < 400; i++)
            {
                h.Wxcc.SetStateAsAgent(agent, i % 2 == 0 ? AgentState.Idle(lunch) : AgentState.Available);
            }
        }

        var states = await h.Directory.GetCurrentStatesAsync(agents, CancellationToken.None);

        states.Select(s => s.AgentId).Should().BeEquivalentTo(agents);
        foreach (var agent in agents)
        {
            states.Single(s => s.AgentId == agent).Event.Timestamp.Should().Be(h.Wxcc.GetAgent(agent).LastStateChangeAt);
        }
    }

    [Fact]
    public async Task Reads_ServiceUnavailable_AreRetried()
    {
        await using var h = await Harness.StartAsync();
        h.Wxcc.Faults.ServiceUnavailable = 1;
        var backOff = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
        h.Services.GetRequiredService<WxccResilience>().BackingOff += d => backOff.TrySetResult(d);
        var read = h.Directory.GetPresenceSyncSettingAsync(CancellationToken.None);

        await h.Wxcc.WaitUntilAsync(w => w.RequestCount("msTeams") == 1);
        h.Time.Advance(await backOff.Task.WaitAsync(Harness.Wait));

        (await read).Should().BeTrue();
        h.Wxcc.RequestCount("msTeams").Should().Be(2);
    }
}
