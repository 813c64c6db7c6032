using System.Collections.Concurrent;

namespace Webex.TeamsConnector;

/// <summary>
/// Which agents the agent feed's first reconciliation reads first: the sync session marks each agent whose Teams
/// presence maps to an idle code before its WxCC state is known (a decision waits for that state), and the feed puts
/// those agents in its next activities requests. Open until the first reconciliation ends; safe on any thread.
/// </summary>
internal sealed class AgentStartPriority
{
    private readonly ConcurrentDictionary<string, byte> _first = new(StringComparer.Ordinal);
    private volatile bool _closed;

    /// <summary>Whether marks are still taken (the first reconciliation has not ended).</summary>
    public bool IsOpen => !_closed;

    /// <summary>The agents marked so far (a snapshot).</summary>
    public ICollection<string> Marked => _first.Keys;

    /// <summary>The number of agents marked so far.</summary>
    public int Count => _first.Count;

    /// <summary>Marks an agent to be read first (ignored once closed).</summary>
    /// <param name="agentId">The WxCC agent id.</param>
    public void Mark(string agentId)
    {
        if (!_closed)
        {
            _first.TryAdd(agentId, 0);
        }
    }

    /// <summary>Stops taking marks and forgets them (the first reconciliation has ended).</summary>
    public void Close()
    {
        _closed = true;
        _first.Clear();
    }
}

/// <summary>An agent feed whose first reconciliation reads the agents of its <see cref="StartPriority"/> first.</summary>
internal interface IPrioritizedAgentFeed
{
    /// <summary>The agents to read first at start.</summary>
    AgentStartPriority StartPriority { get; }
}
