namespace Webex.TeamsConnector.ContactCenter;

/// <summary>
/// Drops agent events that are older than the last one passed on for the same agent, and exact repeats
/// (same time, kind and state), whatever path they came by (webhook, websocket, reconciliation).
/// </summary>
/// <remarks>Thread-safe (one lock).</remarks>
internal sealed class AgentEventSequencer
{
    private readonly Dictionary<string, AgentEvent> _last = new(StringComparer.Ordinal);

    /// <summary>
    /// Forgets what was passed on: a new consumer (a new sync session after a restart or reactivation) must be given
    /// every agent's current state again by the next reconciliation.
    /// </summary>
    public void Reset()
    {
        lock (_last)
        {
            _last.Clear();
        }
    }

    /// <summary>Whether the event is newer than (or different at the same time from) the last one of its agent; records it when so.</summary>
    public bool TryAccept(in AgentFeedEvent feedEvent, out bool stale)
    {
        lock (_last)
        {
            if (_last.TryGetValue(feedEvent.AgentId, out var last))
            {
                var e = feedEvent.Event;
                if (e.Timestamp < last.Timestamp)
                {
                    stale = true;
                    return false;
                }

                if (e.Timestamp == last.Timestamp && e.Kind == last.Kind && e.State == last.State)
                {
                    stale = false;
                    return false;
                }
            }

            _last[feedEvent.AgentId] = feedEvent.Event;
            stale = false;
            return true;
        }
    }
}
