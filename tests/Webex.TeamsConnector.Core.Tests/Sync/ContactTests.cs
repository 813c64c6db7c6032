namespace Webex.TeamsConnector.Tests.Sync;

/// <summary>Deferral while on a contact, the single re-evaluation when it ends, and WxCC -> Teams publishing.</summary>
public class ContactTests
{
    [Fact]
    public void ContactEndsIntoAvailable_TeamsChangedDuringContact_EvaluatesOnce()
    {
        var h = new Harness();
        h.Available();
        h.Offer();
        h.Answer();
        h.TeamsDnd().ShouldBeNone();
        h.WrapUp().ShouldBeNone();

        var ended = h.AgentSets(AgentState.Available);

        ended.ToList().Should().HaveCount(2);
        ended[0].Kind.Should().Be(SyncCommandKind.ClearPresence);
        ended.ShouldWrite(AgentState.Idle(Harness.DndCode), SyncRule.Engage);
        ended[1].Reason.Trigger.Should().Be(SyncTrigger.ContactEnded);
    }

    [Fact]
    public void ContactEndsIntoAvailable_TeamsFree_OnlyClears()
    {
        var h = new Harness();
        h.Available();
        h.TeamsFree();
        h.Offer();
        h.Answer();
        h.WrapUp();

        h.AgentSets(AgentState.Available).ShouldBeSingle(SyncCommandKind.ClearPresence);
    }

    [Fact]
    public void ContactEndsIntoIdleByPresenceSync_TeamsFree_Releases()
    {
        var h = new Harness();
        h.IdleBySync(() => h.TeamsCall(), Harness.CallCode);
        // An outdial while idle: engaged, then back to the connector's idle code (WxCC keeps the reason).
        h.Answer();
        h.TeamsFree().ShouldBeNone();

        var ended = h.Confirm(AgentState.Idle(Harness.CallCode));

        ended.ShouldWrite(AgentState.Available, SyncRule.Release);
    }

    [Fact]
    public void ContactEndsIntoAgentIdleCode_TeamsMapped_DoesNothing()
    {
        var h = new Harness();
        h.Available();
        h.Offer();
        h.Answer();
        h.TeamsDnd();

        var ended = h.AgentSets(AgentState.Idle(Harness.LunchCode));

        ended.ShouldBeSingle(SyncCommandKind.ClearPresence);
    }

    [Fact]
    public void OfferNotAnswered_Rona_LeftAlone()
    {
        var h = new Harness();
        h.Available();
        h.TeamsDnd().ShouldWrite(AgentState.Idle(Harness.DndCode), SyncRule.Engage);
        h.Offer(); // the offer raced the write
        h.Rona().ShouldBeNone();

        h.Snapshot.Origin.Should().Be(StateOrigin.Rona);
        h.TeamsFree().ShouldBeNone();
    }

    [Fact]
    public void Engaged_PublishesBusyInACall_WithExpiration()
    {
        var h = new Harness();
        h.Available();
        h.Offer().ShouldBeNone();

        var command = h.Answer().ShouldBeSingle(SyncCommandKind.PublishPresence);

        command.Presence.Should().Be(PublishedPresence.InACall);
        command.Expiration.Should().Be(TimeSpan.FromHours(1));
        command.TeamsUserId.Should().Be(Harness.Teams);
        command.Reason.Should().Be(new SyncReason(SyncRule.PublishContact, SyncTrigger.AgentStateChanged));
    }

    [Fact]
    public void WrapUp_KeepsPublishing_ThenClearsWhenItEnds()
    {
        var h = new Harness();
        h.Available();
        h.Offer();
        h.Answer();

        h.WrapUp().ShouldBeNone();
        h.Snapshot.Published.Should().Be(PublishedPresence.InACall);
        h.AgentSets(AgentState.Available).ShouldBeSingle(SyncCommandKind.ClearPresence).Presence.Should().Be(PublishedPresence.InACall);
        h.Snapshot.Published.Should().Be(PublishedPresence.None);
    }

    [Fact]
    public void WrapUp_WhenConfiguredToClearEarly_ClearsAtWrapUp()
    {
        var h = new Harness(Harness.DefaultRules() with { KeepContactPresenceDuringWrapUp = false });
        h.Available();
        h.Offer();
        h.Answer();

        h.WrapUp().ShouldBeSingle(SyncCommandKind.ClearPresence);
    }

    [Fact]
    public void ContactPresenceNone_NeverPublishes()
    {
        var h = new Harness(Harness.DefaultRules() with { ContactPresence = PublishedPresence.None });
        h.Available();
        h.Offer();
        h.Answer().ShouldBeNone();
    }

    [Fact]
    public void EngagedDuplicateOrConsult_DoesNotPublishTwice()
    {
        var h = new Harness();
        h.Available();
        h.Offer();
        h.Answer();

        h.Answer().ShouldBeNone();
    }

    [Fact]
    public void PublishedPresence_IsRefreshedBeforeItExpires_WhileTheContactLasts()
    {
        var h = new Harness();
        h.Available();
        h.Offer();
        h.Answer();

        h.Advance(TimeSpan.FromMinutes(54)).Should().BeEmpty();
        var refresh = h.Advance(TimeSpan.FromMinutes(1)).Should().ContainSingle().Subject;
        refresh.Kind.Should().Be(SyncCommandKind.PublishPresence);
        refresh.Reason.Should().Be(new SyncReason(SyncRule.RefreshPublish, SyncTrigger.RefreshDue));
        h.Advance(TimeSpan.FromMinutes(55)).Should().ContainSingle().Which.Kind.Should().Be(SyncCommandKind.PublishPresence);

        h.WrapUp();
        h.AgentSets(AgentState.Available);
        h.Advance(TimeSpan.FromHours(2)).Should().BeEmpty("nothing is published any more");
    }

    [Fact]
    public void AgentIdleCodeConfiguredForTeams_IsPublished_AndClearedWhenLeft()
    {
        var h = new Harness();
        h.Available();

        var publish = h.AgentSets(AgentState.Idle(Harness.MeetingCode)).ShouldBeSingle(SyncCommandKind.PublishPresence);
        publish.Presence.Should().Be(PublishedPresence.InAConferenceCall);
        publish.Reason.Rule.Should().Be(SyncRule.PublishIdleCode);

        h.AgentSets(AgentState.Available).ShouldBeSingle(SyncCommandKind.ClearPresence);
    }

    [Fact]
    public void IdleCodeSetByPresenceSync_IsNeverPublished()
    {
        var rules = Harness.DefaultRules() with
        {
            IdleCodePresences = new Dictionary<string, PublishedPresence> { [Harness.DndCode] = PublishedPresence.Presenting },
        };
        var h = new Harness(rules);
        h.Available();
        h.TeamsDnd();

        h.Confirm(AgentState.Idle(Harness.DndCode)).ShouldBeNone();
        h.Snapshot.Published.Should().Be(PublishedPresence.None);

        // The same code chosen by the agent is published.
        h.AgentSets(AgentState.Idle(Harness.DndCode)).ShouldBeSingle(SyncCommandKind.PublishPresence);
    }

    private static Harness WithEveryIdleCodePublished() => new(Harness.DefaultRules() with
    {
        IdleCodePresences = new Dictionary<string, PublishedPresence>
        {
            [Harness.RonaCode] = PublishedPresence.Away,
            [Harness.SystemCode] = PublishedPresence.Away,
            [Harness.LunchCode] = PublishedPresence.Away,
        },
    });

    [Fact]
    public void RonaIdleCodeConfiguredForTeams_IsNotPublished()
    {
        var h = WithEveryIdleCodePublished();
        h.Available();

        h.Rona().ShouldBeNone();
        h.Snapshot.Origin.Should().Be(StateOrigin.Rona);
        h.Snapshot.Published.Should().Be(PublishedPresence.None);
    }

    [Fact]
    public void SupervisorIdleCodeConfiguredForTeams_IsNotPublished()
    {
        var h = WithEveryIdleCodePublished();
        h.Available();

        h.SupervisorSets(AgentState.Idle(Harness.LunchCode)).ShouldBeNone();
        h.Snapshot.Origin.Should().Be(StateOrigin.Supervisor);
        h.Snapshot.Published.Should().Be(PublishedPresence.None);
    }

    [Fact]
    public void SystemIdleCodeConfiguredForTeams_IsNotPublished()
    {
        var h = WithEveryIdleCodePublished();
        h.Available();

        h.SystemSets(AgentState.Idle(Harness.SystemCode)).ShouldBeNone();
        h.Snapshot.Published.Should().Be(PublishedPresence.None);
    }

    [Fact]
    public void AgentsOwnIdleCode_IsPublished_AndClearedWhenASupervisorTakesOver()
    {
        var h = WithEveryIdleCodePublished();
        h.Available();

        h.AgentSets(AgentState.Idle(Harness.LunchCode)).ShouldBeSingle(SyncCommandKind.PublishPresence)
            .Presence.Should().Be(PublishedPresence.Away);

        // The supervisor sets the same code: it is theirs now, so it is no longer shown.
        h.SupervisorSets(AgentState.Idle(Harness.LunchCode)).ShouldBeSingle(SyncCommandKind.ClearPresence);
    }

    [Fact]
    public void Engaged_SetBySupervisorOrSystem_IsStillPublished()
    {
        var h = new Harness();
        h.Available();

        h.Event(AgentEvent.StateChanged(AgentState.Engaged, h.NextEventTime(), "supervisor", Harness.Supervisor))
            .ShouldBeSingle(SyncCommandKind.PublishPresence).Presence.Should().Be(PublishedPresence.InACall);
    }

    [Fact]
    public void Logout_WhilePublished_Clears()
    {
        var h = new Harness();
        h.Available();
        h.AgentSets(AgentState.Idle(Harness.MeetingCode));

        h.LogOut().ShouldBeSingle(SyncCommandKind.ClearPresence);
    }
}
