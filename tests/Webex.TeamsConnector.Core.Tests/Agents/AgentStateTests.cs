namespace Webex.TeamsConnector.Tests.Agents;

public class AgentStateTests
{
    [Fact]
    public void Idle_ZeroCode_IsRefusedBecauseItMeansAvailable()
    {
        var act = () => AgentState.Idle("0");
        act.Should().Throw<ArgumentException>().WithMessage("*means Available*");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void Idle_EmptyCode_IsRefused(string? code)
    {
        var act = () => AgentState.Idle(code!);
        act.Should().Throw<ArgumentException>();
    }

    [Fact]
    public void From_WireIdleWithZero_IsAvailable()
    {
        AgentState.From(AgentStateKind.Idle, "0").Should().Be(AgentState.Available);
        AgentState.From(AgentStateKind.Idle, "c1").Should().Be(AgentState.Idle("c1"));
        AgentState.From(AgentStateKind.Engaged, "c1").IdleCodeId.Should().BeNull();
    }

    [Fact]
    public void Equality_AndText()
    {
        AgentState.Idle("c1").Should().Be(AgentState.Idle("c1"));
        (AgentState.Idle("c1") != AgentState.Idle("c2")).Should().BeTrue();
        AgentState.Idle("c1").ToString().Should().Be("Idle(c1)");
        AgentState.Available.ToString().Should().Be("Available");
        AgentState.LoggedOut.Kind.Should().Be(AgentStateKind.LoggedOut);
        AgentState.WrapUp.IsOnContact.Should().BeTrue();
        AgentState.Available.IsOnContact.Should().BeFalse();
    }
}
