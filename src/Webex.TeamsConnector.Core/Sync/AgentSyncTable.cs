using System.Runtime.CompilerServices;

namespace Webex.TeamsConnector;

/// <summary>How the Teams -> WxCC rules see an agent: its state and who set it.</summary>
public enum AgentSyncClass
{
    /// <summary>Signed out.</summary>
    LoggedOut = 0,
    /// <summary>Available, whoever set it (with <see cref="EngageFrom.PresenceSyncOrigin"/>: set by presence sync).</summary>
    Available,
    /// <summary>Idle with a code that presence sync set.</summary>
    IdleBySync,
    /// <summary>Idle with a code that the agent, a supervisor, RONA or the system set.</summary>
    IdleByOthers,
    /// <summary>Reserved, Engaged or WrapUp.</summary>
    OnContact,
    /// <summary>
    /// Available set by the agent, a supervisor, RONA or the system; told apart from <see cref="Available"/> only with
    /// <see cref="EngageFrom.PresenceSyncOrigin"/>.
    /// </summary>
    AvailableByOthers,
}

/// <summary>What the Teams -> WxCC rules do on a change of Teams presence.</summary>
internal enum TeamsAction : byte
{
    /// <summary>Nothing.</summary>
    None = 0,
    /// <summary>Set Idle with the mapped code.</summary>
    Engage,
    /// <summary>Set Idle with the newly mapped code, unless it is the current one.</summary>
    Remap,
    /// <summary>Set Available.</summary>
    Release,
    /// <summary>Nothing now; the presence is evaluated again when the contact ends.</summary>
    Defer,
}

/// <summary>One row of the Teams -> WxCC rules table.</summary>
/// <param name="Agent">The agent's class.</param>
/// <param name="TeamsMapped">Whether Teams shows a state mapped to an idle code.</param>
/// <param name="Action">What the rules do.</param>
/// <param name="Result">The agent's class afterwards.</param>
internal readonly record struct TeamsRule(AgentSyncClass Agent, bool TeamsMapped, TeamsAction Action, AgentSyncClass Result);

/// <summary>
/// One cell of the rules table as the machine reads it: the action, and the rule named when no write follows (from
/// <see cref="AgentSyncTable.LeftAloneRule"/>). Two bytes, so the whole table fits in one cache line.
/// </summary>
/// <param name="Action">What the rules do.</param>
/// <param name="LeftAlone">Why the agent is left alone when nothing is written.</param>
internal readonly record struct TeamsRuleCell(TeamsAction Action, SyncRule LeftAlone)
{
    /// <summary>Whether the action writes (or first reads back) a state: engage, remap or release.</summary>
    public bool Acts => Action is TeamsAction.Engage or TeamsAction.Remap or TeamsAction.Release;
}

/// <summary>One documented WxCC-side transition of an agent (who changes the state and what it does to the rules).</summary>
/// <param name="From">The class before.</param>
/// <param name="Trigger">The event, in words.</param>
/// <param name="To">The class after.</param>
/// <param name="Effect">What the connector does, in words (empty for nothing).</param>
internal readonly record struct AgentTransition(AgentSyncClass From, string Trigger, AgentSyncClass To, string Effect);

/// <summary>
/// The sync rules in one readable place. <see cref="TeamsRules"/> is the table that the per-agent machine executes;
/// <see cref="AgentTransitions"/> documents the WxCC side; both are exported by <see cref="StateDiagrams"/>.
/// </summary>
internal static class AgentSyncTable
{
    /// <summary>The suffix of the transitions that exist only with <see cref="EngageFrom.PresenceSyncOrigin"/>.</summary>
    public const string StrictSuffix = " (EngageFrom=PresenceSyncOrigin)";

    private static readonly TeamsRule[] s_teamsRules =
    [
        new(AgentSyncClass.LoggedOut, false, TeamsAction.None, AgentSyncClass.LoggedOut),
        new(AgentSyncClass.LoggedOut, true, TeamsAction.None, AgentSyncClass.LoggedOut),
        new(AgentSyncClass.Available, false, TeamsAction.None, AgentSyncClass.Available),
        new(AgentSyncClass.Available, true, TeamsAction.Engage, AgentSyncClass.IdleBySync),
        new(AgentSyncClass.IdleBySync, false, TeamsAction.Release, AgentSyncClass.Available),
        new(AgentSyncClass.IdleBySync, true, TeamsAction.Remap, AgentSyncClass.IdleBySync),
        new(AgentSyncClass.IdleByOthers, false, TeamsAction.None, AgentSyncClass.IdleByOthers),
        new(AgentSyncClass.IdleByOthers, true, TeamsAction.None, AgentSyncClass.IdleByOthers),
        new(AgentSyncClass.OnContact, false, TeamsAction.Defer, AgentSyncClass.OnContact),
        new(AgentSyncClass.OnContact, true, TeamsAction.Defer, AgentSyncClass.OnContact),
        new(AgentSyncClass.AvailableByOthers, false, TeamsAction.None, AgentSyncClass.AvailableByOthers),
        new(AgentSyncClass.AvailableByOthers, true, TeamsAction.None, AgentSyncClass.AvailableByOthers),
    ];

    // Agent state kinds the class table covers (LoggedOut..WrapUp); any other kind is on a contact.
    private const int ClassKinds = (int)AgentStateKind.WrapUp + 1;

    private static readonly TeamsRuleCell[] s_cells = BuildCells();

    private static readonly AgentSyncClass[] s_classes = BuildClasses();

    private static readonly AgentTransition[] s_agentTransitions =
    [
        new(AgentSyncClass.LoggedOut, "login into Available", AgentSyncClass.Available, "evaluate Teams once"),
        new(AgentSyncClass.LoggedOut, "login into a system idle code", AgentSyncClass.IdleByOthers, string.Empty),
        new(AgentSyncClass.Available, "agent, supervisor or system sets an idle code", AgentSyncClass.IdleByOthers, "publish the idle code if configured"),
        new(AgentSyncClass.Available, "contact offered", AgentSyncClass.OnContact, string.Empty),
        new(AgentSyncClass.IdleBySync, "agent, supervisor, RONA or system sets an idle code", AgentSyncClass.IdleByOthers, string.Empty),
        new(AgentSyncClass.IdleBySync, "agent or supervisor sets Available", AgentSyncClass.Available, string.Empty),
        new(AgentSyncClass.IdleByOthers, "agent or supervisor sets Available", AgentSyncClass.Available, "clear a published idle code"),
        new(AgentSyncClass.OnContact, "contact engaged", AgentSyncClass.OnContact, "publish Busy/InACall and refresh it"),
        new(AgentSyncClass.OnContact, "offer not answered (RONA)", AgentSyncClass.IdleByOthers, string.Empty),
        new(AgentSyncClass.OnContact, "contact ends into Available", AgentSyncClass.Available, "clear; evaluate Teams once"),
        new(AgentSyncClass.OnContact, "contact ends into an idle code", AgentSyncClass.IdleByOthers, "clear; evaluate Teams once"),
        new(AgentSyncClass.Available, "logout", AgentSyncClass.LoggedOut, string.Empty),
        new(AgentSyncClass.IdleBySync, "logout", AgentSyncClass.LoggedOut, string.Empty),
        new(AgentSyncClass.IdleByOthers, "logout", AgentSyncClass.LoggedOut, "clear a published idle code"),
        new(AgentSyncClass.LoggedOut, "login into Available" + StrictSuffix, AgentSyncClass.AvailableByOthers, string.Empty),
        new(AgentSyncClass.IdleBySync, "agent or supervisor sets Available" + StrictSuffix, AgentSyncClass.AvailableByOthers, string.Empty),
        new(AgentSyncClass.IdleByOthers, "agent or supervisor sets Available" + StrictSuffix, AgentSyncClass.AvailableByOthers, "clear a published idle code"),
        new(AgentSyncClass.OnContact, "contact ends into Available" + StrictSuffix, AgentSyncClass.AvailableByOthers, "clear; evaluate Teams once"),
        new(AgentSyncClass.AvailableByOthers, "agent, supervisor or system sets an idle code" + StrictSuffix, AgentSyncClass.IdleByOthers, "publish the idle code if configured"),
        new(AgentSyncClass.AvailableByOthers, "contact offered" + StrictSuffix, AgentSyncClass.OnContact, string.Empty),
        new(AgentSyncClass.AvailableByOthers, "logout" + StrictSuffix, AgentSyncClass.LoggedOut, string.Empty),
    ];

    /// <summary>The Teams -> WxCC rules, one row per agent class and Teams class.</summary>
    public static IReadOnlyList<TeamsRule> TeamsRules => s_teamsRules;

    /// <summary>The WxCC-side transitions, as documentation of the machine.</summary>
    public static IReadOnlyList<AgentTransition> AgentTransitions => s_agentTransitions;

    /// <summary>The action of the rules table for an agent class and Teams class.</summary>
    /// <param name="agent">The agent class.</param>
    /// <param name="teamsMapped">Whether Teams shows a mapped state.</param>
    /// <returns>The action.</returns>
    public static TeamsAction ActionFor(AgentSyncClass agent, bool teamsMapped) => CellFor(agent, teamsMapped).Action;

    /// <summary>The cell of the rules table for an agent class and Teams class: one load, no branch.</summary>
    /// <param name="agent">The agent class.</param>
    /// <param name="teamsMapped">Whether Teams shows a mapped state.</param>
    /// <returns>The action and the left-alone rule.</returns>
    /// <remarks>A lookup in a table built once from <see cref="TeamsRules"/> and <see cref="LeftAloneRule"/>, which are the rules.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TeamsRuleCell CellFor(AgentSyncClass agent, bool teamsMapped) =>
        s_cells[((int)agent << 1) | (teamsMapped ? 1 : 0)];

    /// <summary>Why the rules leave an agent of this class alone when they produce no write (for the audit trail).</summary>
    /// <param name="agent">The agent class.</param>
    /// <param name="teamsMapped">Whether Teams shows a mapped state.</param>
    /// <returns>The left-alone rule.</returns>
    public static SyncRule LeftAloneRule(AgentSyncClass agent, bool teamsMapped) => agent switch
    {
        AgentSyncClass.LoggedOut => SyncRule.SignedOut,
        AgentSyncClass.OnContact => SyncRule.DeferredOnContact,
        AgentSyncClass.IdleByOthers => SyncRule.AgentOwned,
        AgentSyncClass.AvailableByOthers when teamsMapped => SyncRule.StrictEngage,
        _ => SyncRule.NoChange,
    };

    /// <summary>The class of an agent state and origin.</summary>
    /// <param name="state">The state.</param>
    /// <param name="origin">Who set it.</param>
    /// <returns>The class.</returns>
    public static AgentSyncClass ClassOf(in AgentState state, StateOrigin origin) => ClassOf(state, origin, EngageFrom.AnyAvailable);

    /// <summary>The class of an agent state and origin under an <see cref="EngageFrom"/> setting.</summary>
    /// <param name="state">The state.</param>
    /// <param name="origin">Who set it.</param>
    /// <param name="engageFrom">From which Available states a mapped Teams state engages.</param>
    /// <returns>The class.</returns>
    /// <remarks>A lookup in a table built once from <see cref="Classify"/>, which is the rule.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static AgentSyncClass ClassOf(in AgentState state, StateOrigin origin, EngageFrom engageFrom)
    {
        var kind = (uint)state.Kind;
        var index = (int)(kind << 2) | (origin == StateOrigin.PresenceSync ? 1 : 0) | (engageFrom == EngageFrom.PresenceSyncOrigin ? 2 : 0);
        var classes = s_classes;
        return kind < ClassKinds ? classes[index] : AgentSyncClass.OnContact;
    }

    /// <summary>The class rule itself: what <see cref="ClassOf(in AgentState, StateOrigin, EngageFrom)"/> looks up.</summary>
    private static AgentSyncClass Classify(AgentStateKind kind, bool bySync, EngageFrom engageFrom) => kind switch
    {
        AgentStateKind.LoggedOut => AgentSyncClass.LoggedOut,
        AgentStateKind.Available when engageFrom == EngageFrom.PresenceSyncOrigin && !bySync => AgentSyncClass.AvailableByOthers,
        AgentStateKind.Available => AgentSyncClass.Available,
        AgentStateKind.Idle => bySync ? AgentSyncClass.IdleBySync : AgentSyncClass.IdleByOthers,
        _ => AgentSyncClass.OnContact,
    };

    private static AgentSyncClass[] BuildClasses()
    {
        var classes = new AgentSyncClass[ClassKinds * 4];
        for (var kind = 0; kind < ClassKinds; kind++)
        {
            for (var bits = 0; bits < 4; bits++)
            {
                var engageFrom = (bits & 2) != 0 ? EngageFrom.PresenceSyncOrigin : EngageFrom.AnyAvailable;
                classes[(kind << 2) | bits] = Classify((AgentStateKind)kind, (bits & 1) != 0, engageFrom);
            }
        }

        return classes;
    }

    private static TeamsRuleCell[] BuildCells()
    {
        var cells = new TeamsRuleCell[Enum.GetValues<AgentSyncClass>().Length * 2];
        foreach (var rule in s_teamsRules)
        {
            cells[((int)rule.Agent << 1) | (rule.TeamsMapped ? 1 : 0)] = new(rule.Action, LeftAloneRule(rule.Agent, rule.TeamsMapped));
        }

        return cells;
    }
}
