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
/// that recording costs a copy. The background writer turns it into an <see cref="AuditRecord"/>.
/// </summary>
[StructLayout(LayoutKind.Auto)]
internal struct AuditEntry
{
    public AuditEntryKind Kind;
    public long Ticks;
    public long ReceivedTicks;
    public string AgentId;
    public string? Text1;
    public string? Text2;
    public AgentEventKind EventKind;
    public AgentState Before;
    public StateOrigin OriginBefore;
    public AgentState After;
    public StateOrigin OriginAfter;
    public SyncDecision Decision;
    public SyncCommand Command;
    public SyncRule Rule;
    public AuditOutcome Outcome;

    /// <summary>Whether the state before is filled in from the agent's previous record (an agent event).</summary>
    public readonly bool BeforeFromPrevious => Kind == AuditEntryKind.AgentEvent;

    /// <summary>Formats the entry (off the hot path).</summary>
    public readonly AuditRecord ToRecord(string orgId)
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
                Trigger = timer ? AuditText.Of(Command.Reason.Trigger) : "CommandResult",
                StateBefore = Format(Before),
                StateAfter = Command.IsStateWrite ? Format(Command.State) : Format(After),
                Origin = Format(OriginBefore),
                Rule = AuditText.Of(timer ? Command.Reason.Rule : Rule),
                Command = Format(Command),
                Outcome = timer ? AuditOutcome.Sent : Outcome,
                Detail = Text1,
                Latency = latency,
            };
        }

        var decision = Decision;
        var agentEvent = Kind == AuditEntryKind.AgentEvent;
        var dropped = decision.Outcome is not SyncOutcome.Applied && decision.IsEmpty;
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
            StateBefore = Format(Before),
            StateAfter = Format(WantedState(decision) ?? After),
            Origin = Format(agentEvent ? OriginAfter : OriginBefore),
            Rule = dropped ? AuditText.Of(decision.Outcome) : AuditText.Of(decision.Rule),
            Command = decision.IsEmpty ? null : decision.Count == 1 ? Format(decision[0]) : Format(decision[0]) + "; " + Format(decision[1]),
            Outcome = dropped ? AuditOutcome.Dropped
                : !decision.IsEmpty ? AuditOutcome.Sent
                : decision.Rule == SyncRule.DeferredOnContact ? AuditOutcome.Deferred
                : AuditOutcome.LeftAlone,
            Detail = dropped ? AuditText.Of(decision.Outcome) : Kind == AuditEntryKind.WriteFailed ? Text1 : null,
            Latency = latency,
        };
    }

    /// <summary>The state a decision's write asks for, if it writes one.</summary>
    private static AgentState? WantedState(in SyncDecision decision)
    {
        for (var i = 0; i < decision.Count; i++)
        {
            if (decision[i].IsStateWrite)
            {
                return decision[i].State;
            }
        }

        return null;
    }

    internal static string Format(in AgentState state) => AuditText.Of(state);

    internal static string Format(StateOrigin origin) => origin == StateOrigin.PresenceSync ? "Connector" : AuditText.Of(origin);

    internal static string Format(in SyncCommand command) => AuditText.Of(command);
}

/// <summary>
/// The audit records' texts, made once and reused (the writer formats a record per decision): enum names, states and
/// commands. Bounded: past <see cref="Capacity"/> distinct states or commands, texts are made each time.
/// </summary>
internal static class AuditText
{
    private const int Capacity = 4096;

    private static readonly string[] s_rules = Names<SyncRule>();
    private static readonly string[] s_outcomes = Names<SyncOutcome>();
    private static readonly string[] s_triggers = Names<SyncTrigger>();
    private static readonly string[] s_origins = Names<StateOrigin>();
    private static readonly string[] s_events = Names<AgentEventKind>();
    private static readonly ConcurrentDictionary<AgentState, string> s_states = new();
    private static readonly ConcurrentDictionary<(SyncCommandKind, AgentState, PublishedPresence), string> s_commands = new();

    public static string Of(SyncRule value) => Name(s_rules, (int)value, value);

    public static string Of(SyncOutcome value) => Name(s_outcomes, (int)value, value);

    public static string Of(SyncTrigger value) => Name(s_triggers, (int)value, value);

    public static string Of(StateOrigin value) => Name(s_origins, (int)value, value);

    public static string Of(AgentEventKind value) => Name(s_events, (int)value, value);

    public static string Of(in AgentState state)
    {
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

    public static string Of(in SyncCommand command)
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
