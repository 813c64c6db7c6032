using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Webex.TeamsConnector.Testing.Tests.ContactCenter;

public sealed class ContactCenterEmulatorTests
{
    [Fact]
    public async Task StartAsync_OneLine_ListensOnLoopbackWithARandomPort()
    {
        await using var wxcc = await ContactCenterEmulator.StartAsync();

        wxcc.BaseUrl.Host.Should().Be("127.0.0.1");
        wxcc.BaseUrl.Port.Should().BePositive();
        wxcc.TokenUrl.Should().Be(new Uri(wxcc.BaseUrl, "v1/access_token"));
        wxcc.WebexApiBaseUrl.AbsolutePath.Should().Be("/webex/v1/");
    }

    [Fact]
    public async Task Token_RefreshGrant_IssuesTokensAndRotatesTheRefreshToken()
    {
        await using var c = await EmulatorClient.StartAsync();
        var first = c.Wxcc.RefreshToken;

        using var ok = await c.TokenAsync();
        var body = await ok.Content.ReadFromJsonAsync<JsonElement>();
        using var reused = await c.TokenAsync(first);
        using var badSecret = await c.TokenAsync(secret: "wrong");

        ok.StatusCode.Should().Be(HttpStatusCode.OK);
        body.GetProperty("token_type").GetString().Should().Be("Bearer");
        body.GetProperty("expires_in").GetInt64().Should().Be(12 * 3600);
        body.GetProperty("refresh_token").GetString().Should().Be(c.Wxcc.RefreshToken).And.NotBe(first);
        reused.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await reused.Content.ReadAsStringAsync()).Should().Contain("invalid_grant");
        badSecret.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        c.Wxcc.TokenRequests.Should().Be(3);
    }

    [Fact]
    public async Task Api_WithoutOrWithExpiredToken_Answers401()
    {
        await using var c = await EmulatorClient.StartAsync(o => o.AccessTokenLifetime = TimeSpan.FromMinutes(1));

        using var none = await c.GetAsync("v2/subscriptions");
        await c.AuthorizeAsync();
        using var fresh = await c.GetAsync("v2/subscriptions");
        c.Time.Advance(TimeSpan.FromMinutes(1));
        using var expired = await c.GetAsync("v2/subscriptions");

        (none.StatusCode, fresh.StatusCode, expired.StatusCode).Should().Be((HttpStatusCode.Unauthorized, HttpStatusCode.OK, HttpStatusCode.Unauthorized));
    }

    [Theory]
    [InlineData("""{"state":"Idle","auxCodeId":"CODE","lastStateChangeReason":"r"}""")]
    [InlineData("""{"state":"Idle","auxCodeId":"CODE","agentId":"0123456789012345678901234567890123456"}""")]
    [InlineData("""{"state":"Busy","auxCodeId":"CODE","agentId":"AGENT"}""")]
    [InlineData("""{"state":"Idle","agentId":"AGENT"}""")]
    [InlineData("""{"state":"Idle","auxCodeId":"0123456789012345678901234567890123456","agentId":"AGENT"}""")]
    [InlineData("""{"state":"Available","auxCodeId":"CODE","agentId":"AGENT"}""")]
    [InlineData("""{"state":"Idle","auxCodeId":"RONA","agentId":"AGENT"}""")]
    [InlineData("""{"state":"Idle","auxCodeId":"missing","agentId":"AGENT"}""")]
    [InlineData("""{"state":"Idle","auxCodeId":"CODE","agentId":"someone-else"}""")]
    [InlineData("""not json""")]
    public async Task StatePut_InvalidRequest_Answers400AndChangesNothing(string template)
    {
        await using var c = await EmulatorClient.StartAsync();
        await c.AuthorizeAsync();
        var code = c.Wxcc.AddIdleCode("Lunch");
        var agent = c.Wxcc.AddAgent("agent-1");
        c.Wxcc.SignIn(agent);
        var json = template.Replace("CODE", code, StringComparison.Ordinal).Replace("AGENT", agent, StringComparison.Ordinal).Replace("RONA", c.Wxcc.RonaCodeId, StringComparison.Ordinal);

        using var response = await c.PutStateAsync(json);

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        c.Wxcc.GetState(agent).Should().Be(AgentState.Available);
        c.Wxcc.StateWrites.Should().ContainSingle().Which.StatusCode.Should().Be(400);
    }

    [Fact]
    public async Task StatePut_LongReason_Answers400()
    {
        await using var c = await EmulatorClient.StartAsync();
        await c.AuthorizeAsync();
        var code = c.Wxcc.AddIdleCode("Lunch");
        var agent = c.Wxcc.AddAgent();
        c.Wxcc.SignIn(agent);

        using var response = await c.PutStateAsync($$"""{"state":"Idle","auxCodeId":"{{code}}","agentId":"{{agent}}","lastStateChangeReason":"{{new string('r', 129)}}"}""");

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task StatePut_Valid_Answers202AndEmitsTheEventOnTheWebSocketAndASignedWebhook()
    {
        await using var c = await EmulatorClient.StartAsync(static o => o.WebSocketScope = ContactCenterWebSocketScope.Organization);
        await using var hook = await Receiver.StartAsync();
        await c.AuthorizeAsync();
        var code = c.Wxcc.AddIdleCode("Lunch");
        var agent = c.Wxcc.AddAgent();
        c.Wxcc.SignIn(agent);
        const string secret = "0123456789abcdef0123456789abcdef";
        using var created = await c.PostJsonAsync("v2/subscriptions", $$"""{"name":"t","eventTypes":["agent:state_change"],"destinationUrl":"{{hook.Url}}","secret":"{{secret}}","resourceVersion":"agent:1.0.0"}""");
        using var socket = await c.ConnectAsync();
        var welcome = await EmulatorClient.ReceiveAsync(socket);

        using var response = await c.PutStateAsync($$"""{"state":"Idle","auxCodeId":"{{code}}","agentId":"{{agent}}","lastStateChangeReason":"teams-presence-sync"}""");
        var message = await EmulatorClient.ReceiveAsync(socket);
        var delivery = await hook.Deliveries.Reader.ReadAsync().AsTask().WaitAsync(EmulatorClient.Wait);

        created.StatusCode.Should().Be(HttpStatusCode.Created);
        welcome!.Value.GetProperty("type").GetString().Should().Be("Welcome");
        response.StatusCode.Should().Be(HttpStatusCode.Accepted);
        var data = message!.Value.GetProperty("data");
        message.Value.GetProperty("type").GetString().Should().Be("AgentStateChange");
        data.GetProperty("type").GetString().Should().Be("AgentStateChangeSuccess");
        data.GetProperty("subStatus").GetString().Should().Be("Idle");
        data.GetProperty("auxCodeId").GetString().Should().Be(code);
        data.GetProperty("lastStateChangeReason").GetString().Should().Be("teams-presence-sync");
        delivery.Signature.Should().Be(ContactCenterEmulator.Sign(secret, delivery.Body));
        var envelope = JsonDocument.Parse(delivery.Body).RootElement;
        envelope.GetProperty("type").GetString().Should().Be("agent:state_change");
        envelope.GetProperty("data").GetProperty("currentState").GetString().Should().Be("idle");
        envelope.GetProperty("data").GetProperty("idleCodeId").GetString().Should().Be(code);
        c.Wxcc.GetAgent(agent).ChangedById.Should().Be("connector-admin");
    }

    [Fact]
    public async Task RateLimit_OverTheRequestsPerMinute_Answers429WithRetryAfterUntilTheWindowMoves()
    {
        await using var c = await EmulatorClient.StartAsync(o => o.RequestsPerMinute = 3);
        await c.AuthorizeAsync();

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            using var r = await c.GetAsync("v2/subscriptions");
            statuses.Add(r.StatusCode);
            if (r.StatusCode == HttpStatusCode.TooManyRequests)
            {
                r.Headers.RetryAfter!.Delta.Should().Be(TimeSpan.FromSeconds(60));
            }
        }

        c.Time.Advance(TimeSpan.FromSeconds(60));
        using var after = await c.GetAsync("v2/subscriptions");

        statuses.Should().Equal(HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests);
        after.StatusCode.Should().Be(HttpStatusCode.OK);
        c.Wxcc.ThrottledRequests.Should().Be(1);
    }

    [Fact]
    public async Task Catalogues_Paged_ServeEveryRecordAcrossPages()
    {
        await using var c = await EmulatorClient.StartAsync(o => o.MaxPageSize = 4);
        await c.AuthorizeAsync();
        c.Wxcc.AddIdleCode("Lunch");
        c.Wxcc.AddAgent();

        using var page1 = await c.GetAsync($"organization/{c.Wxcc.OrgId}/v2/auxiliary-code?page=1&pageSize=100");
        using var users = await c.GetAsync($"organization/{c.Wxcc.OrgId}/v2/user?page=0&pageSize=10");
        using var otherOrg = await c.GetAsync("organization/other/v2/user");
        var body = await page1.Content.ReadFromJsonAsync<JsonElement>();

        body.GetProperty("meta").GetProperty("totalPages").GetInt32().Should().Be(2);
        body.GetProperty("meta").GetProperty("totalRecords").GetInt32().Should().Be(8);
        body.GetProperty("data").GetArrayLength().Should().Be(4);
        (await users.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("data")[0].GetProperty("contactCenterEnabled").GetBoolean().Should().BeTrue();
        otherOrg.StatusCode.Should().Be(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task DesktopProfile_ServesTheFourToggles()
    {
        await using var c = await EmulatorClient.StartAsync();
        await c.AuthorizeAsync();
        c.Wxcc.SetDesktopProfile(new DesktopProfile("p1", StateSynchronizationMS: true) { Name = "Sales" });

        using var found = await c.GetAsync($"organization/{c.Wxcc.OrgId}/agent-profile/p1");
        using var missing = await c.GetAsync($"organization/{c.Wxcc.OrgId}/agent-profile/p2");
        var body = await found.Content.ReadFromJsonAsync<JsonElement>();

        body.GetProperty("stateSynchronizationMS").GetBoolean().Should().BeTrue();
        body.GetProperty("showUserDetailsMS").GetBoolean().Should().BeFalse();
        body.GetProperty("stateSynchronizationWebex").GetBoolean().Should().BeFalse();
        body.GetProperty("showUserDetailsWebex").GetBoolean().Should().BeFalse();
        missing.StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task PresenceSyncSetting_ReflectsTheSwitch()
    {
        await using var c = await EmulatorClient.StartAsync();
        await c.AuthorizeAsync();
        c.Wxcc.PresenceSyncEnabled = false;

        using var response = await c.Http.GetAsync(new Uri(c.Wxcc.WebexApiBaseUrl, $"telephony/config/settings/msTeams?orgId={c.Wxcc.OrgId}"));

        (await response.Content.ReadAsStringAsync()).Should().Contain("\"settingName\":\"PRESENCE_SYNC\",\"value\":false");
    }

    [Theory]
    [InlineData(101, 60_000, HttpStatusCode.BadRequest)]
    [InlineData(100, 86_400_000, HttpStatusCode.BadRequest)]
    [InlineData(100, 86_399_999, HttpStatusCode.OK)]
    public async Task Activities_TooManyAgentsOrTooLongAWindow_Answer400(int agents, long windowMs, HttpStatusCode expected)
    {
        await using var c = await EmulatorClient.StartAsync();
        await c.AuthorizeAsync();
        var to = c.Time.GetUtcNow().ToUnixTimeMilliseconds();
        var ids = string.Join(',', Enumerable.Range(0, agents).Select(i => "a" + i));

        using var response = await c.GetAsync($"v1/agents/activities?from={to - windowMs}&to={to}&agentIds={ids}");

        response.StatusCode.Should().Be(expected);
    }

    [Fact]
    public async Task Activities_PageSize_ServesAtMostThatManyRecordsOldestFirst()
    {
        await using var c = await EmulatorClient.StartAsync();
        await c.AuthorizeAsync();
        var code = c.Wxcc.AddIdleCode("Lunch");
        var agent = c.Wxcc.AddAgent();
        var from = c.Time.GetUtcNow().ToUnixTimeMilliseconds() - 1;
        c.Wxcc.SignIn(agent);
        for (var i = 0; i < 10; i++)
        {
            c.Time.Advance(TimeSpan.FromSeconds(1));
            c.Wxcc.SetStateAsAgent(agent, i % 2 == 0 ? AgentState.Idle(code) : AgentState.Available);
        }

        var to = c.Time.GetUtcNow().ToUnixTimeMilliseconds() + 1;

        using var cut = await c.GetAsync($"v1/agents/activities?from={from}&to={to}&agentIds={agent}&pageSize=5");
        using var all = await c.GetAsync($"v1/agents/activities?from={from}&to={to}&agentIds={agent}&pageSize=1000");
        using var zero = await c.GetAsync($"v1/agents/activities?from={from}&to={to}&agentIds={agent}&pageSize=0");

        var cutData = (await cut.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("data");
        cutData.GetArrayLength().Should().Be(5);
        var starts = cutData.EnumerateArray().Select(static r => r.GetProperty("startTime").GetInt64()).ToList();
        starts.Should().BeInAscendingOrder();
        cutData.EnumerateArray().Should().NotContain(static r => r.GetProperty("active").GetBoolean(), "the newest (active) record is the one a too-small page leaves out");
        var allData = (await all.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("data");
        allData.GetArrayLength().Should().Be(12);
        allData.EnumerateArray().Last().GetProperty("active").GetBoolean().Should().BeTrue();
        zero.StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Activities_MoreThan10000Records_AreCutTo10000()
    {
        await using var c = await EmulatorClient.StartAsync();
        await c.AuthorizeAsync();
        var code = c.Wxcc.AddIdleCode("Lunch");
        var agents = Enumerable.Range(0, 11).Select(_ => c.Wxcc.AddAgent()).ToList();
        var from = c.Time.GetUtcNow().ToUnixTimeMilliseconds() - 1;
        foreach (var agent in agents)
        {
            c.Wxcc.SignIn(agent);
            for (var i = 0; i < 1000; i++)
            {
                c.Wxcc.SetStateAsAgent(agent, i % 2 == 0 ? AgentState.Idle(code) : AgentState.Available);
            }
        }

        var to = c.Time.GetUtcNow().ToUnixTimeMilliseconds() + 60_000;
        var ids = string.Join(',', agents);

        using var unbounded = await c.GetAsync($"v1/agents/activities?from={from}&to={to}&agentIds={ids}");
        using var large = await c.GetAsync($"v1/agents/activities?from={from}&to={to}&agentIds={ids}&pageSize=50000");

        (await unbounded.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("data").GetArrayLength().Should().Be(10_000);
        (await large.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("data").GetArrayLength().Should().Be(10_000);
    }

    [Fact]
    public async Task Subscriptions_DestinationAndSecretRules_AreEnforced()
    {
        await using var c = await EmulatorClient.StartAsync();
        await c.AuthorizeAsync();
        const string secret = "0123456789abcdef0123456789abcdef";

        async Task<HttpStatusCode> Create(string url, string s)
        {
            using var r = await c.PostJsonAsync("v2/subscriptions", $$"""{"name":"n","eventTypes":["agent:state_change"],"destinationUrl":"{{url}}","secret":"{{s}}"}""");
            return r.StatusCode;
        }

        (await Create("https://hooks.example.com:8443/x", secret)).Should().Be(HttpStatusCode.BadRequest);
        (await Create("https://hooks.example.com/x?a=1", secret)).Should().Be(HttpStatusCode.BadRequest);
        (await Create("http://hooks.example.com/x", secret)).Should().Be(HttpStatusCode.BadRequest);
        (await Create("https://hooks.example.com/x", "short")).Should().Be(HttpStatusCode.BadRequest);
        (await Create("https://hooks.example.com/x", secret)).Should().Be(HttpStatusCode.Created);
        (await Create("http://127.0.0.1:5000/x", secret)).Should().Be(HttpStatusCode.Created);
        c.Wxcc.Subscriptions.Should().HaveCount(2);
    }

    [Fact]
    public async Task WebSocket_DefaultScope_CarriesOnlyTheSignedInUsersEvents()
    {
        await using var c = await EmulatorClient.StartAsync(static o => o.ApiUserId = "token-user");
        await c.AuthorizeAsync();
        var code = c.Wxcc.AddIdleCode("Lunch");
        var other = c.Wxcc.AddAgent();
        var self = c.Wxcc.AddAgent(agentId: "token-user");
        c.Wxcc.SignIn(other);
        c.Wxcc.SignIn(self);
        using var socket = await c.ConnectAsync();
        var welcome = await EmulatorClient.ReceiveAsync(socket);

        c.Wxcc.SetStateAsAgent(other, AgentState.Idle(code));
        c.Wxcc.SetStateAsAgent(self, AgentState.Idle(code));
        var message = await EmulatorClient.ReceiveAsync(socket);

        welcome!.Value.GetProperty("data").GetProperty("agentId").GetString().Should().Be("token-user");
        message!.Value.GetProperty("data").GetProperty("agentId").GetString().Should().Be("token-user", "the other agent's change is not sent on the token user's socket");
        message.Value.GetProperty("data").GetProperty("auxCodeId").GetString().Should().Be(code);
    }

    [Fact]
    public async Task WebSocket_OrganizationScope_CarriesEveryAgentsEvents()
    {
        await using var c = await EmulatorClient.StartAsync(static o => o.WebSocketScope = ContactCenterWebSocketScope.Organization);
        await c.AuthorizeAsync();
        var code = c.Wxcc.AddIdleCode("Lunch");
        var other = c.Wxcc.AddAgent();
        c.Wxcc.SignIn(other);
        using var socket = await c.ConnectAsync();
        await EmulatorClient.ReceiveAsync(socket);

        c.Wxcc.SetStateAsAgent(other, AgentState.Idle(code));
        var message = await EmulatorClient.ReceiveAsync(socket);

        message!.Value.GetProperty("data").GetProperty("agentId").GetString().Should().Be(other);
    }

    [Fact]
    public async Task Subscriptions_ControlSurface_DeactivateDeleteAndPagedList()
    {
        await using var c = await EmulatorClient.StartAsync(static o => o.MaxPageSize = 2);
        await c.AuthorizeAsync();
        const string secret = "0123456789abcdef0123456789abcdef";
        var ids = Enumerable.Range(0, 3).Select(i => c.Wxcc.AddSubscription("s" + i, new Uri("https://hooks.example.com/" + i), secret)).ToList();

        c.Wxcc.SetSubscriptionActive(ids[1], active: false);
        using var inactive = await c.GetAsync("v2/subscriptions/" + ids[1]);
        c.Wxcc.DeleteSubscription(ids[2]).Should().BeTrue();
        using var gone = await c.GetAsync("v2/subscriptions/" + ids[2]);
        using var page0 = await c.GetAsync("v2/subscriptions?page=0&pageSize=100");
        c.Wxcc.AddSubscription("s3", new Uri("https://hooks.example.com/3"), secret);
        using var page1 = await c.GetAsync("v2/subscriptions?page=1&pageSize=100");

        (await inactive.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString().Should().Be("inactive");
        gone.StatusCode.Should().Be(HttpStatusCode.NotFound);
        var first = await page0.Content.ReadFromJsonAsync<JsonElement>();
        first.GetProperty("data").EnumerateArray().Select(static s => s.GetProperty("id").GetString()).Should().Equal(ids[0], ids[1]);
        first.GetProperty("meta").GetProperty("totalPages").GetInt32().Should().Be(1);
        var second = await page1.Content.ReadFromJsonAsync<JsonElement>();
        second.GetProperty("data").GetArrayLength().Should().Be(1);
        second.GetProperty("meta").GetProperty("totalPages").GetInt32().Should().Be(2);
        c.Wxcc.DeleteSubscription(ids[2]).Should().BeFalse();
    }

    [Fact]
    public async Task WebSocket_NoKeepAliveFor16Seconds_IsDropped()
    {
        await using var c = await EmulatorClient.StartAsync();
        await c.AuthorizeAsync();
        using var socket = await c.ConnectAsync();
        await EmulatorClient.ReceiveAsync(socket);

        c.Time.Advance(TimeSpan.FromSeconds(12));
        await EmulatorClient.SendKeepAliveAsync(socket);
        await c.Wxcc.WaitUntilAsync(w => w.KeepAlivesReceived == 1);
        c.Time.Advance(TimeSpan.FromSeconds(12));
        c.Wxcc.OpenWebSockets.Should().Be(1);
        c.Time.Advance(TimeSpan.FromSeconds(4));
        await c.Wxcc.WaitUntilAsync(w => w.OpenWebSockets == 0);

        var act = () => EmulatorClient.ReceiveAsync(socket);
        (await act.Should().ThrowAsync<WebSocketException>()).Which.Should().NotBeNull();
    }

    [Fact]
    public async Task WebSocket_SubscriptionIdUsedTwiceOrUnknown_IsRefused()
    {
        await using var c = await EmulatorClient.StartAsync();
        await c.AuthorizeAsync();
        using var socket = new ClientWebSocket();

        var act = () => socket.ConnectAsync(new Uri(new UriBuilder(c.Wxcc.BaseUrl) { Scheme = "ws" }.Uri, "ws/notification/unknown"), CancellationToken.None);

        await act.Should().ThrowAsync<WebSocketException>();
    }

    [Fact]
    public async Task Faults_ServiceUnavailableAndTooManyRequests_ServedThenCleared()
    {
        await using var c = await EmulatorClient.StartAsync();
        await c.AuthorizeAsync();
        c.Wxcc.Faults.ServiceUnavailable = 1;
        c.Wxcc.Faults.TooManyRequests = 1;
        c.Wxcc.Faults.RetryAfter = TimeSpan.FromSeconds(3);

        using var first = await c.GetAsync("v2/subscriptions");
        using var second = await c.GetAsync("v2/subscriptions");
        using var third = await c.GetAsync("v2/subscriptions");

        first.StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
        first.Headers.RetryAfter!.Delta.Should().Be(TimeSpan.FromSeconds(3));
        second.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        third.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Faults_FailStateChange_Accepts202ThenSendsAgentStateChangeFailed()
    {
        await using var c = await EmulatorClient.StartAsync();
        await c.AuthorizeAsync();
        var code = c.Wxcc.AddIdleCode("Lunch");
        var agent = c.Wxcc.AddAgent();
        c.Wxcc.SignIn(agent);
        using var socket = await c.ConnectAsync();
        await EmulatorClient.ReceiveAsync(socket);
        c.Wxcc.Faults.FailStateChanges = 1;

        using var response = await c.PutStateAsync($$"""{"state":"Idle","auxCodeId":"{{code}}","agentId":"{{agent}}"}""");
        var message = await EmulatorClient.ReceiveAsync(socket);

        response.StatusCode.Should().Be(HttpStatusCode.Accepted);
        message!.Value.GetProperty("data").GetProperty("type").GetString().Should().Be("AgentStateChangeFailed");
        c.Wxcc.GetState(agent).Should().Be(AgentState.Available);
    }

    [Fact]
    public async Task Faults_DropDuplicateReorder_ShapeTheEventStream()
    {
        await using var c = await EmulatorClient.StartAsync(static o => o.WebSocketScope = ContactCenterWebSocketScope.Organization);
        await c.AuthorizeAsync();
        var one = c.Wxcc.AddIdleCode("One");
        var two = c.Wxcc.AddIdleCode("Two");
        var agent = c.Wxcc.AddAgent();
        c.Wxcc.SignIn(agent);
        using var socket = await c.ConnectAsync();
        await EmulatorClient.ReceiveAsync(socket);

        c.Wxcc.Faults.DropEvents = 1;
        c.Wxcc.SetStateAsAgent(agent, AgentState.Idle(one));
        c.Wxcc.Faults.DuplicateEvents = true;
        c.Wxcc.SetStateAsAgent(agent, AgentState.Idle(two));
        c.Wxcc.Faults.DuplicateEvents = false;
        c.Wxcc.Faults.ReorderEvents = true;
        c.Wxcc.SetStateAsAgent(agent, AgentState.Available);
        c.Wxcc.SetStateAsAgent(agent, AgentState.Idle(one));
        var codes = new List<string?>();
        for (var i = 0; i < 4; i++)
        {
            codes.Add((await EmulatorClient.ReceiveAsync(socket))!.Value.GetProperty("data").GetProperty("auxCodeId").GetString());
        }

        codes.Should().Equal(two, two, one, "0");
    }

    [Fact]
    public async Task ControlSurface_ContactLifecycle_FollowsWxccStates()
    {
        await using var c = await EmulatorClient.StartAsync();
        var code = c.Wxcc.AddIdleCode("After call");
        var agent = c.Wxcc.AddAgent(email: "ada@example.com");

        c.Wxcc.SignIn(agent);
        var contact = c.Wxcc.OfferContact(agent);
        c.Wxcc.GetAgent(agent).Should().Match<EmulatedAgent>(a => a.State == AgentState.Reserved && a.ContactId == contact);
        c.Wxcc.AssignContact(agent);
        c.Wxcc.GetState(agent).Should().Be(AgentState.Engaged);
        c.Wxcc.EndContact(agent);
        c.Wxcc.GetState(agent).Should().Be(AgentState.WrapUp);
        c.Wxcc.WrapUp(agent, AgentState.Idle(code));
        c.Wxcc.GetState(agent).Should().Be(AgentState.Idle(code));
        c.Wxcc.SetStateAsSupervisor(agent, AgentState.Available, "boss");
        c.Wxcc.GetAgent(agent).ChangedById.Should().Be("boss");
        c.Wxcc.OfferContact(agent);
        c.Time.Advance(TimeSpan.FromSeconds(18));
        c.Wxcc.GetState(agent).Should().Be(AgentState.Idle(c.Wxcc.RonaCodeId));
        c.Wxcc.SignOut(agent);
        c.Wxcc.GetState(agent).Should().Be(AgentState.LoggedOut);
    }

    [Fact]
    public async Task ControlSurface_ImpossibleActions_ThrowClearErrors()
    {
        await using var c = await EmulatorClient.StartAsync();
        var agent = c.Wxcc.AddAgent();

        ((Action)(() => c.Wxcc.OfferContact(agent))).Should().Throw<InvalidOperationException>().WithMessage("*only to an Available agent*");
        ((Action)(() => c.Wxcc.SetStateAsAgent(agent, AgentState.Available))).Should().Throw<InvalidOperationException>().WithMessage("*LoggedOut*");
        ((Action)(() => c.Wxcc.SignIn(agent, AgentState.Idle("nope")))).Should().Throw<ArgumentException>().WithMessage("*AddIdleCode*");
        ((Action)(() => c.Wxcc.GetAgent("ghost"))).Should().Throw<ArgumentException>().WithMessage("*AddAgent*");
        ((Action)(() => c.Wxcc.AddAgent(agent))).Should().Throw<ArgumentException>();
        var wait = () => c.Wxcc.WaitUntilAsync(static _ => false, TimeSpan.FromMilliseconds(50));
        await wait.Should().ThrowAsync<TimeoutException>();
    }

    private sealed record Delivered(byte[] Body, string? Signature);

    private sealed class Receiver : IAsyncDisposable
    {
        private WebApplication _app = null!;

        public Uri Url { get; private set; } = null!;

        public Channel<Delivered> Deliveries { get; } = Channel.CreateUnbounded<Delivered>();

        public static async Task<Receiver> StartAsync()
        {
            var receiver = new Receiver();
            var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
            builder.Services.AddLogging();
            builder.WebHost.UseKestrelCore().ConfigureKestrel(static k => k.Listen(IPAddress.Loopback, 0));
            receiver._app = builder.Build();
            receiver._app.Run(async context =>
            {
                using var body = new MemoryStream();
                await context.Request.Body.CopyToAsync(body);
                receiver.Deliveries.Writer.TryWrite(new Delivered(body.ToArray(), context.Request.Headers["X-WebexCC-Signature"].ToString()));
                context.Response.StatusCode = StatusCodes.Status200OK;
            });
            await receiver._app.StartAsync();
            receiver.Url = new Uri(receiver._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/hook");
            return receiver;
        }

        public async ValueTask DisposeAsync() => await _app.DisposeAsync();
    }
}
