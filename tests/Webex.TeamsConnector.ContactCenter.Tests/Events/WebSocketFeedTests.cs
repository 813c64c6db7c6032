using System.Threading.Channels;

namespace Webex.TeamsConnector.ContactCenter.Tests.Events;

public sealed class WebSocketFeedTests
{
    private static async Task<Harness> StartAsync()
    {
        var h = await Harness.StartAsync(Harness.OrganizationWideWebSocket, settings: new() { ["EventSource"] = "WebSocket" });
        h.RunFeed();
        await h.Wxcc.WaitUntilAsync(w => w.OpenWebSockets == 1);
        await h.WaitForReconciliationAsync(1);
        while (h.Events.Reader.TryRead(out _))
        {
        }

        return h;
    }

    [Fact]
    public async Task Run_PerUserSocket_OtherAgentsArriveByTheReconciliationPoll()
    {
        await using var h = await Harness.StartAsync(settings: new() { ["EventSource"] = "WebSocket", ["ReconciliationInterval"] = "00:01:00" });
        var code = h.Wxcc.AddIdleCode("Lunch");
        var agent = h.Wxcc.AddAgent();
        h.Wxcc.SignIn(agent);
        h.RunFeed();
        await h.Wxcc.WaitUntilAsync(w => w.OpenWebSockets == 1);
        await h.WaitForReconciliationAsync(1);
        while (h.Events.Reader.TryRead(out _))
        {
        }

        var reconciliations = h.Feed.Reconciliations;
        h.Wxcc.SetStateAsAgent(agent, AgentState.Idle(code));
        h.Events.Reader.TryRead(out _).Should().BeFalse("the websocket carries only the token user's events");
        h.Time.Advance(TimeSpan.FromMinutes(1));
        await h.WaitForReconciliationAsync(reconciliations + 1);

        var polled = await h.NextEventAsync();
        polled.AgentId.Should().Be(agent);
        polled.Event.State.Should().Be(AgentState.Idle(code));
        polled.TrackingId.Should().BeNull("it came from the activities poll, not from the websocket");
    }

    [Fact]
    public async Task Run_AgentSessionAndContact_BecomeEngineEvents()
    {
        await using var h = await StartAsync();
        var code = h.Wxcc.AddIdleCode("Lunch");
        var agent = h.Wxcc.AddAgent();

        h.Wxcc.SignIn(agent);
        (await h.NextEventAsync()).Event.Should().Be(AgentEvent.LoggedIn(AgentState.Available, h.Wxcc.GetAgent(agent).LastStateChangeAt));
        h.Wxcc.OfferContact(agent);
        (await h.NextEventAsync()).Event.State.Should().Be(AgentState.Reserved);
        h.Wxcc.AssignContact(agent);
        (await h.NextEventAsync()).Event.State.Should().Be(AgentState.Engaged);
        h.Wxcc.EndContact(agent);
        (await h.NextEventAsync()).Event.State.Should().Be(AgentState.WrapUp);
        h.Wxcc.WrapUp(agent, AgentState.Idle(code));
        (await h.NextEventAsync()).Event.State.Should().Be(AgentState.Idle(code));
        h.Wxcc.SetStateAsAgent(agent, AgentState.Available);
        (await h.NextEventAsync()).Event.State.Should().Be(AgentState.Available);
        h.Wxcc.OfferContact(agent);
        (await h.NextEventAsync()).Event.State.Should().Be(AgentState.Reserved);
        h.Wxcc.RingIntoRona(agent);
        (await h.NextEventAsync()).Event.State.Should().Be(AgentState.Idle(h.Wxcc.RonaCodeId));
        h.Wxcc.SetStateAsSupervisor(agent, AgentState.Available, "boss-1");
        var bySupervisor = (await h.NextEventAsync()).Event;
        bySupervisor.ChangedById.Should().Be("boss-1");
        bySupervisor.Kind.Should().Be(AgentEventKind.StateChange);
        h.Wxcc.OfferContact(agent);
        await h.NextEventAsync();
        h.Wxcc.AssignContact(agent);
        await h.NextEventAsync();
        h.Wxcc.EndContact(agent, wrapUp: false);
        (await h.NextEventAsync()).Event.State.Should().Be(AgentState.Available);
        h.Wxcc.SignOut(agent);
        (await h.NextEventAsync()).Event.Kind.Should().Be(AgentEventKind.Logout);
    }

    [Fact]
    public async Task Run_ContactRingsPastTheTimeout_BecomesRonaIdle()
    {
        await using var h = await StartAsync();
        var agent = h.Wxcc.AddAgent();
        h.Wxcc.SignIn(agent);
        await h.NextEventAsync();

        h.Wxcc.OfferContact(agent);
        await h.NextEventAsync();
        h.Time.Advance(TimeSpan.FromSeconds(18));

        (await h.NextEventAsync()).Event.State.Should().Be(AgentState.Idle(h.Wxcc.RonaCodeId));
    }

    [Fact]
    public async Task Run_OwnWrite_ComesBackWithTheMarkerAndTrackingId()
    {
        await using var h = await StartAsync();
        var code = h.Wxcc.AddIdleCode("Teams call");
        var agent = h.Wxcc.AddAgent();
        h.Wxcc.SignIn(agent);
        await h.NextEventAsync();
        h.RunOutbox();

        h.OutboxPort.Enqueue(agent, AgentState.Idle(code));
        var result = await h.NextResultAsync();
        var e = await h.NextEventAsync();

        e.Event.Reason.Should().Be(OriginClassifier.DefaultReasonMarker);
        e.Event.State.Should().Be(AgentState.Idle(code));
        e.TrackingId.Should().Be(result.TrackingId);
    }

    [Fact]
    public async Task Run_KeepAliveEveryFourSeconds_KeepsTheSocketOpenPastSixteenSeconds()
    {
        var h = await Harness.StartAsync(Harness.OrganizationWideWebSocket, settings: new() { ["EventSource"] = "WebSocket" });
        await using var _ = h;
        var armed = Channel.CreateUnbounded<bool>();
        h.WebSocket.KeepAliveArmed += () => armed.Writer.TryWrite(true);
        h.RunFeed();

        for (var i = 1; i <= 6; i++)
        {
            await armed.Reader.ReadAsync().AsTask().WaitAsync(Harness.Wait);
            h.Time.Advance(TimeSpan.FromSeconds(4));
            var expected = i;
            await h.Wxcc.WaitUntilAsync(w => w.KeepAlivesReceived >= expected);
        }

        h.Wxcc.WebSocketsAccepted.Should().Be(1);
        h.Wxcc.OpenWebSockets.Should().Be(1);
    }

    [Fact]
    public async Task Run_SocketDroppedWhileAnEventIsLost_ReconnectsAndReconciliationRecoversIt()
    {
        await using var h = await StartAsync();
        var code = h.Wxcc.AddIdleCode("Lunch");
        var agent = h.Wxcc.AddAgent();
        h.Wxcc.SignIn(agent);
        await h.NextEventAsync();
        var reconciled = h.Feed.Reconciliations;

        h.Wxcc.Faults.DropEvents = 1;
        h.Wxcc.SetStateAsAgent(agent, AgentState.Idle(code), "lunch");
        h.Wxcc.DropWebSockets();
        var recovered = await h.EventAsync(e => e.AgentId == agent);

        recovered.Event.State.Should().Be(AgentState.Idle(code));
        recovered.Event.Reason.Should().Be("lunch");
        recovered.Event.Timestamp.Should().Be(h.Wxcc.GetAgent(agent).LastStateChangeAt);
        h.Feed.Reconciliations.Should().BeGreaterThan(reconciled);
        h.Wxcc.WebSocketsAccepted.Should().Be(2);
        h.WebSocket.Connections.Should().Be(2);
    }

    [Fact]
    public async Task Run_DuplicatedAndReorderedEvents_PassedOnAsTheyCome_AndTheEngineAppliesOnlyNewerOnes()
    {
        await using var h = await StartAsync();
        var c1 = h.Wxcc.AddIdleCode("One");
        var c2 = h.Wxcc.AddIdleCode("Two");
        var agent = h.Wxcc.AddAgent();
        h.Wxcc.SignIn(agent);
        var engine = new SyncEngine(new SyncRules(), h.Time);
        engine.AddAgent(agent);
        engine.OnAgentEvent(agent, (await h.NextEventAsync()).Event).Outcome.Should().Be(SyncOutcome.Applied);

        h.Wxcc.Faults.DuplicateEvents = true;
        h.Wxcc.SetStateAsAgent(agent, AgentState.Idle(c1));
        var first = await h.NextEventAsync();
        var repeat = await h.NextEventAsync();
        h.Wxcc.Faults.DuplicateEvents = false;
        h.Wxcc.Faults.ReorderEvents = true;
        h.Time.Advance(TimeSpan.FromSeconds(1));
        h.Wxcc.SetStateAsAgent(agent, AgentState.Idle(c2));
        h.Time.Advance(TimeSpan.FromSeconds(1));
        h.Wxcc.SetStateAsAgent(agent, AgentState.Available);
        h.Wxcc.Faults.ReorderEvents = false;
        var reordered = new[] { await h.NextEventAsync(), await h.NextEventAsync() };
        h.Wxcc.SetStateAsAgent(agent, AgentState.Idle(c1));
        var last = await h.NextEventAsync();

        // The adapter is a pipe: every delivery is passed on; the sync rules judge order and repeats.
        first.Event.State.Should().Be(AgentState.Idle(c1));
        repeat.Event.Should().Be(first.Event);
        reordered.Select(e => e.Event.State).Should().Equal(AgentState.Available, AgentState.Idle(c2));
        engine.OnAgentEvent(agent, first.Event).Outcome.Should().Be(SyncOutcome.Applied);
        engine.OnAgentEvent(agent, repeat.Event).Outcome.Should().Be(SyncOutcome.Duplicate);
        engine.OnAgentEvent(agent, reordered[0].Event).Outcome.Should().Be(SyncOutcome.Applied);
        engine.OnAgentEvent(agent, reordered[1].Event).Outcome.Should().Be(SyncOutcome.Stale);
        engine.TryGetAgent(agent, out var snapshot).Should().BeTrue();
        snapshot.State.Should().Be(AgentState.Available);
        engine.OnAgentEvent(agent, last.Event).Outcome.Should().Be(SyncOutcome.Applied);
        engine.TryGetAgent(agent, out snapshot).Should().BeTrue();
        snapshot.State.Should().Be(AgentState.Idle(c1));
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(2, 1)]
    [InlineData(3, 2)]
    [InlineData(4, 4)]
    [InlineData(20, 30)]
    public void ReconnectDelay_ConsecutiveFailures_BackOffUpTo30Seconds(int failures, int seconds)
    {
        WebSocketAgentEventFeed.ReconnectDelay(failures).Should().Be(TimeSpan.FromSeconds(seconds));
    }
}
