namespace Webex.TeamsConnector;

/// <summary>
/// The machine the engine last ran (an event, a write failure or a timer), so that the host's audit recorder reads the
/// state of the agent a decision was about without a second lookup by id (a hash of the id and a full snapshot).
/// </summary>
internal sealed partial class SyncEngine
{
    private AgentSyncMachine? _lastDecided;

    /// <summary>
    /// The machine of the agent the engine's last call was about, for the host's audit recorder: after
    /// <c>OnPresence</c>, <c>OnAgentEvent</c> or <c>OnWriteFailed</c>, the agent's machine whatever the outcome (a
    /// rejected or clock-skewed event included), or <see langword="null"/> when the agent is not tracked; while a timer's
    /// commands are handed out (<see cref="AdvanceTime"/>), the timer's agent's. Read it right after the call, on the
    /// engine's thread: no id is compared.
    /// </summary>
    internal AgentSyncMachine? LastRun => _lastDecided;

    /// <summary>
    /// The confirmed WxCC state and origin of <paramref name="agentId"/>, when the engine's last run machine is that
    /// agent's (and still tracked); otherwise <see langword="false"/>, and <see cref="TryGetAgent"/> answers.
    /// </summary>
    /// <param name="agentId">The agent the caller's decision was about.</param>
    /// <param name="state">Its confirmed state.</param>
    /// <param name="origin">Who set it.</param>
    /// <returns><see langword="true"/> when the last run machine is that agent's.</returns>
    internal bool TryGetLastDecided(string agentId, out AgentState state, out StateOrigin origin)
    {
        if (_lastDecided is { Removed: false } machine && string.Equals(machine.AgentId, agentId, StringComparison.Ordinal))
        {
            state = machine.State;
            origin = machine.Origin;
            return true;
        }

        state = default;
        origin = default;
        return false;
    }

    /// <summary>
    /// Whether the engine's last run machine is <paramref name="teamsUserId"/>'s agent's and no WxCC state of that agent
    /// has arrived yet (its decision waits for one). Right after <see cref="OnPresence(string?, in TeamsPresence, string?)"/>
    /// for a tracked user that machine is the user's; for an untracked one it is not, and the answer is
    /// <see langword="false"/>.
    /// </summary>
    /// <param name="teamsUserId">The Teams user of the presence just handled (compared case-insensitively).</param>
    /// <param name="agentId">The agent.</param>
    /// <returns><see langword="true"/> when that agent's state is still unknown.</returns>
    internal bool LastDecidedAwaitsState(string teamsUserId, out string agentId)
    {
        if (LastDecidedFor(teamsUserId) is { LastEventAt: null } machine)
        {
            agentId = machine.AgentId;
            return true;
        }

        agentId = null!;
        return false;
    }

    /// <summary>
    /// The host's slot of <paramref name="agentId"/>'s machine (see <see cref="AgentSyncMachine.HostSlot"/>): found through
    /// the last run machine when it is that agent's (a decision's or a timer's commands), else by a lookup (a write's
    /// result). <see langword="false"/> when the agent is not tracked.
    /// </summary>
    /// <param name="agentId">The agent.</param>
    /// <param name="machine">Its machine, whose <see cref="AgentSyncMachine.HostSlot"/> the caller reads and sets.</param>
    /// <returns><see langword="true"/> when the agent is tracked.</returns>
    internal bool TryGetHostSlotOwner(string agentId, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out AgentSyncMachine? machine)
    {
        if (_lastDecided is { Removed: false } last && string.Equals(last.AgentId, agentId, StringComparison.Ordinal))
        {
            machine = last;
            return true;
        }

        return _byAgent.TryGetValue(agentId, out machine);
    }

    /// <summary>The last run machine, when it is still tracked and linked to <paramref name="teamsUserId"/> (ignoring case).</summary>
    private AgentSyncMachine? LastDecidedFor(string? teamsUserId) =>
        teamsUserId is not null && _lastDecided is { Removed: false } machine && string.Equals(machine.TeamsUserId, teamsUserId, StringComparison.OrdinalIgnoreCase)
            ? machine
            : null;
}
