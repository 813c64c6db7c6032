using System.Collections.Concurrent;

namespace Webex.TeamsConnector;

/// <summary>
/// A thread-safe copy of a <see cref="SyncEngine"/>'s two id indexes, kept by the engine as agents are added, linked and
/// removed, from which the threads that read events off the wire take <see cref="AgentHandle"/>s. The id is then hashed
/// on the feed's thread, once, and the engine's single loop skips the lookup.
/// </summary>
/// <remarks>
/// Reads are lock-free and may run while the engine's loop changes the index: a reader may get the handle an id had
/// just before a change, which the engine then refuses (see <see cref="AgentHandle"/>) and looks the id up itself.
/// </remarks>
internal sealed class AgentEdgeIndex
{
    private readonly ConcurrentDictionary<string, AgentHandle> _byAgent;
    private readonly ConcurrentDictionary<string, AgentHandle> _byTeamsUser;

    internal AgentEdgeIndex(int capacity)
    {
        var concurrency = Environment.ProcessorCount;
        _byAgent = new(concurrency, Math.Max(capacity, 31), StringComparer.Ordinal);
        _byTeamsUser = new(concurrency, Math.Max(capacity, 31), TeamsUserIdComparer.Instance);
    }

    /// <summary>The number of agents indexed by agent id.</summary>
    public int Count => _byAgent.Count;

    /// <summary>The handle of a WxCC agent, or the default handle when the agent is not tracked (yet).</summary>
    /// <param name="agentId">The WxCC agent id.</param>
    /// <returns>The handle; the default one when unknown or <see langword="null"/>.</returns>
    public AgentHandle ByAgentId(string? agentId) =>
        agentId is not null && _byAgent.TryGetValue(agentId, out var handle) ? handle : default;

    /// <summary>The handle of the agent linked to a Teams user, or the default handle when there is none (yet).</summary>
    /// <param name="teamsUserId">The Teams user object id (case-insensitive).</param>
    /// <returns>The handle; the default one when unknown or <see langword="null"/>.</returns>
    public AgentHandle ByTeamsUserId(string? teamsUserId) =>
        teamsUserId is not null && _byTeamsUser.TryGetValue(teamsUserId, out var handle) ? handle : default;

    internal void Added(AgentSyncMachine machine)
    {
        _byAgent[machine.AgentId] = new AgentHandle(machine);
        if (machine.TeamsUserId is { } teams)
        {
            _byTeamsUser[teams] = new AgentHandle(machine);
        }
    }

    internal void Linked(AgentSyncMachine machine, string? oldTeamsUserId)
    {
        if (oldTeamsUserId is not null)
        {
            _byTeamsUser.TryRemove(oldTeamsUserId, out _);
        }

        if (machine.TeamsUserId is { } teams)
        {
            _byTeamsUser[teams] = new AgentHandle(machine);
        }
    }

    internal void Removed(AgentSyncMachine machine)
    {
        _byAgent.TryRemove(machine.AgentId, out _);
        if (machine.TeamsUserId is { } teams)
        {
            _byTeamsUser.TryRemove(teams, out _);
        }
    }
}
