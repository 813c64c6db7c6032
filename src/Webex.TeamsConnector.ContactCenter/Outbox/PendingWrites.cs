namespace Webex.TeamsConnector.ContactCenter;

/// <summary>What <see cref="PendingWrites.Enqueue"/> did with a wanted state.</summary>
internal enum EnqueueOutcome
{
    /// <summary>The same state was already wanted: nothing changed.</summary>
    Unchanged,
    /// <summary>Queued.</summary>
    Queued,
    /// <summary>Replaced a different queued state of the agent (the newest wins).</summary>
    Coalesced,
    /// <summary>Replaced a queued state by the one already in flight: the queued one is dropped, no second write.</summary>
    CoalescedIntoInFlight,
    /// <summary>The state is the one in flight (withdrawn before): wanted again, so it is retried if it fails.</summary>
    InFlightWantedAgain,
}

/// <summary>One wanted agent state and its attempts.</summary>
internal sealed class PendingWrite(string agentId, AgentState state, long sequence)
{
    public string AgentId { get; } = agentId;

    public AgentState State { get; } = state;

    public long Sequence { get; } = sequence;

    public int Attempts { get; set; }

    public int Throttles { get; set; }

    public bool Parked { get; set; }

    public bool Withdrawn { get; set; }
}

/// <summary>
/// The outbox's pending writes, pure and synchronous: per agent only the newest wanted state (coalescing); Idle writes
/// are taken before Available ones, each oldest first; an agent's next write is parked while one is in flight;
/// a failed write is requeued (now or after a delay) unless a newer state replaced it or it was withdrawn.
/// </summary>
/// <remarks>Not thread-safe: the outbox calls it under its lock. Time is passed in.</remarks>
internal sealed class PendingWrites
{
    private readonly Dictionary<string, PendingWrite> _wanted = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PendingWrite> _inFlight = new(StringComparer.Ordinal);
    private readonly PriorityQueue<PendingWrite, long> _idle = new();
    private readonly PriorityQueue<PendingWrite, long> _available = new();
    private readonly PriorityQueue<PendingWrite, DateTimeOffset> _delayed = new();
    private long _sequence;

    /// <summary>Agents with a wanted state not yet sent.</summary>
    public int Count => _wanted.Count;

    /// <summary>Writes being sent.</summary>
    public int InFlight => _inFlight.Count;

    /// <summary>When the earliest delayed write becomes due, if any.</summary>
    public DateTimeOffset? NextDelayedDue => _delayed.TryPeek(out _, out var due) ? due : null;

    /// <summary>Wants the agent in <paramref name="state"/>.</summary>
    public EnqueueOutcome Enqueue(string agentId, AgentState state, out AgentState replaced)
    {
        replaced = default;
        var flying = _inFlight.GetValueOrDefault(agentId);
        var outcome = EnqueueOutcome.Queued;
        if (_wanted.TryGetValue(agentId, out var existing))
        {
            if (existing.State == state)
            {
                return EnqueueOutcome.Unchanged;
            }

            replaced = existing.State;
            outcome = EnqueueOutcome.Coalesced;
            if (flying is not null && flying.State == state)
            {
                _wanted.Remove(agentId);
                flying.Withdrawn = false;
                return EnqueueOutcome.CoalescedIntoInFlight;
            }
        }
        else if (flying is not null && flying.State == state)
        {
            flying.Withdrawn = false;
            return EnqueueOutcome.InFlightWantedAgain;
        }

        var wanted = new PendingWrite(agentId, state, ++_sequence);
        _wanted[agentId] = wanted;
        PushReady(wanted);
        return outcome;
    }

    /// <summary>Forgets the agent's queued state; one in flight is marked not to be retried.</summary>
    public bool Withdraw(string agentId, out AgentState withdrawn)
    {
        if (_inFlight.TryGetValue(agentId, out var flying))
        {
            flying.Withdrawn = true;
        }

        var removed = _wanted.Remove(agentId, out var wanted);
        withdrawn = removed ? wanted!.State : default;
        return removed;
    }

    /// <summary>Whether a write can be taken at <paramref name="now"/>.</summary>
    public bool HasReady(DateTimeOffset now)
    {
        PromoteDue(now);
        return HasReady(_idle) || HasReady(_available);
    }

    /// <summary>Whether an Idle write can be taken at <paramref name="now"/> (it would go before any Available one).</summary>
    public bool HasReadyIdle(DateTimeOffset now)
    {
        PromoteDue(now);
        return HasReady(_idle);
    }

    /// <summary>Takes the next write (Idle first, then Available, each oldest first) and puts it in flight.</summary>
    public PendingWrite? Take(DateTimeOffset now)
    {
        PromoteDue(now);
        var write = Take(_idle) ?? Take(_available);
        if (write is not null)
        {
            _wanted.Remove(write.AgentId);
            _inFlight[write.AgentId] = write;
        }

        return write;
    }

    /// <summary>The write's send finished: it is no longer in flight, and a newer state of the agent may go.</summary>
    public void Completed(PendingWrite write)
    {
        if (_inFlight.TryGetValue(write.AgentId, out var flying) && ReferenceEquals(flying, write))
        {
            _inFlight.Remove(write.AgentId);
        }

        if (_wanted.TryGetValue(write.AgentId, out var newer) && newer.Parked)
        {
            newer.Parked = false;
            PushReady(newer);
        }
    }

    /// <summary>Puts a failed write back, due at <paramref name="notBefore"/>, unless superseded or withdrawn.</summary>
    public bool Requeue(PendingWrite write, DateTimeOffset notBefore, DateTimeOffset now)
    {
        if (_wanted.ContainsKey(write.AgentId) || write.Withdrawn)
        {
            return false;
        }

        var again = new PendingWrite(write.AgentId, write.State, ++_sequence) { Attempts = write.Attempts, Throttles = write.Throttles };
        _wanted[write.AgentId] = again;
        if (notBefore > now)
        {
            _delayed.Enqueue(again, notBefore);
        }
        else
        {
            PushReady(again);
        }

        return true;
    }

    /// <summary>Removes and returns every write not sent, oldest first.</summary>
    public List<PendingWrite> DrainUnsent()
    {
        var unsent = _wanted.Values.OrderBy(static w => w.Sequence).ToList();
        _wanted.Clear();
        _idle.Clear();
        _available.Clear();
        _delayed.Clear();
        return unsent;
    }

    private void PushReady(PendingWrite wanted)
    {
        if (wanted.State.Kind == AgentStateKind.Idle)
        {
            _idle.Enqueue(wanted, wanted.Sequence);
        }
        else
        {
            _available.Enqueue(wanted, wanted.Sequence);
        }
    }

    private bool IsCurrent(PendingWrite wanted) =>
        _wanted.TryGetValue(wanted.AgentId, out var current) && ReferenceEquals(current, wanted);

    private void PromoteDue(DateTimeOffset now)
    {
        while (_delayed.TryPeek(out var wanted, out var due) && due <= now)
        {
            _delayed.Dequeue();
            if (IsCurrent(wanted))
            {
                PushReady(wanted);
            }
        }
    }

    private PendingWrite? Take(PriorityQueue<PendingWrite, long> queue)
    {
        while (queue.TryPeek(out var wanted, out _))
        {
            queue.Dequeue();
            if (!IsCurrent(wanted) || wanted.Parked)
            {
                continue;
            }

            if (_inFlight.ContainsKey(wanted.AgentId))
            {
                wanted.Parked = true;
                continue;
            }

            return wanted;
        }

        return null;
    }

    private bool HasReady(PriorityQueue<PendingWrite, long> queue)
    {
        while (queue.TryPeek(out var wanted, out _))
        {
            if (!IsCurrent(wanted) || wanted.Parked)
            {
                queue.Dequeue();
            }
            else if (_inFlight.ContainsKey(wanted.AgentId))
            {
                queue.Dequeue();
                wanted.Parked = true;
            }
            else
            {
                return true;
            }
        }

        return false;
    }
}
