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
/// commands. Two machine words, returned in registers: the commands stay in the agent's machine, packed without
/// references, and are materialised only when read. They must be read before the same agent's next event (the engine
/// loop reads them at once); reading them later throws.
/// </summary>
internal readonly struct SyncDecision
{
    private readonly AgentSyncMachine? _machine;
    private readonly int _serial;
    private readonly SyncOutcome _outcome;
    private readonly SyncRule _rule;
    private readonly byte _count;

    internal SyncDecision(SyncOutcome outcome, SyncRule rule, int count, AgentSyncMachine? machine, int serial)
    {
        _outcome = outcome;
        _rule = rule;
        _count = (byte)count;
        _machine = machine;
        _serial = serial;
    }

    /// <summary>What happened to the event.</summary>
    public SyncOutcome Outcome => _outcome;

    /// <summary>
    /// The rule that decided: the first command's rule, or, without a command, why the agent was left alone
    /// (<see cref="SyncRule.None"/> when the event was dropped before the rules ran).
    /// </summary>
    public SyncRule Rule => _rule;

    /// <summary>How many commands the event produced (0 to 2).</summary>
    public int Count => _count;

    /// <summary>Whether no command was produced.</summary>
    public bool IsEmpty => _count == 0;

    /// <summary>A command by index.</summary>
    /// <param name="index">0 or 1, below <see cref="Count"/>.</param>
    /// <returns>The command.</returns>
    /// <exception cref="InvalidOperationException">The agent's machine has decided on a later event since.</exception>
    public SyncCommand this[int index] => (uint)index < _count
        ? _machine!.CommandOf(_serial, index)
        : throw new ArgumentOutOfRangeException(nameof(index));

    internal static SyncDecision Of(SyncOutcome outcome, SyncRule rule = SyncRule.None) => new(outcome, rule, 0, null, 0);

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

/// <summary>Where a command's <see cref="SyncCommand.State"/> comes from: the machine keeps it, the slot names it.</summary>
internal enum CommandStateSource : byte
{
    /// <summary>No state (presence commands, withdraw).</summary>
    None = 0,
    /// <summary>The agent's confirmed WxCC state (a read-back).</summary>
    Confirmed,
    /// <summary>A state write: the machine's recent-writes ring, at the index added to this value.</summary>
    RecentWrite,
}

/// <summary>
/// A command without its agent and without references, packed into 32 bits (kind, state source, presence, rule,
/// trigger): a decision's commands are stored in the machine without a GC write barrier.
/// </summary>
internal readonly struct CommandSlot
{
    private readonly uint _bits;

    public CommandSlot(SyncCommandKind kind, int stateSource, PublishedPresence presence, SyncReason reason) =>
        _bits = (uint)kind | (uint)stateSource << 4 | (uint)presence << 8 | (uint)reason.Rule << 12 | (uint)reason.Trigger << 20;

    public SyncCommandKind Kind => (SyncCommandKind)(_bits & 0xF);

    /// <summary>A <see cref="CommandStateSource"/>, plus the ring index for <see cref="CommandStateSource.RecentWrite"/>.</summary>
    public int StateSource => (int)(_bits >> 4) & 0xF;

    public PublishedPresence Presence => (PublishedPresence)((_bits >> 8) & 0xF);

    public SyncReason Reason => new((SyncRule)(byte)(_bits >> 12), (SyncTrigger)((_bits >> 20) & 0xFF));
}

/// <summary>Collects a decision while a machine runs one event; kept in the machine. Holds no references.</summary>
internal struct DecisionBuilder
{
    private CommandSlot _first;
    private CommandSlot _second;
    private int _count;
    private SyncRule _rule;
    private SyncOutcome _outcome;

    /// <summary>Empties the builder for an event with this outcome (slots beyond the count are never read).</summary>
    public void Reset(SyncOutcome outcome)
    {
        _count = 0;
        _rule = SyncRule.None;
        _outcome = outcome;
    }

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

    public void Add(SyncCommandKind kind, int stateSource, PublishedPresence presence, SyncReason reason)
    {
        if (_count == 0)
        {
            _rule = reason.Rule;
        }

        var slot = new CommandSlot(kind, stateSource, presence, reason);
        switch (_count++)
        {
            case 0: _first = slot; break;
            case 1: _second = slot; break;
            default: throw new InvalidOperationException("A sync decision holds at most two commands.");
        }
    }

    public readonly int Count => _count;

    public readonly SyncOutcome Outcome => _outcome;

    public readonly SyncRule Rule => _rule;

    public readonly CommandSlot First => _first;

    public readonly CommandSlot Second => _second;

    public readonly bool HasStateWrite =>
        _count > 0 && _first.Kind is SyncCommandKind.SetIdle or SyncCommandKind.SetAvailable
        || _count > 1 && _second.Kind is SyncCommandKind.SetIdle or SyncCommandKind.SetAvailable;
}

/// <summary>Receives commands from <see cref="SyncEngine.AdvanceTime(ISyncCommandSink)"/>.</summary>
internal interface ISyncCommandSink
{
    /// <summary>Called for each command, in order.</summary>
    /// <param name="command">The command.</param>
    void OnCommand(in SyncCommand command);
}
