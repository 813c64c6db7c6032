using System.Runtime.InteropServices;

namespace Webex.TeamsConnector;

/// <summary>What happened to an event given to the sync rules.</summary>
internal enum SyncOutcome : byte
{
    /// <summary>The event was applied (it may or may not have produced commands).</summary>
    Applied = 0,
    /// <summary>The event was older than one already applied and was dropped.</summary>
    Stale,
    /// <summary>The event repeats one already applied and was dropped.</summary>
    Duplicate,
    /// <summary>The presence equals the last one seen: no change, nothing to do.</summary>
    Unchanged,
    /// <summary>The presence is the connector's own published presence (or its stale echo) and was ignored.</summary>
    Echo,
    /// <summary>The agent or Teams user is not tracked by the engine.</summary>
    UnknownAgent,
    /// <summary>
    /// The event is malformed (an undefined event kind or state kind, or no timestamp) and was dropped without
    /// changing anything.
    /// </summary>
    Rejected,
    /// <summary>
    /// The agent event is dated further ahead of the connector's clock than <see cref="SyncRules.MaxEventClockSkew"/>
    /// and was dropped without changing anything.
    /// </summary>
    ClockSkew,
}

/// <summary>
/// The result of one event: its outcome, the rule that decided (also when the agent was left alone), and up to two
/// commands. A small value type; producing it allocates nothing, and commands are materialised only when read.
/// </summary>
internal readonly struct SyncDecision
{
    private readonly AgentIdentity? _agent;
    private readonly TimeSpan _expiration;
    private readonly CommandSlot _first;
    private readonly CommandSlot _second;
    private readonly byte _count;

    internal SyncDecision(SyncOutcome outcome, SyncRule rule, int count, AgentIdentity? agent, TimeSpan expiration, CommandSlot first, CommandSlot second)
    {
        Outcome = outcome;
        Rule = rule;
        _count = (byte)count;
        _agent = agent;
        _expiration = expiration;
        _first = first;
        _second = second;
    }

    /// <summary>What happened to the event.</summary>
    public SyncOutcome Outcome { get; }

    /// <summary>
    /// The rule that decided: the first command's rule, or, without a command, why the agent was left alone
    /// (<see cref="SyncRule.None"/> when the event was dropped before the rules ran).
    /// </summary>
    public SyncRule Rule { get; }

    /// <summary>How many commands the event produced (0 to 2).</summary>
    public int Count => _count;

    /// <summary>Whether no command was produced.</summary>
    public bool IsEmpty => Count == 0;

    /// <summary>A command by index.</summary>
    /// <param name="index">0 or 1, below <see cref="Count"/>.</param>
    /// <returns>The command.</returns>
    public SyncCommand this[int index] => index switch
    {
        0 when Count > 0 => _first.ToCommand(_agent!, _expiration),
        1 when Count > 1 => _second.ToCommand(_agent!, _expiration),
        _ => throw new ArgumentOutOfRangeException(nameof(index)),
    };

    internal static SyncDecision Of(SyncOutcome outcome, SyncRule rule = SyncRule.None) => new(outcome, rule, 0, null, default, default, default);

    /// <summary>Copies the commands into a list (for tests and diagnostics; allocates).</summary>
    /// <returns>The commands.</returns>
    public IReadOnlyList<SyncCommand> ToList() => Count switch
    {
        0 => [],
        1 => [this[0]],
        _ => [this[0], this[1]],
    };
}

/// <summary>Who a machine's commands are for. Immutable; replaced when the Teams user changes.</summary>
internal sealed class AgentIdentity(string agentId, string? teamsUserId)
{
    public string AgentId { get; } = agentId;

    public string? TeamsUserId { get; } = teamsUserId;
}

/// <summary>A command without its agent: what a decision stores (two references fewer to copy).</summary>
[StructLayout(LayoutKind.Auto)]
internal readonly struct CommandSlot(SyncCommandKind kind, AgentState state, PublishedPresence presence, SyncReason reason)
{
    public SyncCommandKind Kind { get; } = kind;

    public AgentState State { get; } = state;

    public PublishedPresence Presence { get; } = presence;

    public SyncReason Reason { get; } = reason;

    public SyncCommand ToCommand(AgentIdentity agent, TimeSpan expiration) =>
        new(Kind, agent.AgentId, agent.TeamsUserId, State, Presence, Kind == SyncCommandKind.PublishPresence ? expiration : TimeSpan.Zero, Reason);
}

/// <summary>Collects a decision on the stack while a machine runs one event.</summary>
internal ref struct DecisionBuilder(SyncOutcome outcome)
{
    private CommandSlot _first;
    private CommandSlot _second;
    private int _count;
    private SyncRule _rule;

    /// <summary>Says why the agent is left alone; a command (added before or after) takes precedence.</summary>
    public void LeaveAlone(SyncRule rule)
    {
        if (_count == 0)
        {
            _rule = rule;
        }
    }

    /// <summary>The Teams -> WxCC rule that acted: it names the decision whatever else was published or cleared.</summary>
    public void Decided(SyncRule rule) => _rule = rule;

    public void Add(SyncCommandKind kind, AgentState state, PublishedPresence presence, SyncReason reason)
    {
        if (_count == 0)
        {
            _rule = reason.Rule;
        }

        var slot = new CommandSlot(kind, state, presence, reason);
        switch (_count++)
        {
            case 0: _first = slot; break;
            case 1: _second = slot; break;
            default: throw new InvalidOperationException("A sync decision holds at most two commands.");
        }
    }

    public readonly int Count => _count;

    public readonly bool HasStateWrite =>
        _count > 0 && _first.Kind is SyncCommandKind.SetIdle or SyncCommandKind.SetAvailable
        || _count > 1 && _second.Kind is SyncCommandKind.SetIdle or SyncCommandKind.SetAvailable;

    public readonly SyncDecision Build(AgentIdentity agent, TimeSpan expiration) =>
        new(outcome, _rule, _count, _count == 0 ? null : agent, expiration, _first, _second);
}

/// <summary>Receives commands from <see cref="SyncEngine.AdvanceTime(ISyncCommandSink)"/>.</summary>
internal interface ISyncCommandSink
{
    /// <summary>Called for each command, in order.</summary>
    /// <param name="command">The command.</param>
    void OnCommand(in SyncCommand command);
}
