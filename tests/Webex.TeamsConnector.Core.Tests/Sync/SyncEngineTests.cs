using Microsoft.Extensions.Time.Testing;

namespace Webex.TeamsConnector.Tests.Sync;

public class SyncEngineTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 24, 9, 0, 0, TimeSpan.Zero));

    private SyncEngine NewEngine() => new(Harness.DefaultRules(), _time);

    [Fact]
    public void AddAgent_LooksUpByAgentIdAndTeamsUserId()
    {
        var engine = NewEngine();

        engine.AddAgent("a1", "T-1").Should().BeTrue();

        engine.Count.Should().Be(1);
        engine.TryGetAgent("a1", out var byAgent).Should().BeTrue();
        byAgent.TeamsUserId.Should().Be("T-1");
        engine.TryGetAgentByTeamsUserId("t-1", out var byTeams).Should().BeTrue("Teams object ids compare case-insensitively");
        byTeams.AgentId.Should().Be("a1");
    }

    [Fact]
    public void AddAgent_Twice_IsHarmlessAndUpdatesTheTeamsId()
    {
        var engine = NewEngine();
        engine.AddAgent("a1");

        engine.AddAgent("a1", "t1").Should().BeFalse();

        engine.Count.Should().Be(1);
        engine.TryGetAgentByTeamsUserId("t1", out _).Should().BeTrue();
    }

    [Fact]
    public void AddAgent_TeamsUserOfAnotherAgent_IsRefusedClearly()
    {
        var engine = NewEngine();
        engine.AddAgent("a1", "t1");

        var act = () => engine.AddAgent("a2", "t1");

        act.Should().Throw<ArgumentException>().WithMessage("*already linked to agent a1*");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void AddAgent_EmptyId_IsRefused(string? id)
    {
        var act = () => NewEngine().AddAgent(id!);
        act.Should().Throw<ArgumentException>();
    }

    [Fact]
    public void SetTeamsUserId_Relinks()
    {
        var engine = NewEngine();
        engine.AddAgent("a1", "t1");

        engine.SetTeamsUserId("a1", "t2").Should().BeTrue();

        engine.TryGetAgentByTeamsUserId("t1", out _).Should().BeFalse();
        engine.TryGetAgentByTeamsUserId("t2", out _).Should().BeTrue();
        engine.SetTeamsUserId("nobody", "t3").Should().BeFalse();
    }

    [Fact]
    public void RemoveAgent_WhilePublished_ClearsAndForgets()
    {
        var engine = NewEngine();
        engine.AddAgent("a1", "t1");
        engine.OnAgentEvent("a1", AgentEvent.StateChanged(AgentState.Engaged, _time.GetUtcNow())).Count.Should().Be(1);

        var removed = engine.RemoveAgent("a1");

        removed.ShouldBeSingle(SyncCommandKind.ClearPresence).TeamsUserId.Should().Be("t1");
        engine.Contains("a1").Should().BeFalse();
        engine.TryGetAgentByTeamsUserId("t1", out _).Should().BeFalse();
        engine.RemoveAgent("a1").Outcome.Should().Be(SyncOutcome.UnknownAgent);
    }

    [Fact]
    public void RemovedAgent_TimersNoLongerFire()
    {
        var engine = NewEngine();
        engine.AddAgent("a1", "t1");
        engine.OnAgentEvent("a1", AgentEvent.StateChanged(AgentState.Engaged, _time.GetUtcNow()));
        engine.RemoveAgent("a1");

        _time.Advance(TimeSpan.FromHours(2));
        var sink = new Harness.ListSink();

        engine.AdvanceTime(sink).Should().Be(0);
        engine.NextDueAt.Should().BeNull();
    }

    [Fact]
    public void NextDueAt_ReportsTheEarliestTimer()
    {
        var engine = NewEngine();
        engine.AddAgent("a1", "t1");
        engine.NextDueAt.Should().BeNull();

        engine.OnAgentEvent("a1", AgentEvent.StateChanged(AgentState.Engaged, _time.GetUtcNow()));

        engine.NextDueAt.Should().Be(_time.GetUtcNow() + TimeSpan.FromMinutes(55));
    }

    [Fact]
    public void ManyAgents_EachGetTheirOwnCommands()
    {
        var engine = NewEngine();
        for (var i = 0; i < 100; i++)
        {
            engine.AddAgent($"a{i}", $"t{i}");
            engine.OnAgentEvent($"a{i}", AgentEvent.LoggedIn(AgentState.Available, _time.GetUtcNow()));
        }

        for (var i = 0; i < 100; i++)
        {
            var decision = engine.OnPresence($"t{i}", i % 2 == 0 ? "Busy" : "Available", i % 2 == 0 ? "InACall" : "Available", "1");
            if (i % 2 == 0)
            {
                decision[0].AgentId.Should().Be($"a{i}");
                decision[0].State.Should().Be(AgentState.Idle(Harness.CallCode));
            }
            else
            {
                decision.IsEmpty.Should().BeTrue();
            }
        }

        engine.GetAgents().Should().HaveCount(100);
        engine.GetTeamsUserIds().Should().HaveCount(100);
    }

    [Fact]
    public void Constructor_InvalidRules_ListsEveryProblem()
    {
        var rules = new SyncRules
        {
            PublishExpiration = TimeSpan.FromMinutes(1),
            EchoGracePeriod = TimeSpan.FromSeconds(-1),
            IdleCodePresences = new Dictionary<string, PublishedPresence> { ["0"] = PublishedPresence.Away, ["x"] = PublishedPresence.None },
        };

        var act = () => new SyncEngine(rules);

        act.Should().Throw<ArgumentException>()
            .WithMessage("*PublishExpiration*")
            .WithMessage("*EchoGracePeriod*")
            .WithMessage("*invalid idle code id '0'*")
            .WithMessage("*IdleCodePresences:x*");
    }

    [Fact]
    public void Decision_IndexOutOfRange_Throws()
    {
        var decision = NewEngine().OnPresence("nobody", "Busy", "InACall", null);
        var act = () => decision[0];
        act.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void Command_ToString_NamesKindStateAgentAndReason()
    {
        var engine = NewEngine();
        engine.AddAgent("a1", "t1");
        engine.OnAgentEvent("a1", AgentEvent.LoggedIn(AgentState.Available, _time.GetUtcNow()));

        var command = engine.OnPresence("t1", "Busy", "InACall", null)[0];

        command.ToString().Should().Be("SetIdle Idle(c-call) agent a1: Engage (TeamsPresenceChanged)");
    }
}
