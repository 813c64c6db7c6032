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
                Trigger = timer ? Command.Reason.Trigger.ToString() : "CommandResult",
                StateBefore = Format(Before),
                StateAfter = Command.IsStateWrite ? Format(Command.State) : Format(After),
                Origin = Format(OriginBefore),
                Rule = (timer ? Command.Reason.Rule : Rule).ToString(),
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
            AgentEvent = agentEvent ? EventKind.ToString() : null,
            StateBefore = Format(Before),
            StateAfter = Format(WantedState(decision) ?? After),
            Origin = Format(agentEvent ? OriginAfter : OriginBefore),
            Rule = dropped ? decision.Outcome.ToString() : decision.Rule.ToString(),
            Command = decision.IsEmpty ? null : decision.Count == 1 ? Format(decision[0]) : Format(decision[0]) + "; " + Format(decision[1]),
            Outcome = dropped ? AuditOutcome.Dropped
                : !decision.IsEmpty ? AuditOutcome.Sent
                : decision.Rule == SyncRule.DeferredOnContact ? AuditOutcome.Deferred
                : AuditOutcome.LeftAlone,
            Detail = dropped ? decision.Outcome.ToString() : Kind == AuditEntryKind.WriteFailed ? Text1 : null,
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

    internal static string Format(in AgentState state) => state.ToString();

    internal static string Format(StateOrigin origin) => origin == StateOrigin.PresenceSync ? "Connector" : origin.ToString();

    internal static string Format(in SyncCommand command) => command.Kind switch
    {
        SyncCommandKind.SetIdle => $"SetIdle({command.State.IdleCodeId})",
        SyncCommandKind.PublishPresence or SyncCommandKind.ClearPresence => $"{command.Kind}({command.Presence.ToPairString()})",
        _ => command.Kind.ToString(),
    };
}
