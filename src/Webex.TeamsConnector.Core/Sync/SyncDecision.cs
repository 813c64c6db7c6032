namespace Webex.TeamsConnector;

/// <summary>What happened to an event given to the sync rules.</summary>
public enum SyncOutcome
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
}

/// <summary>The result of one event: its outcome and up to two commands. A value type; no allocation.</summary>
public readonly struct SyncDecision
{
    private readonly SyncCommand _first;
    private readonly SyncCommand _second;

    private SyncDecision(SyncOutcome outcome, int count, SyncCommand first, SyncCommand second)
    {
        Outcome = outcome;
        Count = count;
        _first = first;
        _second = second;
    }

    /// <summary>What happened to the event.</summary>
    public SyncOutcome Outcome { get; }

    /// <summary>How many commands the event produced (0 to 2).</summary>
    public int Count { get; }

    /// <summary>Whether no command was produced.</summary>
    public bool IsEmpty => Count == 0;

    /// <summary>A command by index.</summary>
    /// <param name="index">0 or 1, below <see cref="Count"/>.</param>
    /// <returns>The command.</returns>
    public SyncCommand this[int index] => index switch
    {
        0 when Count > 0 => _first,
        1 when Count > 1 => _second,
        _ => throw new ArgumentOutOfRangeException(nameof(index)),
    };

    internal static SyncDecision Of(SyncOutcome outcome) => new(outcome, 0, default, default);

    internal SyncDecision With(in SyncCommand command) => Count switch
    {
        0 => new(Outcome, 1, command, default),
        1 => new(Outcome, 2, _first, command),
        _ => throw new InvalidOperationException("A sync decision holds at most two commands."),
    };

    /// <summary>Copies the commands into a list (for tests and diagnostics; allocates).</summary>
    /// <returns>The commands.</returns>
    public IReadOnlyList<SyncCommand> ToList() => Count switch
    {
        0 => [],
        1 => [_first],
        _ => [_first, _second],
    };
}

/// <summary>Receives commands from <see cref="SyncEngine.AdvanceTime(ISyncCommandSink)"/>.</summary>
public interface ISyncCommandSink
{
    /// <summary>Called for each command, in order.</summary>
    /// <param name="command">The command.</param>
    void OnCommand(in SyncCommand command);
}
