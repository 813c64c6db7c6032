using Microsoft.Extensions.Time.Testing;

namespace Webex.TeamsConnector.Tests.Sync;

/// <summary>One engine with one agent (a1, Teams user t1) and a fake clock, with helpers that read as the rules do.</summary>
internal sealed class Harness
{
    public const string Agent = "a1";
    public const string Teams = "t1";
    public const string Supervisor = "sup-1";
    public const string DndCode = "c-dnd";
    public const string CallCode = "c-call";
    public const string PresentingCode = "c-present";
    public const string LunchCode = "lunch";
    public const string MeetingCode = "meeting";
    public const string RonaCode = "rona";
    public const string SystemCode = "sys-busy";
    public const string Marker = OriginClassifier.DefaultReasonMarker;

    private long _eventClock = 1_000;
    private int _sequence;

    public Harness(SyncRules? rules = null)
    {
        Rules = rules ?? DefaultRules();
        Engine = new SyncEngine(Rules, Time);
        Engine.AddAgent(Agent, Teams);
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 24, 9, 0, 0, TimeSpan.Zero));

    public SyncRules Rules { get; }

    public SyncEngine Engine { get; }

    public AgentSyncSnapshot Snapshot => Engine.TryGetAgent(Agent, out var s) ? s : throw new InvalidOperationException("agent not tracked");

    public static SyncRules DefaultRules() => new()
    {
        Mapping = IdleCodeMapping.Create(new Dictionary<string, string?>
        {
            ["DoNotDisturb"] = DndCode,
            ["InACall"] = CallCode,
            ["Presenting"] = PresentingCode,
        }),
        Classifier = new OriginClassifier(Marker, [RonaCode], [SystemCode]),
        IdleCodePresences = new Dictionary<string, PublishedPresence> { [MeetingCode] = PublishedPresence.InAConferenceCall },
    };

    /// <summary>An engine with the default rules tracking a1 (Teams user <paramref name="firstTeamsUserId"/>) and a2 (t2), both signed in Available.</summary>
    public static SyncEngine TwoSignedInAgents(TimeProvider time, Func<DateTimeOffset> nextEventTime, string firstTeamsUserId = "t1")
    {
        var engine = new SyncEngine(DefaultRules(), time);
        engine.AddAgent("a1", firstTeamsUserId);
        engine.AddAgent("a2", "t2");
        engine.OnAgentEvent("a1", AgentEvent.LoggedIn(AgentState.Available, nextEventTime()));
        engine.OnAgentEvent("a2", AgentEvent.LoggedIn(AgentState.Available, nextEventTime()));
        return engine;
    }

    public DateTimeOffset NextEventTime() => DateTimeOffset.FromUnixTimeMilliseconds(_eventClock += 100);

    public SyncDecision Teams_(string availability, string activity, string? sequence = null) =>
        Engine.OnPresence(Teams, availability, activity, sequence ?? NextSequence());

    public SyncDecision TeamsCall() => Teams_("Busy", "InACall");

    public SyncDecision TeamsDnd() => Teams_("DoNotDisturb", "DoNotDisturb");

    public SyncDecision TeamsPresenting() => Teams_("DoNotDisturb", "Presenting");

    public SyncDecision TeamsFree() => Teams_("Available", "Available");

    public SyncDecision TeamsAway() => Teams_("Away", "Away");

    public string NextSequence() => (++_sequence).ToString("D8", System.Globalization.CultureInfo.InvariantCulture);

    public SyncDecision Event(AgentEvent agentEvent) => Engine.OnAgentEvent(Agent, agentEvent);

    public SyncDecision LogIn(AgentState state) => Event(AgentEvent.LoggedIn(state, NextEventTime()));

    public SyncDecision LogOut() => Event(AgentEvent.LoggedOut(NextEventTime()));

    public SyncDecision AgentSets(AgentState state) => Event(AgentEvent.StateChanged(state, NextEventTime(), "agent-choice", Agent));

    public SyncDecision SupervisorSets(AgentState state) => Event(AgentEvent.StateChanged(state, NextEventTime(), "supervisor", Supervisor));

    public SyncDecision SystemSets(AgentState state) => Event(AgentEvent.StateChanged(state, NextEventTime()));

    public SyncDecision Rona() => Event(AgentEvent.StateChanged(AgentState.Idle(RonaCode), NextEventTime()));

    /// <summary>WxCC confirms a write of the connector (the event its PUT causes).</summary>
    public SyncDecision Confirm(AgentState state) => Event(AgentEvent.StateChanged(state, NextEventTime(), Marker, Agent));

    /// <summary>WxCC confirms the write in a decision's first command.</summary>
    public SyncDecision Confirm(SyncDecision decision) => Confirm(decision.ToList().Single(c => c.IsStateWrite).State);

    public SyncDecision Offer() => SystemSets(AgentState.Reserved);

    public SyncDecision Answer() => SystemSets(AgentState.Engaged);

    public SyncDecision WrapUp() => SystemSets(AgentState.WrapUp);

    /// <summary>Puts the agent in Available by presence sync's own release (for rows needing "any origin").</summary>
    public void Available() => AgentSets(AgentState.Available);

    /// <summary>Puts the agent in Idle(code) set by presence sync: Teams goes busy, the write is confirmed.</summary>
    public void IdleBySync(Action teams, string code)
    {
        Available();
        teams();
        Confirm(AgentState.Idle(code));
        Snapshot.Class.Should().Be(AgentSyncClass.IdleBySync);
    }

    public List<SyncCommand> Advance(TimeSpan by)
    {
        Time.Advance(by);
        var sink = new ListSink();
        Engine.AdvanceTime(sink);
        return sink.Commands;
    }

    internal sealed class ListSink : ISyncCommandSink
    {
        public List<SyncCommand> Commands { get; } = [];

        public void OnCommand(in SyncCommand command) => Commands.Add(command);
    }
}

internal static class DecisionAssertions
{
    public static void ShouldBeNone(this SyncDecision decision) =>
        decision.ToList().Should().BeEmpty();

    public static SyncCommand ShouldBeSingle(this SyncDecision decision, SyncCommandKind kind)
    {
        var commands = decision.ToList();
        commands.Should().ContainSingle().Which.Kind.Should().Be(kind);
        return commands[0];
    }

    public static void ShouldWrite(this SyncDecision decision, AgentState state, SyncRule rule)
    {
        var command = decision.ToList().Should().ContainSingle(c => c.IsStateWrite).Subject;
        command.State.Should().Be(state);
        command.Reason.Rule.Should().Be(rule);
        command.AgentId.Should().Be(Harness.Agent);
    }
}
