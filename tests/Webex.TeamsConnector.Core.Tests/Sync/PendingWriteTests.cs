namespace Webex.TeamsConnector.Tests.Sync;

/// <summary>The connector's writes: pending until confirmed, recognised when they land, retried when lost.</summary>
public class PendingWriteTests
{
    [Fact]
    public void PendingEngage_TeamsFreeBeforeConfirmation_ReleasesAgain()
    {
        var h = new Harness();
        h.Available();
        h.TeamsCall().ShouldWrite(AgentState.Idle(Harness.CallCode), SyncRule.Engage);

        h.TeamsFree().ShouldWrite(AgentState.Available, SyncRule.Release);
        h.Snapshot.PendingWrite.Should().BeNull("Available is what WxCC already shows");
    }

    [Fact]
    public void OlderOwnWriteLandsAfterRelease_IsReconciled()
    {
        var h = new Harness();
        h.Available();
        h.TeamsCall();
        h.TeamsFree();

        // The Idle write had already gone out and lands now.
        var landed = h.Confirm(AgentState.Idle(Harness.CallCode));

        landed.ShouldWrite(AgentState.Available, SyncRule.Release);
        landed[0].Reason.Trigger.Should().Be(SyncTrigger.OwnWriteLanded);
    }

    [Fact]
    public void ConfirmedWrite_ProducesNoCommand()
    {
        var h = new Harness();
        h.Available();
        var engage = h.TeamsCall();

        h.Confirm(engage).ShouldBeNone();
        h.Snapshot.Origin.Should().Be(StateOrigin.PresenceSync);
        h.Snapshot.PendingWrite.Should().BeNull();
    }

    [Fact]
    public void PendingWrite_NotConfirmedInTime_IsDecidedAgain()
    {
        var h = new Harness();
        h.Available();
        h.TeamsCall();

        h.Advance(TimeSpan.FromSeconds(59)).Should().BeEmpty();
        var retry = h.Advance(TimeSpan.FromSeconds(1)).Should().ContainSingle().Subject;

        retry.State.Should().Be(AgentState.Idle(Harness.CallCode));
        retry.Reason.Should().Be(new SyncReason(SyncRule.Engage, SyncTrigger.PendingWriteExpired));
    }

    [Fact]
    public void FailedWrite_IsForgotten_AndDecidedAgainAfterAnExponentialBackOff()
    {
        var h = new Harness();
        h.Available();
        h.TeamsCall();

        h.Engine.OnWriteFailed(Harness.Agent, AgentState.Idle(Harness.CallCode));

        h.Snapshot.PendingWrite.Should().BeNull();
        h.Snapshot.Class.Should().Be(AgentSyncClass.Available);
        h.Advance(TimeSpan.FromSeconds(4)).Should().BeEmpty();
        var retry = h.Advance(TimeSpan.FromSeconds(1));
        retry.Should().ContainSingle().Which.Should().Be(retry[0]);
        retry[0].State.Should().Be(AgentState.Idle(Harness.CallCode));
        retry[0].Reason.Should().Be(new SyncReason(SyncRule.Engage, SyncTrigger.WriteRetryDue));

        // Fails again: the back-off doubles (10 s).
        h.Engine.OnWriteFailed(Harness.Agent, AgentState.Idle(Harness.CallCode));
        h.Advance(TimeSpan.FromSeconds(9)).Should().BeEmpty();
        h.Advance(TimeSpan.FromSeconds(1)).Should().ContainSingle().Which.Reason.Trigger.Should().Be(SyncTrigger.WriteRetryDue);
    }

    [Fact]
    public void FailedWrite_SomeoneElseActsDuringTheBackOff_NotRetried()
    {
        var h = new Harness();
        h.Available();
        h.TeamsCall();
        h.Engine.OnWriteFailed(Harness.Agent, AgentState.Idle(Harness.CallCode));

        h.AgentSets(AgentState.Idle(Harness.LunchCode));

        h.Advance(TimeSpan.FromMinutes(10)).Should().BeEmpty();
    }

    [Fact]
    public void RemoteFailureEvent_FailsThePendingWrite_AndItIsRetried()
    {
        var h = new Harness();
        h.Available();
        h.TeamsCall();

        h.Engine.OnAgentEvent(Harness.Agent, AgentEvent.ChangeFailed(h.Time.GetUtcNow(), "busy")).ShouldBeNone();

        h.Snapshot.PendingWrite.Should().BeNull();
        h.Advance(TimeSpan.FromSeconds(5)).Should().ContainSingle().Which.State.Should().Be(AgentState.Idle(Harness.CallCode));
    }

    [Fact]
    public void AgentActsWhileWritePending_AgentWins()
    {
        var h = new Harness();
        h.Available();
        h.TeamsCall();

        h.AgentSets(AgentState.Idle(Harness.LunchCode));

        h.Snapshot.PendingWrite.Should().BeNull();
        h.TeamsFree().ShouldBeNone();
    }

    [Fact]
    public void Restart_OwnIdleRecoveredFromReasonMarker_ReleasedWhenTeamsFree()
    {
        var h = new Harness();
        h.TeamsFree();

        // A fresh connector reads WxCC: Idle with our code and our marker, no write history.
        var first = h.Confirm(AgentState.Idle(Harness.CallCode));

        h.Snapshot.Origin.Should().Be(StateOrigin.PresenceSync);
        first.ShouldWrite(AgentState.Available, SyncRule.Release);
    }

    [Fact]
    public void Restart_AgentIdle_IsLeftAlone()
    {
        var h = new Harness();
        h.TeamsFree();

        h.AgentSets(AgentState.Idle(Harness.CallCode)).ShouldBeNone();
        h.Snapshot.Origin.Should().Be(StateOrigin.Agent);
    }

    [Fact]
    public void SignIn_IntoAvailable_DuringTeamsCall_Engages()
    {
        var h = new Harness();
        h.TeamsCall();

        var signIn = h.LogIn(AgentState.Available);

        signIn.ShouldWrite(AgentState.Idle(Harness.CallCode), SyncRule.Engage);
        signIn[0].Reason.Trigger.Should().Be(SyncTrigger.AgentSignedIn);
    }
}
