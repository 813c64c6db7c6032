namespace Webex.TeamsConnector;

/// <summary>
/// An agent that a <see cref="SyncEngine"/> tracks, found once by id at the edge (where an event is read off the wire),
/// so that the engine's loop applies the event without hashing the id again.
/// </summary>
/// <remarks>
/// A handle is a hint, never an authority: the engine honours it only while the agent is still tracked and, for a
/// handle taken by Teams user id, still linked to that Teams user. Otherwise (and for the default handle) the engine
/// looks the event's id up as it would without one, so a stale handle costs a lookup and never misroutes an event.
/// Taking a handle is safe from any thread through <see cref="AgentEdgeIndex"/>; using one is the engine's loop's.
/// </remarks>
internal readonly struct AgentHandle
{
    private readonly AgentSyncMachine? _machine;
    private readonly int _teamsLink;

    internal AgentHandle(AgentSyncMachine machine)
    {
        _machine = machine;
        _teamsLink = machine.TeamsLink;
    }

    /// <summary>Whether the handle names an agent at all (the default handle does not).</summary>
    public bool HasValue => _machine is not null;

    /// <summary>The agent's machine, when it is still tracked.</summary>
    internal AgentSyncMachine? Agent => _machine is { Removed: false } machine ? machine : null;

    /// <summary>The agent's machine, when it is still tracked and still linked to the Teams user the handle was taken for.</summary>
    internal AgentSyncMachine? TeamsUser => _machine is { Removed: false } machine && machine.TeamsLink == _teamsLink ? machine : null;
}
