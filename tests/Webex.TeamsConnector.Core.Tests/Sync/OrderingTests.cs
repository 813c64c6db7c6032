namespace Webex.TeamsConnector.Tests.Sync;

/// <summary>Stale, duplicate and out-of-order events.</summary>
public class OrderingTests
{
    [Fact]
    public void Presence_OlderSequenceNumber_IsDropped()
    {
        var h = new Harness();
        h.Available();
        h.Teams_("Available", "Available", "0000000B");

        var decision = h.Teams_("Busy", "InACall", "0000000A");

        decision.ShouldBeNone();
        decision.Outcome.Should().Be(SyncOutcome.Stale);
        h.Snapshot.ObservedPresence!.Value.Activity.Should().Be(TeamsActivity.Available);
    }

    [Fact]
    public void Presence_SameSequenceNumber_IsDuplicate()
    {
        var h = new Harness();
        h.Available();
        h.Teams_("Busy", "InACall", "C4F2E9A1B").ShouldWrite(AgentState.Idle(Harness.CallCode), SyncRule.Engage);

        var again = h.Teams_("Busy", "InACall", "C4F2E9A1B");

        again.ShouldBeNone();
        again.Outcome.Should().Be(SyncOutcome.Duplicate);
    }

    [Fact]
    public void Presence_SequenceNumbers_CompareLexicographically()
    {
        var h = new Harness();
        h.Available();
        h.Teams_("Available", "Available", "C4F2E9A1B");

        h.Teams_("Busy", "InACall", "C4F2E9A1C").ShouldWrite(AgentState.Idle(Harness.CallCode), SyncRule.Engage);
    }

    [Fact]
    public void Presence_WithoutSequenceNumber_IsAcceptedAndDedupedByValue()
    {
        var h = new Harness();
        h.Available();

        h.Engine.OnPresence(Harness.Teams, "Busy", "InACall", null).ShouldWrite(AgentState.Idle(Harness.CallCode), SyncRule.Engage);
        h.Engine.OnPresence(Harness.Teams, "Busy", "InACall", null).Outcome.Should().Be(SyncOutcome.Unchanged);
    }

    [Fact]
    public void AgentEvent_OlderThanLastApplied_IsDropped()
    {
        var h = new Harness();
        var early = h.NextEventTime();
        h.AgentSets(AgentState.Idle(Harness.LunchCode));

        var decision = h.Event(AgentEvent.StateChanged(AgentState.Available, early, "agent", Harness.Agent));

        decision.Outcome.Should().Be(SyncOutcome.Stale);
        h.Snapshot.State.Should().Be(AgentState.Idle(Harness.LunchCode));
    }

    [Fact]
    public void AgentEvent_AppliedTwice_ChangesNothing()
    {
        var h = new Harness();
        h.Available();
        h.TeamsFree();
        h.Offer();
        var answered = AgentEvent.StateChanged(AgentState.Engaged, h.NextEventTime());
        h.Event(answered).ShouldBeSingle(SyncCommandKind.PublishPresence);
        var before = h.Snapshot;

        var again = h.Event(answered);

        again.ShouldBeNone();
        again.Outcome.Should().Be(SyncOutcome.Duplicate);
        h.Snapshot.Should().Be(before);
    }

    [Fact]
    public void AgentEvents_Reordered_NewestWins()
    {
        var h = new Harness();
        var t1 = h.NextEventTime();
        var t2 = h.NextEventTime();
        h.Event(AgentEvent.StateChanged(AgentState.Idle(Harness.LunchCode), t2, "agent", Harness.Agent));
        h.Event(AgentEvent.StateChanged(AgentState.Available, t1, "agent", Harness.Agent)).Outcome.Should().Be(SyncOutcome.Stale);

        h.TeamsCall().ShouldBeNone();
        h.Snapshot.State.Should().Be(AgentState.Idle(Harness.LunchCode));
    }

    [Fact]
    public void AgentEvent_SameTimestampDifferentState_IsApplied()
    {
        var h = new Harness();
        var t = h.NextEventTime();
        h.Event(AgentEvent.LoggedIn(AgentState.Idle(Harness.SystemCode), t));

        h.Event(AgentEvent.StateChanged(AgentState.Available, t, "agent", Harness.Agent)).Outcome.Should().Be(SyncOutcome.Applied);
        h.Snapshot.State.Should().Be(AgentState.Available);
    }

    [Fact]
    public void AgentEvent_ReplayOfTheOlderOfTwoWithTheSameTimestamp_DoesNotFlipTheStateBack()
    {
        var h = new Harness();
        h.Available();
        var t = h.NextEventTime();
        var lunch = AgentEvent.StateChanged(AgentState.Idle(Harness.LunchCode), t, "agent", Harness.Agent);
        var back = AgentEvent.StateChanged(AgentState.Available, t, "supervisor", Harness.Supervisor);
        h.Event(lunch).Outcome.Should().Be(SyncOutcome.Applied);
        h.Event(back).Outcome.Should().Be(SyncOutcome.Applied);
        var before = h.Snapshot;

        var replay = h.Event(lunch);

        replay.Outcome.Should().Be(SyncOutcome.Duplicate);
        replay.ShouldBeNone();
        h.Snapshot.Should().Be(before);
        h.Snapshot.State.Should().Be(AgentState.Available);

        // Teams is busy now: the agent is Available (the newest state), so it is protected.
        h.TeamsCall().ShouldWrite(AgentState.Idle(Harness.CallCode), SyncRule.Engage);
    }

    [Fact]
    public void AgentEvent_ReplayWithTheSameTimestampAndTheSameStateByAnotherChanger_IsADuplicate()
    {
        var h = new Harness();
        h.Available();
        var t = h.NextEventTime();
        h.Event(AgentEvent.StateChanged(AgentState.Idle(Harness.LunchCode), t, "agent", Harness.Agent));
        h.Event(AgentEvent.StateChanged(AgentState.Available, t, "agent", Harness.Agent));

        h.Event(AgentEvent.StateChanged(AgentState.Idle(Harness.LunchCode), t, "supervisor", Harness.Supervisor))
            .Outcome.Should().Be(SyncOutcome.Duplicate);
        h.Snapshot.State.Should().Be(AgentState.Available);
    }

    [Fact]
    public void AgentEvent_FifthDistinctStateAtOneTimestamp_IsStale()
    {
        var h = new Harness();
        var t = h.NextEventTime();
        h.Event(AgentEvent.LoggedIn(AgentState.Available, t)).Outcome.Should().Be(SyncOutcome.Applied);
        h.Event(AgentEvent.StateChanged(AgentState.Idle(Harness.LunchCode), t, "agent", Harness.Agent)).Outcome.Should().Be(SyncOutcome.Applied);
        h.Event(AgentEvent.StateChanged(AgentState.Reserved, t)).Outcome.Should().Be(SyncOutcome.Applied);
        h.Event(AgentEvent.StateChanged(AgentState.Engaged, t)).Outcome.Should().Be(SyncOutcome.Applied);

        h.Event(AgentEvent.StateChanged(AgentState.WrapUp, t)).Outcome.Should().Be(SyncOutcome.Stale);
        h.Snapshot.State.Should().Be(AgentState.Engaged);

        // A newer timestamp starts afresh.
        h.Event(AgentEvent.StateChanged(AgentState.WrapUp, h.NextEventTime())).Outcome.Should().Be(SyncOutcome.Applied);
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("", "")]
    [InlineData("Busy", "OnTheMoon")]
    [InlineData("42", "7")]
    [InlineData("Busy\0", "InACall\u200B")]
    public void MalformedPresence_NeverThrows_AndProducesNoCommand(string? availability, string? activity)
    {
        var h = new Harness();
        h.Available();

        var act = () => h.Engine.OnPresence(Harness.Teams, availability, activity, null);

        act.Should().NotThrow().Subject.ToList().Should().BeEmpty();
        h.Snapshot.State.Should().Be(AgentState.Available);
        h.Snapshot.PendingWrite.Should().BeNull();
    }

    [Theory]
    [InlineData("bUsY", "iNaCaLl")]
    [InlineData("  Busy  ", " InACall ")]
    public void OddCasingOrBlanks_AreParsedAsTheSamePresence(string availability, string activity)
    {
        var h = new Harness();
        h.Available();

        h.Engine.OnPresence(Harness.Teams, availability, activity, null).ShouldWrite(AgentState.Idle(Harness.CallCode), SyncRule.Engage);
    }

    public static TheoryData<string, AgentEvent> MalformedAgentEvents() => new()
    {
        { "default", default },
        { "no timestamp", AgentEvent.StateChanged(AgentState.Engaged, default) },
        { "undefined event kind", new AgentEvent((AgentEventKind)42, AgentState.Engaged, DateTimeOffset.FromUnixTimeMilliseconds(10_000_000)) },
        { "undefined state kind", AgentEvent.StateChanged(AgentState.From((AgentStateKind)42, null), DateTimeOffset.FromUnixTimeMilliseconds(10_000_000)) },
        { "negative state kind", AgentEvent.StateChanged(AgentState.From((AgentStateKind)(-1), "x"), DateTimeOffset.FromUnixTimeMilliseconds(10_000_000)) },
    };

    [Theory]
    [MemberData(nameof(MalformedAgentEvents))]
    public void MalformedAgentEvent_IsRejected_WithNoCommandAndNoChange(string what, AgentEvent malformed)
    {
        var h = new Harness();
        h.Available();
        h.AgentSets(AgentState.Idle(Harness.MeetingCode)).ShouldBeSingle(SyncCommandKind.PublishPresence);
        var before = h.Snapshot;

        SyncDecision decision = default;
        var act = () => decision = h.Event(malformed);

        act.Should().NotThrow(what);
        decision.Outcome.Should().Be(SyncOutcome.Rejected, what);
        decision.ToList().Should().BeEmpty(what);
        h.Snapshot.Should().Be(before, what);
    }

    [Fact]
    public void MalformedAgentEvent_AsTheFirstEvent_IsRejected()
    {
        var h = new Harness();

        h.Event(default).Outcome.Should().Be(SyncOutcome.Rejected);
        h.Snapshot.LastEventAt.Should().BeNull();

        // The first real event is still taken as the sign-in.
        h.TeamsCall();
        h.LogIn(AgentState.Available).ShouldWrite(AgentState.Idle(Harness.CallCode), SyncRule.Engage);
    }

    [Fact]
    public void NullIds_NeverThrow_AndProduceNoCommand()
    {
        var h = new Harness();
        h.Available();

        h.Engine.RemoveAgent(null).Outcome.Should().Be(SyncOutcome.UnknownAgent);
        h.Engine.RemoveAgent(null).ToList().Should().BeEmpty();
        h.Engine.SetTeamsUserId(null, "t9").Should().BeFalse();
        h.Engine.OnAgentEvent(null, AgentEvent.StateChanged(AgentState.Engaged, h.NextEventTime())).Outcome.Should().Be(SyncOutcome.UnknownAgent);
        h.Engine.OnPresence(null, "Busy", "InACall", null).ToList().Should().BeEmpty();
        h.Engine.OnWriteFailed(null, AgentState.Available).Outcome.Should().Be(SyncOutcome.UnknownAgent);
        h.Engine.Count.Should().Be(1);
        h.Engine.TryGetAgentByTeamsUserId("t9", out _).Should().BeFalse();
    }

    [Fact]
    public void UnknownActivity_FallsBackOnAvailability()
    {
        var h = new Harness();
        h.Available();

        h.Engine.OnPresence(Harness.Teams, "DoNotDisturb", "SomethingNew", null).ShouldWrite(AgentState.Idle(Harness.DndCode), SyncRule.Engage);
    }

    [Fact]
    public void UnknownAgentOrUser_IsReportedNotThrown()
    {
        var h = new Harness();

        h.Engine.OnPresence(null, "Busy", "InACall", null).Outcome.Should().Be(SyncOutcome.UnknownAgent);
        h.Engine.OnPresence("nobody", "Busy", "InACall", null).Outcome.Should().Be(SyncOutcome.UnknownAgent);
        h.Engine.OnAgentEvent(null, AgentEvent.LoggedOut(h.NextEventTime())).Outcome.Should().Be(SyncOutcome.UnknownAgent);
        h.Engine.OnAgentEvent("nobody", AgentEvent.LoggedOut(h.NextEventTime())).Outcome.Should().Be(SyncOutcome.UnknownAgent);
        h.Engine.OnWriteFailed("nobody", AgentState.Available).Outcome.Should().Be(SyncOutcome.UnknownAgent);
    }

    [Fact]
    public void IdleWithMissingCode_FromTheWire_NeverThrows()
    {
        var h = new Harness();
        var state = AgentState.From(AgentStateKind.Idle, null);

        var act = () => h.Event(AgentEvent.StateChanged(state, h.NextEventTime(), null, null));

        act.Should().NotThrow();
        h.TeamsCall().ShouldBeNone();
    }
}
