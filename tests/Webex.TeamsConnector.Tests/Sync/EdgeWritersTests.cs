using System.Threading.Channels;

namespace Webex.TeamsConnector.Tests.Sync;

/// <summary>
/// The writers the session gives its feeds: each event is routed on the writer's thread, with the agent's handle from the
/// engine's edge index (and the presence parsed), so that the session's loop does not look the id up again.
/// </summary>
public class EdgeWritersTests
{
    private static SyncEngine NewEngine()
    {
        var engine = new SyncEngine(new SyncRules { Mapping = IdleCodeMapping.Create(new Dictionary<string, string?> { ["InACall"] = "c-call" }) });
        engine.AddAgent("a1", "t1");
        return engine;
    }

    [Fact]
    public async Task ForPresences_RoutesEachPresenceWithItsAgentsHandleAndParsedPresence()
    {
        var engine = NewEngine();
        var channel = Channel.CreateUnbounded<RoutedPresence>();
        var writer = EdgeWriter.ForPresences(channel.Writer, engine.EdgeIndex);
        var at = new DateTimeOffset(2026, 11, 30, 9, 0, 0, TimeSpan.Zero);

        writer.TryWrite(new TeamsPresenceUpdate("T1", "Busy", "InACall", "0000000001", at)).Should().BeTrue();
        await writer.WriteAsync(new TeamsPresenceUpdate("t9", "Away", "Away", null, at));

        channel.Reader.TryRead(out var known).Should().BeTrue();
        known.Update.TeamsUserId.Should().Be("T1");
        known.Presence.Should().Be(TeamsPresence.Parse("Busy", "InACall"));
        known.Agent.HasValue.Should().BeTrue("t1's agent is tracked; Teams ids compare ignoring case");
        engine.OnPresence(known.Agent, null, known.Presence, null).Outcome.Should().NotBe(SyncOutcome.UnknownAgent, "the handle alone names the agent");
        engine.TryGetAgent("a1", out var a1).Should().BeTrue();
        a1.ObservedPresence.Should().Be(known.Presence);

        channel.Reader.TryRead(out var unknown).Should().BeTrue();
        unknown.Agent.HasValue.Should().BeFalse("no tracked agent has Teams user t9: the loop looks the id up");
        unknown.Presence.Should().Be(TeamsPresence.Parse("Away", "Away"));
    }

    [Fact]
    public async Task ForAgentEvents_RoutesEachEventWithItsAgentsHandle()
    {
        var engine = NewEngine();
        var channel = Channel.CreateUnbounded<RoutedAgentEvent>();
        var writer = EdgeWriter.ForAgentEvents(channel.Writer, engine.EdgeIndex);
        var at = new DateTimeOffset(2026, 11, 30, 9, 0, 0, TimeSpan.Zero);
        var loggedIn = AgentEvent.LoggedIn(AgentState.Available, at);

        await writer.WriteAsync(new AgentFeedEvent("a1", loggedIn, null, at));
        writer.TryWrite(new AgentFeedEvent("a2", loggedIn, null, at)).Should().BeTrue();
        writer.TryComplete().Should().BeTrue();

        var routed = await channel.Reader.ReadAllAsync().ToListAsync();
        routed.Select(r => (r.Event.AgentId, r.Agent.HasValue)).Should().Equal(("a1", true), ("a2", false));
        channel.Reader.Completion.IsCompleted.Should().BeTrue("completing the edge writer completes the loop's channel");
    }
}
