using System.Net;
using System.Text.Json;
using Webex.TeamsConnector.TestFixtures;
using Webex.TeamsConnector.Tests.EndToEnd;
using static Webex.TeamsConnector.Tests.Admin.AdminWorld;

namespace Webex.TeamsConnector.Tests.Admin;

/// <summary>The admin HTTP API over real HTTP on 127.0.0.1, against the Graph and WxCC emulators.</summary>
[Collection("EndToEnd")]
public class AdminApiTests
{
    [Fact]
    public async Task Status_AsAdmin_ReportsTheConnectorCard()
    {
        await using var admin = await AdminWorld.StartAsync();
        using var client = admin.Client();

        var status = await ReadAsync(await client.GetAsync(Api + "/status"));

        status.GetProperty("state").GetString().Should().Be("Active");
        status.GetProperty("presenceSyncEnabled").GetBoolean().Should().BeTrue();
        status.GetProperty("isSyncing").GetBoolean().Should().BeTrue();
        status.GetProperty("trackedAgents").GetInt32().Should().Be(admin.World.Admin.GetStatus().TrackedAgents);
        status.GetProperty("reason").ValueKind.Should().Be(JsonValueKind.Null);
        status.GetProperty("auditAvailable").GetBoolean().Should().BeFalse();
    }

    [Theory]
    [InlineData("GET", "/teams-connector/admin/api/status")]
    [InlineData("GET", "/teams-connector/admin/api/agents")]
    [InlineData("GET", "/teams-connector/admin/api/mapping")]
    [InlineData("PUT", "/teams-connector/admin/api/mapping")]
    [InlineData("POST", "/teams-connector/admin/api/connector/deactivate")]
    [InlineData("GET", "/teams-connector/dashboard")]
    [InlineData("GET", "/teams-connector/admin/openapi/teams-connector-admin.json")]
    public async Task Endpoint_WithoutCredentials_Is401_AndWithAnotherRole_Is403_AndChangesNothing(string method, string path)
    {
        await using var admin = await AdminWorld.StartAsync();
        using var anonymous = admin.Client(role: null);
        using var agent = admin.Client(role: "Agent");

        using var unauthorized = await anonymous.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = method == "GET" ? null : Json("{\"confirm\":true,\"mapping\":{}}") });
        using var forbidden = await agent.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = method == "GET" ? null : Json("{\"confirm\":true,\"mapping\":{}}") });

        unauthorized.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        forbidden.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        admin.World.Admin.GetStatus().Status.State.Should().Be(ConnectorState.Active);
        (await admin.World.Admin.GetIdleCodeMappingAsync(default)).FromAdmin.Should().BeFalse();
    }

    [Fact]
    public async Task Agents_AfterATeamsCall_ShowTheWxccStateOriginAndTeamsPresence()
    {
        await using var admin = await AdminWorld.StartAsync();
        using var client = admin.Client();
        var agent = admin.World.Agents[0];

        admin.World.Graph.SetPresence(agent.TeamsUserId, "Busy", "InACall");
        await admin.World.WaitForStateAsync(agent, AgentState.Idle(admin.World.CallCode));
        await admin.World.CatchUpAsync();

        var row = await AgentAsync(client, agent.AgentId);
        row.GetProperty("state").GetString().Should().Be("Idle");
        row.GetProperty("idleCodeId").GetString().Should().Be(admin.World.CallCode);
        row.GetProperty("origin").GetString().Should().Be("PresenceSync");
        row.GetProperty("teamsPresence").GetString().Should().Be("Busy/InACall");
        row.GetProperty("pendingWrite").ValueKind.Should().Be(JsonValueKind.Null);
        row.GetProperty("paused").GetBoolean().Should().BeFalse();
    }

    [Fact]
    public async Task Mapping_Get_ListsTheMappingInEffectAndWhichCodesMayBeMapped()
    {
        await using var admin = await AdminWorld.StartAsync();
        var rona = admin.World.Wxcc.AddIdleCode("RONA", isSystemCode: true);
        var old = admin.World.Wxcc.AddIdleCode("Old break", active: false);
        using var client = admin.Client();

        var view = await ReadAsync(await client.GetAsync(Api + "/mapping"));

        view.GetProperty("source").GetString().Should().Be("configuration");
        view.GetProperty("mapping").GetProperty("InACall").GetString().Should().Be(admin.World.CallCode);
        view.GetProperty("states").EnumerateArray().Select(s => s.GetString()).Should().StartWith(["DoNotDisturb", "InACall", "Presenting"]);
        var codes = view.GetProperty("idleCodes").EnumerateArray().ToDictionary(c => c.GetProperty("id").GetString()!, c => c.GetProperty("selectable").GetBoolean());
        codes[admin.World.LunchCode].Should().BeTrue();
        codes[rona].Should().BeFalse();
        codes[old].Should().BeFalse();
    }

    [Fact]
    public async Task Mapping_ToAnUnknownInactiveOrSystemCode_IsRefusedWithEveryError_AndNothingChanges()
    {
        await using var admin = await AdminWorld.StartAsync();
        var system = admin.World.Wxcc.AddIdleCode("Agent_Busy", isSystemCode: true);
        var inactive = admin.World.Wxcc.AddIdleCode("Old break", active: false);
        using var client = admin.Client();

        using var response = await client.PutAsync(Api + "/mapping", Json(JsonSerializer.Serialize(new
        {
            mapping = new Dictionary<string, string> { ["InACall"] = "no-such-code", ["DoNotDisturb"] = inactive, ["Presenting"] = system },
        })));

        var problem = await ProblemAsync(response, 422);
        var errors = problem.GetProperty("errors").EnumerateArray().Select(e => e.GetString()).ToList();
        errors.Should().HaveCount(3);
        errors.Should().Contain(e => e!.Contains("InACall") && e.Contains("does not exist"));
        errors.Should().Contain(e => e!.Contains("DoNotDisturb") && e.Contains("not active"));
        errors.Should().Contain(e => e!.Contains("Presenting") && e.Contains("system code"));
        (await admin.World.Admin.GetIdleCodeMappingAsync(default)).FromAdmin.Should().BeFalse();
    }

    [Fact]
    public async Task Mapping_Change_TakesEffectOnTheNextTeamsChange_WithoutARestart()
    {
        await using var admin = await AdminWorld.StartAsync();
        using var client = admin.Client();
        var agent = admin.World.Agents[0];
        var app = admin.World.App;

        using var response = await client.PutAsync(Api + "/mapping", Json($$$"""{"mapping":{"InACall":"{{{admin.World.LunchCode}}}","DoNotDisturb":"{{{admin.World.DndCode}}}"}}"""));

        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var view = await ReadAsync(response);
        view.GetProperty("source").GetString().Should().Be("admin");
        view.GetProperty("mapping").GetProperty("InACall").GetString().Should().Be(admin.World.LunchCode);
        admin.World.Graph.SetPresence(agent.TeamsUserId, "Busy", "InACall");
        await admin.World.WaitForStateAsync(agent, AgentState.Idle(admin.World.LunchCode));
        admin.World.App.Should().BeSameAs(app, "the connector was not restarted");
        admin.World.Wxcc.StateWrites.Where(w => w.AgentId == agent.AgentId).Should().NotContain(w => w.AuxCodeId == admin.World.CallCode);
    }

    [Fact]
    public async Task Mapping_SetThroughTheApi_IsKeptAcrossARestart()
    {
        var file = Path.Combine(Path.GetTempPath(), "teams-connector-tests", Guid.NewGuid().ToString("N"), "state.json");
        await using var admin = await AdminWorld.StartAsync(settings: s => s["TeamsConnector:Admin:StateFilePath"] = file);
        var agent = admin.World.Agents[0];
        using (var client = admin.Client())
        {
            using var response = await client.PutAsync(Api + "/mapping", Json($$$"""{"mapping":{"InACall":"{{{admin.World.MeetingCode}}}"}}"""));
            response.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        await admin.World.StopConnectorAsync();
        await admin.World.StartConnectorAsync();
        admin.World.Graph.SetPresence(agent.TeamsUserId, "Busy", "InACall");

        await admin.World.WaitForStateAsync(agent, AgentState.Idle(admin.World.MeetingCode));
        (await admin.World.Admin.GetIdleCodeMappingAsync(default)).FromAdmin.Should().BeTrue();
    }

    [Theory]
    [InlineData("{not json", "application/json", 400)]
    [InlineData("[1,2]", "application/json", 400)]
    [InlineData("{\"mapping\":{\"InACall\":42}}", "application/json", 400)]
    [InlineData("{}", "application/json", 400)]
    [InlineData("{\"mapping\":{}}", "text/plain", 415)]
    public async Task Mapping_WithAnInvalidBody_AnswersProblemDetails(string body, string contentType, int status)
    {
        await using var admin = await AdminWorld.StartAsync();
        using var client = admin.Client();

        using var response = await client.PutAsync(Api + "/mapping", new StringContent(body, System.Text.Encoding.UTF8, contentType));

        await ProblemAsync(response, status);
        (await admin.World.Admin.GetIdleCodeMappingAsync(default)).FromAdmin.Should().BeFalse();
    }

    [Fact]
    public async Task Mapping_WithAnUnknownTeamsState_IsRefusedAsUnprocessable()
    {
        await using var admin = await AdminWorld.StartAsync();
        using var client = admin.Client();

        using var response = await client.PutAsync(Api + "/mapping", Json($$$"""{"mapping":{"Sleeping":"{{{admin.World.LunchCode}}}"}}"""));

        var problem = await ProblemAsync(response, 422);
        problem.GetProperty("detail").GetString().Should().Contain("Sleeping");
    }

    [Fact]
    public async Task Lifecycle_DeleteWhileActive_IsRefused_ConfirmationIsRequired_AndDeactivateReactivateDeleteWork()
    {
        await using var admin = await AdminWorld.StartAsync();
        using var client = admin.Client();

        var refused = await ProblemAsync(await client.PostAsync(Api + "/connector/delete", Json("{\"confirm\":true}")), 409);
        refused.GetProperty("detail").GetString().Should().Contain("deactivate the connector before deleting it");
        var unconfirmed = await ProblemAsync(await client.PostAsync(Api + "/connector/deactivate", Json("{}")), 400);
        unconfirmed.GetProperty("title").GetString().Should().Be("Confirmation required.");
        await ProblemAsync(await client.PostAsync(Api + "/connector/deactivate", Json("{\"confirm\":false}")), 400);
        admin.World.Admin.GetStatus().Status.State.Should().Be(ConnectorState.Active);

        var deactivated = await ReadAsync(await client.PostAsync(Api + "/connector/deactivate", Json("{\"confirm\":true}")));
        deactivated.GetProperty("state").GetString().Should().Be("Inactive");
        await ConnectorWorld.WaitAsync(() => !admin.World.Admin.GetStatus().IsSyncing, "sync stops");
        var status = await ReadAsync(await client.GetAsync(Api + "/status"));
        status.GetProperty("isSyncing").GetBoolean().Should().BeFalse();
        status.GetProperty("reason").GetString().Should().NotBeNullOrWhiteSpace();

        var reactivated = await ReadAsync(await client.PostAsync(Api + "/connector/reactivate", Json("{\"confirm\":true}")));
        reactivated.GetProperty("state").GetString().Should().Be("Active");
        await ConnectorWorld.WaitAsync(() => admin.World.Admin.GetStatus().IsSyncing, "sync starts again");

        await client.PostAsync(Api + "/connector/deactivate", Json("{\"confirm\":true}"));
        var deleted = await ReadAsync(await client.PostAsync(Api + "/connector/delete", Json("{\"confirm\":true}")));
        deleted.GetProperty("state").GetString().Should().Be("Deleted");
        deleted.GetProperty("notice").GetString().Should().Contain("Azure");
    }

    [Fact]
    public async Task DesktopProfileToggle_IsWrittenToWxcc_AndAClashingToggleIsRefused()
    {
        await using var admin = await AdminWorld.StartAsync();
        using var client = admin.Client();

        var profiles = await ReadAsync(await client.GetAsync(Api + "/desktop-profiles"));
        profiles.EnumerateArray().Select(p => p.GetProperty("id").GetString()).Should().Contain(["teams", "webex"]);

        var clash = await ProblemAsync(await client.PutAsync(Api + "/desktop-profiles/webex/toggles", Json("{\"toggle\":\"TeamsStateSynchronization\",\"enabled\":true}")), 409);
        clash.GetProperty("detail").GetString().Should().Contain("Webex App");
        admin.World.Wxcc.GetDesktopProfile("webex")!.StateSynchronizationMS.Should().BeFalse();

        var changed = await ReadAsync(await client.PutAsync(Api + "/desktop-profiles/teams/toggles", Json("{\"toggle\":\"TeamsShowUserDetails\",\"enabled\":false}")));
        changed.GetProperty("showUserDetailsMS").GetBoolean().Should().BeFalse();
        admin.World.Wxcc.GetDesktopProfile("teams").Should().Be(new DesktopProfile("teams", StateSynchronizationMS: true, ShowUserDetailsMS: false));

        await ProblemAsync(await client.PutAsync(Api + "/desktop-profiles/teams/toggles", Json("{\"toggle\":\"Nonsense\",\"enabled\":true}")), 400);
        await ProblemAsync(await client.PutAsync(Api + "/desktop-profiles/teams/toggles", Json("{\"toggle\":\"1\",\"enabled\":true}")), 400);
    }

    [Fact]
    public async Task PausedAgent_IsLeftAlone_UntilResumed()
    {
        await using var admin = await AdminWorld.StartAsync();
        using var client = admin.Client();
        var agent = admin.World.Agents[0];

        var paused = await ReadAsync(await client.PostAsync(Api + $"/agents/{agent.AgentId}/pause", null));
        paused.GetProperty("changed").GetBoolean().Should().BeTrue();
        (await AgentAsync(client, agent.AgentId)).GetProperty("paused").GetBoolean().Should().BeTrue();
        await admin.World.AssertLeftAloneAsync(agent, AgentState.Available, () => admin.World.Graph.SetPresence(agent.TeamsUserId, "Busy", "InACall"));

        var resumed = await ReadAsync(await client.PostAsync(Api + $"/agents/{agent.AgentId}/resume", null));
        resumed.GetProperty("paused").GetBoolean().Should().BeFalse();
        await admin.World.WaitForStateAsync(agent, AgentState.Idle(admin.World.CallCode));
        (await AgentAsync(client, agent.AgentId)).GetProperty("paused").GetBoolean().Should().BeFalse();

        await ProblemAsync(await client.PostAsync(Api + $"/agents/{new string('x', 37)}/pause", null), 400);
    }

    [Fact]
    public async Task PausingAnAgentOnAContact_ClearsWhatTheConnectorPublishedToTeams()
    {
        await using var admin = await AdminWorld.StartAsync();
        using var client = admin.Client();
        var agent = admin.World.Agents[0];
        admin.World.Wxcc.OfferContact(agent.AgentId);
        admin.World.Wxcc.AssignContact(agent.AgentId);
        await ConnectorWorld.WaitAsync(() => admin.World.Graph.GetSessions(agent.TeamsUserId).Any(s => s.Activity == "InACall"), "Teams shows the agent on a call");
        (await AgentAsync(client, agent.AgentId)).GetProperty("publishedPresence").GetString().Should().Be("Busy/InACall");

        using var response = await client.PostAsync(Api + $"/agents/{agent.AgentId}/pause", null);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        await ConnectorWorld.WaitAsync(() => admin.World.Graph.GetSessions(agent.TeamsUserId).Count == 0, "the published presence is cleared");
        var publishes = admin.World.Graph.RequestCount(Webex.TeamsConnector.Testing.GraphEmulatorOperation.SetPresence);
        admin.World.Wxcc.EndContact(agent.AgentId);
        await admin.World.CatchUpAsync();
        admin.World.Graph.RequestCount(Webex.TeamsConnector.Testing.GraphEmulatorOperation.SetPresence).Should().Be(publishes, "a paused agent is left alone");
    }

    [Fact]
    public async Task Audit_WithoutAStore_AnswersANotFoundProblem()
    {
        await using var admin = await AdminWorld.StartAsync();
        using var client = admin.Client();

        var problem = await ProblemAsync(await client.GetAsync(Api + "/audit"), 404);
        problem.GetProperty("detail").GetString().Should().Contain("IAuditStore");
        await ProblemAsync(await client.GetAsync(Api + $"/agents/{admin.World.Agents[0].AgentId}/timeline"), 404);
    }

    [Fact]
    public async Task Audit_ByAgentAndTimeRange_ReturnsThatAgentsRecordsOldestFirst()
    {
        await using var admin = await AdminWorld.StartAsync(audit: true);
        using var client = admin.Client();
        var org = admin.World.Wxcc.OrgId;
        var a = admin.World.Agents[0].AgentId;
        var b = admin.World.Agents[1].AgentId;
        var t0 = new DateTimeOffset(2026, 11, 29, 10, 42, 0, TimeSpan.Zero);
        await admin.Audit!.AppendAsync(
            [
                AuditRecords.Record(a, t0.AddMinutes(1), "Release", AuditOutcome.Written, org),
                AuditRecords.Record(a, t0, "Engage", AuditOutcome.Written, org),
                AuditRecords.Record(b, t0, "Engage", AuditOutcome.Written, org),
                AuditRecords.Record(a, t0.AddHours(3), "Engage", AuditOutcome.Written, org),
                AuditRecords.Record(a, t0, "Engage", AuditOutcome.Written, "another-org"),
            ],
            default);

        var audit = await ReadAsync(await client.GetAsync(Api + $"/audit?agentId={a}&from=2026-11-29T10:00:00Z&to=2026-11-29T11:00:00Z"));
        var timeline = await ReadAsync(await client.GetAsync(Api + $"/agents/{a}/timeline?from=2026-11-29T10:00:00Z&to=2026-11-29T11:00:00Z"));
        var everyone = await ReadAsync(await client.GetAsync(Api + "/audit?from=2026-11-29T10:00:00Z&to=2026-11-29T11:00:00Z"));

        audit.GetProperty("records").EnumerateArray().Select(r => r.GetProperty("rule").GetString()).Should().Equal("Engage", "Release");
        audit.GetProperty("records")[0].GetProperty("outcome").GetString().Should().Be("Written");
        timeline.GetProperty("records").GetArrayLength().Should().Be(2);
        everyone.GetProperty("records").GetArrayLength().Should().Be(3);
        await ProblemAsync(await client.GetAsync(Api + "/audit?from=yesterday"), 400);
        await ProblemAsync(await client.GetAsync(Api + "/audit?from=2026-11-29T11:00:00Z&to=2026-11-29T10:00:00Z"), 400);
        await ProblemAsync(await client.GetAsync(Api + "/audit?from=2026-01-01T00:00:00Z&to=2026-11-29T10:00:00Z"), 400);
    }

    [Fact]
    public async Task Consent_Start_RedirectsToTheAdminSignInThatPrecedesConsent_OrSaysWhyItCannot()
    {
        await using (var unconfigured = await AdminWorld.StartAsync())
        {
            using var client = unconfigured.Client();
            var problem = await ProblemAsync(await client.GetAsync(Api + "/consent"), 409);
            problem.GetProperty("detail").GetString().Should().Contain("ConsentRedirectUri");
        }

        await using var admin = await AdminWorld.StartAsync(settings: s => s["TeamsConnector:Admin:ConsentRedirectUri"] = "https://connector.example.test/teams-connector/admin/consent");
        using var noRedirects = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = admin.World.AppUrl };
        noRedirects.DefaultRequestHeaders.Add(TestAuthHandler.Header, AdminRole);

        using var response = await noRedirects.GetAsync(Api + "/consent");

        response.StatusCode.Should().Be(HttpStatusCode.Redirect);
        response.Headers.Location!.AbsolutePath.Should().EndWith("/oauth2/v2.0/authorize", "the admin signs in (role checked) before Entra ID's consent page");
        response.Headers.Location.Query.Should().Contain("state=").And.Contain("code_challenge=");
        response.Headers.CacheControl!.NoStore.Should().BeTrue();
    }

    [Fact]
    public async Task OpenApiDocument_DescribesTheAdminEndpoints()
    {
        await using var admin = await AdminWorld.StartAsync();
        using var client = admin.Client();

        using var response = await client.GetAsync("/teams-connector/admin/openapi/teams-connector-admin.json");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var document = await ReadAsync(response);
        document.GetProperty("openapi").GetString().Should().StartWith("3.");
        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        paths.Should().Contain([
            Api + "/status", Api + "/agents", Api + "/agents/{agentId}/pause", Api + "/agents/{agentId}/resume",
            Api + "/agents/{agentId}/timeline", Api + "/audit", Api + "/mapping", Api + "/desktop-profiles",
            Api + "/desktop-profiles/{profileId}/toggles", Api + "/connector/deactivate", Api + "/connector/reactivate",
            Api + "/connector/delete", Api + "/consent",
        ]);
        paths.Should().NotContain(p => p.Contains("webex/events") || p.Contains("graph/notifications"));
        document.GetProperty("paths").GetProperty(Api + "/mapping").GetProperty("put").GetProperty("requestBody")
            .GetProperty("content").GetProperty("application/json").GetProperty("schema").ValueKind.Should().Be(JsonValueKind.Object);
        document.GetProperty("paths").GetProperty(Api + "/connector/delete").GetProperty("post").GetProperty("responses").TryGetProperty("409", out _).Should().BeTrue();
    }

    [Fact]
    public async Task Dashboard_IsServedFromEmbeddedAssets_WithAStrictContentSecurityPolicy()
    {
        await using var admin = await AdminWorld.StartAsync();
        using var client = admin.Client();

        using var page = await client.GetAsync("/teams-connector/dashboard");
        using var script = await client.GetAsync("/teams-connector/dashboard/assets/dashboard.js");
        using var style = await client.GetAsync("/teams-connector/dashboard/assets/dashboard.css");
        using var missing = await client.GetAsync("/teams-connector/dashboard/assets/secrets.json");

        page.StatusCode.Should().Be(HttpStatusCode.OK);
        page.Content.Headers.ContentType!.MediaType.Should().Be("text/html");
        page.Headers.GetValues("Content-Security-Policy").Single().Should().Contain("script-src 'self'").And.Contain("frame-ancestors 'none'");
        var html = await page.Content.ReadAsStringAsync();
        html.Should().Contain("data-api=\"/teams-connector/admin/api\"").And.NotContain("{{prefix}}");
        script.StatusCode.Should().Be(HttpStatusCode.OK);
        (await script.Content.ReadAsStringAsync()).Should().Contain("textContent");
        style.Content.Headers.ContentType!.MediaType.Should().Be("text/css");
        missing.StatusCode.Should().Be(HttpStatusCode.NotFound);
    }
}
