namespace Webex.TeamsConnector.Tests.Sync;

public class OriginClassifierTests
{
    private static readonly DateTimeOffset s_at = DateTimeOffset.FromUnixTimeMilliseconds(1_740_748_111_287);
    private readonly OriginClassifier _classifier = new(Harness.Marker, [Harness.RonaCode], [Harness.SystemCode]);

    private StateOrigin Classify(AgentEvent e, AgentState[]? writes = null) =>
        _classifier.Classify(Harness.Agent, e, writes ?? [], writes is not null);

    [Fact]
    public void MarkerAndMatchingWrite_IsPresenceSync()
    {
        var e = AgentEvent.StateChanged(AgentState.Idle("c1"), s_at, Harness.Marker, Harness.Agent);
        Classify(e, [AgentState.Idle("c1")]).Should().Be(StateOrigin.PresenceSync);
    }

    [Fact]
    public void MarkerWithoutWriteHistory_IsPresenceSync_SoARestartRecoversTheOrigin()
    {
        var e = AgentEvent.StateChanged(AgentState.Idle("c1"), s_at, Harness.Marker);
        Classify(e).Should().Be(StateOrigin.PresenceSync);
    }

    [Fact]
    public void MarkerButStateMatchesNoWrite_IsNotPresenceSync()
    {
        var e = AgentEvent.StateChanged(AgentState.Idle("other"), s_at, Harness.Marker, Harness.Agent);
        Classify(e, [AgentState.Idle("c1")]).Should().Be(StateOrigin.Agent);
    }

    [Fact]
    public void MatchingStateWithoutMarker_IsNotPresenceSync()
    {
        var e = AgentEvent.StateChanged(AgentState.Idle("c1"), s_at, "lunch", Harness.Agent);
        Classify(e, [AgentState.Idle("c1")]).Should().Be(StateOrigin.Agent);
    }

    [Fact]
    public void MarkerOnAContactState_IsNotPresenceSync()
    {
        var e = AgentEvent.StateChanged(AgentState.Engaged, s_at, Harness.Marker);
        Classify(e).Should().Be(StateOrigin.Agent);
    }

    [Fact]
    public void RonaCode_IsRona_EvenWhenChangedBySomeoneElse()
    {
        var e = AgentEvent.StateChanged(AgentState.Idle(Harness.RonaCode), s_at, null, "system-user");
        Classify(e).Should().Be(StateOrigin.Rona);
    }

    [Fact]
    public void OtherSystemCode_IsSystem()
    {
        Classify(AgentEvent.StateChanged(AgentState.Idle(Harness.SystemCode), s_at)).Should().Be(StateOrigin.System);
    }

    [Fact]
    public void ChangedBySomeoneElse_IsSupervisor()
    {
        Classify(AgentEvent.StateChanged(AgentState.Available, s_at, null, Harness.Supervisor)).Should().Be(StateOrigin.Supervisor);
    }

    [Fact]
    public void ChangedByTheAgentThemself_IsAgent()
    {
        Classify(AgentEvent.StateChanged(AgentState.Available, s_at, null, Harness.Agent.ToUpperInvariant())).Should().Be(StateOrigin.Agent);
    }

    [Fact]
    public void LoginAndLogout_AreSystem()
    {
        Classify(AgentEvent.LoggedIn(AgentState.Available, s_at)).Should().Be(StateOrigin.System);
        Classify(AgentEvent.LoggedOut(s_at)).Should().Be(StateOrigin.System);
    }

    [Fact]
    public void AnythingElse_IsAgent()
    {
        Classify(AgentEvent.StateChanged(AgentState.Idle("lunch"), s_at)).Should().Be(StateOrigin.Agent);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    public void EmptyMarker_IsRefused(string marker)
    {
        var act = () => new OriginClassifier(marker);
        act.Should().Throw<ArgumentException>();
    }

    [Fact]
    public void MarkerLongerThan128_IsRefused()
    {
        var act = () => new OriginClassifier(new string('m', 129));
        act.Should().Throw<ArgumentException>().WithMessage("*128*");
    }

    [Fact]
    public void IsSystemCode_KnowsRonaAndOthers()
    {
        _classifier.IsSystemCode(Harness.RonaCode).Should().BeTrue();
        _classifier.IsSystemCode(Harness.SystemCode).Should().BeTrue();
        _classifier.IsSystemCode("lunch").Should().BeFalse();
        _classifier.IsSystemCode(null).Should().BeFalse();
    }
}
