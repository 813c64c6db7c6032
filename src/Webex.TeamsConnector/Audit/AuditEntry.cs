using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace Webex.TeamsConnector;

/// <summary>What an <see cref="AuditEntry"/> records.</summary>
internal enum AuditEntryKind : byte
{
    /// <summary>An engine decision on a Teams presence.</summary>
    Presence = 0,
    /// <summary>An engine decision on a WxCC agent event.</summary>
    AgentEvent,
    /// <summary>An engine decision on a refused or failed write.</summary>
    WriteFailed,
    /// <summary>A command from the engine's timers.</summary>
    Timer,
    /// <summary>A later outcome of a command: written, refused, failed, withdrawn or coalesced.</summary>
    FollowUp,
}

/// <summary>
/// One audit record as the engine loop hands it over: references and values it already holds, nothing formatted, so
/// that recording costs a copy. Kept small (ids, enums, one state and the few strings a record shows; no decision or
/// command with their agent), so the loop writes few references into the buffer. The background writer turns it into
/// an <see cref="AuditRecord"/>.
/// </summary>
[StructLayout(LayoutKind.Auto)]
internal struct AuditEntry
{
    public long Ticks;
    public long ReceivedTicks;
    public string AgentId;
    public string? Text1;
    public string? Text2;
    /// <summary>
    /// The agent's confirmed WxCC state when recorded, and who set it: after an agent event; otherwise both before and
    /// after the decision (a presence, a write failure, a timer or a result changes no WxCC state).
    /// </summary>
    public AgentState State;
    /// <summary>A decision's first command, a timer's command, or a follow-up's write.</summary>
    public AuditCommand First;
    /// <summary>A decision's second command.</summary>
    public AuditCommand Second;
    public AuditEntryKind Kind;
    public AgentEventKind EventKind;
    public StateOrigin Origin;
    /// <summary>The decision's outcome (a decision entry).</summary>
    public SyncOutcome DecisionOutcome;
    /// <summary>The decision's rule, a timer command's rule or a follow-up write's rule.</summary>
    public SyncRule Rule;
    /// <summary>A timer command's trigger.</summary>
    public SyncTrigger Trigger;
    /// <summary>A follow-up's outcome.</summary>
    public AuditOutcome Outcome;
    /// <summary>How many commands the decision produced (0 to 2).</summary>
    public byte Commands;

    /// <summary>Whether the state before is the one the agent's previous record left (an agent event).</summary>
    public readonly bool BeforeFromPrevious => Kind == AuditEntryKind.AgentEvent;

    /// <summary>
    /// Starts the entry over in a reused buffer: every field is written (the zeros and nulls need no GC write barrier),
    /// so buffers are never cleared, neither by the loop nor by the writer.
    /// </summary>
    public void Start(AuditEntryKind kind, string agentId, long ticks, long receivedTicks)
    {
        Ticks = ticks;
        ReceivedTicks = receivedTicks;
        AgentId = agentId;
        Text1 = null;
        Text2 = null;
        State = default;
        First = default;
        Second = default;
        Kind = kind;
        EventKind = default;
        Origin = default;
        DecisionOutcome = default;
        Rule = default;
        Trigger = default;
        Outcome = default;
        Commands = 0;
    }

    /// <summary>
    /// Fills the entry for a decision on a Teams presence, each field a record of that kind reads written once (the
    /// fields it does not read keep what the entry's last use left).
    /// </summary>
    public void SetPresence(long now, long receivedTicks, AgentSyncMachine machine, string? availability, string? activity, in SyncDecision decision)
    {
        SetRun(AuditEntryKind.Presence, now, receivedTicks, machine, decision);
        Text1 = availability;
        Text2 = activity;
    }

    /// <summary>Fills the entry for a decision on a WxCC agent event, as <see cref="SetPresence"/> does.</summary>
    public void SetAgentEvent(long now, long receivedTicks, AgentSyncMachine machine, AgentEventKind eventKind, in SyncDecision decision)
    {
        SetRun(AuditEntryKind.AgentEvent, now, receivedTicks, machine, decision);
        EventKind = eventKind;
    }

    /// <summary>
    /// What both decisions on an event record: the time (the later of the loop pass's clock read and the trigger's
    /// arrival), the agent and its state from the machine the engine just ran, and the decision.
    /// </summary>
    private void SetRun(AuditEntryKind kind, long now, long receivedTicks, AgentSyncMachine machine, in SyncDecision decision)
    {
        Ticks = Math.Max(now, receivedTicks);
        ReceivedTicks = receivedTicks;
        AgentId = machine.AgentId;
        State = machine.State;
        Origin = machine.Origin;
        Kind = kind;
        SetDecision(decision);
    }

    /// <summary>
    /// Copies what a record shows of a decision: its outcome, rule and commands (not their agent). A command beyond the
    /// decision's count is not written: a record reads only as many as <see cref="Commands"/> says.
    /// </summary>
    public void SetDecision(in SyncDecision decision)
    {
        DecisionOutcome = decision.Outcome;
        Rule = decision.Rule;
        Commands = (byte)decision.Count;
        if (decision.Count > 0)
        {
            First = new AuditCommand(decision[0]);
            if (decision.Count > 1)
            {
                Second = new AuditCommand(decision[1]);
            }
        }
    }

    /// <summary>Formats the entry (off the hot path).</summary>
    /// <param name="orgId">The org.</param>
    /// <param name="before">The state before the decision: <see cref="State"/>, or for an agent event the previous record's.</param>
    public readonly AuditRecord ToRecord(string orgId, in AgentState before)
    {
        var time = new DateTimeOffset(Ticks, TimeSpan.Zero);
        TimeSpan? latency = ReceivedTicks > 0 && ReceivedTicks <= Ticks ? TimeSpan.FromTicks(Ticks - ReceivedTicks) : null;
        if (Kind == AuditEntryKind.FollowUp || Kind == AuditEntryKind.Timer)
        {
            var timer = Kind == AuditEntryKind.Timer;
            return new AuditRecord
            {
                Time = time,
                OrgId = orgId,
                AgentId = AgentId,
                Trigger = timer ? AuditText.Of(Trigger) : "CommandResult",
                StateBefore = Format(before),
                StateAfter = First.IsStateWrite ? Format(First.State) : Format(State),
                Origin = Format(Origin),
                Rule = AuditText.Of(Rule),
                Command = AuditText.Of(First),
                Outcome = timer ? AuditOutcome.Sent : Outcome,
                Detail = Text1,
                Latency = latency,
            };
        }

        var agentEvent = Kind == AuditEntryKind.AgentEvent;
        var dropped = DecisionOutcome is not SyncOutcome.Applied && Commands == 0;
        return new AuditRecord
        {
            Time = time,
            OrgId = orgId,
            AgentId = AgentId,
            Trigger = Kind switch
            {
                AuditEntryKind.Presence => nameof(SyncTrigger.TeamsPresenceChanged),
                AuditEntryKind.AgentEvent => nameof(SyncTrigger.AgentStateChanged),
                _ => "WriteFailed",
            },
            TeamsAvailability = Kind == AuditEntryKind.Presence ? Text1 : null,
            TeamsActivity = Kind == AuditEntryKind.Presence ? Text2 : null,
            AgentEvent = agentEvent ? AuditText.Of(EventKind) : null,
            StateBefore = Format(before),
            StateAfter = Format(Commands > 0 && First.IsStateWrite ? First.State : Commands > 1 && Second.IsStateWrite ? Second.State : State),
            Origin = Format(Origin),
            Rule = dropped ? AuditText.Of(DecisionOutcome) : AuditText.Of(Rule),
            Command = Commands == 0 ? null : Commands == 1 ? AuditText.Of(First) : AuditText.Of(First, Second),
            Outcome = dropped ? AuditOutcome.Dropped
                : Commands > 0 ? AuditOutcome.Sent
                : Rule == SyncRule.DeferredOnContact ? AuditOutcome.Deferred
                : AuditOutcome.LeftAlone,
            Detail = dropped ? AuditText.Of(DecisionOutcome) : Kind == AuditEntryKind.WriteFailed ? Text1 : null,
            Latency = latency,
        };
    }

    internal static string Format(in AgentState state) => AuditText.Of(state);

    internal static string Format(StateOrigin origin) => origin == StateOrigin.PresenceSync ? "Connector" : AuditText.Of(origin);

    internal static string Format(in SyncCommand command) => AuditText.Of(new AuditCommand(command));
}

/// <summary>What a record shows of a command: its kind, the state it writes and the presence it publishes (no agent).</summary>
/// <param name="Kind">What to do.</param>
/// <param name="State">The state a write asks for.</param>
/// <param name="Presence">The presence published or cleared.</param>
[StructLayout(LayoutKind.Auto)]
internal readonly record struct AuditCommand(SyncCommandKind Kind, AgentState State, PublishedPresence Presence)
{
    public AuditCommand(in SyncCommand command)
        : this(command.Kind, command.State, command.Presence)
    {
    }

    /// <summary>A WxCC state write (SetIdle or SetAvailable).</summary>
    public bool IsStateWrite => Kind is SyncCommandKind.SetIdle or SyncCommandKind.SetAvailable;
}

/// <summary>
/// The audit records' texts, made once and reused (the writer formats a record per decision; the session's metric tags
/// take the enum names too): enum names, states and commands (and pairs of commands). Bounded: past <see cref="Capacity"/> distinct states or commands, texts are made
/// each time.
/// </summary>
internal static class AuditText
{
    private const int Capacity = 4096;

    private static readonly string[] s_rules = Names<SyncRule>();
    private static readonly string[] s_kinds = Names<SyncCommandKind>();
    private static readonly string[] s_outcomes = Names<SyncOutcome>();
    private static readonly string[] s_triggers = Names<SyncTrigger>();
    private static readonly string[] s_origins = Names<StateOrigin>();
    private static readonly string[] s_events = Names<AgentEventKind>();
    private static readonly string[] s_plainStates = Names<AgentStateKind>();
    private static readonly ConcurrentDictionary<AgentState, string> s_states = new();
    private static readonly ConcurrentDictionary<(SyncCommandKind, AgentState, PublishedPresence), string> s_commands = new();
    private static readonly ConcurrentDictionary<(string, string), string> s_pairs = new();

    public static string Of(SyncRule value) => Name(s_rules, (int)value, value);

    public static string Of(SyncCommandKind value) => Name(s_kinds, (int)value, value);

    public static string Of(SyncOutcome value) => Name(s_outcomes, (int)value, value);

    public static string Of(SyncTrigger value) => Name(s_triggers, (int)value, value);

    public static string Of(StateOrigin value) => Name(s_origins, (int)value, value);

    public static string Of(AgentEventKind value) => Name(s_events, (int)value, value);

    public static string Of(in AgentState state)
    {
        if (state.Kind != AgentStateKind.Idle && (uint)state.Kind < (uint)s_plainStates.Length && s_plainStates[(int)state.Kind] is { } plain)
        {
            // A state without an idle code (Available, on a contact, signed out): its kind's name, no hash.
            return plain;
        }

        if (s_states.TryGetValue(state, out var text))
        {
            return text;
        }

        text = state.ToString();
        if (s_states.Count < Capacity)
        {
            s_states.TryAdd(state, text);
        }

        return text;
    }

    public static string Of(in AuditCommand command)
    {
        var key = (command.Kind, command.Kind == SyncCommandKind.SetIdle ? command.State : default, command.Kind is SyncCommandKind.PublishPresence or SyncCommandKind.ClearPresence ? command.Presence : default);
        if (s_commands.TryGetValue(key, out var text))
        {
            return text;
        }

        text = command.Kind switch
        {
            SyncCommandKind.SetIdle => $"SetIdle({command.State.IdleCodeId})",
            SyncCommandKind.PublishPresence or SyncCommandKind.ClearPresence => $"{command.Kind}({command.Presence.ToPairString()})",
            _ => command.Kind.ToString(),
        };
        if (s_commands.Count < Capacity)
        {
            s_commands.TryAdd(key, text);
        }

        return text;
    }

    /// <summary>Two commands of one decision, as <c>first; second</c>.</summary>
    public static string Of(in AuditCommand first, in AuditCommand second)
    {
        var key = (Of(first), Of(second));
        if (s_pairs.TryGetValue(key, out var text))
        {
            return text;
        }

        text = key.Item1 + "; " + key.Item2;
        if (s_pairs.Count < Capacity)
        {
            s_pairs.TryAdd(key, text);
        }

        return text;
    }

    private static string Name<T>(string[] names, int index, T value)
        where T : struct, Enum =>
        (uint)index < (uint)names.Length && names[index] is { } name ? name : value.ToString();

    private static string[] Names<T>()
        where T : struct, Enum
    {
        var values = Enum.GetValues<T>();
        var names = new string[values.Length == 0 ? 0 : values.Max(v => Convert.ToInt32(v, System.Globalization.CultureInfo.InvariantCulture)) + 1];
        foreach (var value in values)
        {
            names[Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture)] = value.ToString();
        }

        return names;
    }
}
