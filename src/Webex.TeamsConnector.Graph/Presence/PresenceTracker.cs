using System.Text.Json;

namespace Webex.TeamsConnector.Graph;

/// <summary>What became of an observed presence.</summary>
internal enum PresenceOutcome
{
    /// <summary>The user is not watched.</summary>
    Unwatched,
    /// <summary>Its sequence number is older than the last seen: dropped.</summary>
    Stale,
    /// <summary>Same availability and activity as the last seen (or the same sequence number): no event.</summary>
    Unchanged,
    /// <summary>A change: an event is due.</summary>
    Changed,
}

/// <summary>
/// The last presence seen per watched user. Emits a change only when availability or activity differ (compared
/// case-insensitively) and drops a presence whose <c>sequenceNumber</c> sorts before the last seen
/// (<see cref="string.CompareOrdinal(string, string)"/>; Graph's numbers are lexicographically sortable).
/// Thread-safe: polling, notifications and reconciliation share it.
/// </summary>
internal sealed class PresenceTracker
{
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.OrdinalIgnoreCase);
    private readonly Lock _gate = new();

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>Replaces the watched set; returns the ids that were not watched before.</summary>
    public List<string> Watch(IReadOnlyCollection<string> userIds)
    {
        var added = new List<string>();
        lock (_gate)
        {
            var keep = new HashSet<string>(userIds, StringComparer.OrdinalIgnoreCase);
            foreach (var id in _entries.Keys.Where(k => !keep.Contains(k)).ToList())
            {
                _entries.Remove(id);
            }

            foreach (var id in userIds)
            {
                if (!_entries.ContainsKey(id))
                {
                    _entries[id] = new Entry(id);
                    added.Add(id);
                }
            }
        }

        return added;
    }

    public bool IsWatched(string userId)
    {
        lock (_gate)
        {
            return _entries.ContainsKey(userId);
        }
    }

    public PresenceOutcome Observe(string userId, string? availability, string? activity, string? sequenceNumber, DateTimeOffset receivedAt, out TeamsPresenceUpdate update)
    {
        update = default;
        lock (_gate)
        {
            return _entries.TryGetValue(userId, out var entry)
                ? ObserveLocked(entry, availability, activity, sequenceNumber, receivedAt, out update)
                : PresenceOutcome.Unwatched;
        }
    }

    /// <summary>
    /// Observes a presence straight from Graph's JSON. Strings equal to the last seen are not allocated again, so
    /// a cycle in which nobody changed allocates nothing per user but the id.
    /// </summary>
    public PresenceOutcome Observe(string userId, JsonElement presence, DateTimeOffset receivedAt, out TeamsPresenceUpdate update)
    {
        update = default;
        lock (_gate)
        {
            if (!_entries.TryGetValue(userId, out var entry))
            {
                return PresenceOutcome.Unwatched;
            }

            var sequenceNumber = Text(presence, "sequenceNumber", entry.SequenceNumber);
            if (entry.Seen && sequenceNumber is not null && ReferenceEquals(sequenceNumber, entry.SequenceNumber))
            {
                return PresenceOutcome.Unchanged;
            }

            return ObserveLocked(entry, Text(presence, "availability", entry.Availability), Text(presence, "activity", entry.Activity), sequenceNumber, receivedAt, out update);
        }

        static string? Text(JsonElement presence, string name, string? last) =>
            !presence.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.String ? null
            : last is not null && value.ValueEquals(last) ? last
            : value.GetString();
    }

    /// <summary>The last sequence number seen, for logs.</summary>
    public string? LastSequence(string userId)
    {
        lock (_gate)
        {
            return _entries.TryGetValue(userId, out var entry) ? entry.SequenceNumber : null;
        }
    }

    private static PresenceOutcome ObserveLocked(Entry entry, string? availability, string? activity, string? sequenceNumber, DateTimeOffset receivedAt, out TeamsPresenceUpdate update)
    {
        update = default;
        if (entry.Seen && sequenceNumber is not null && entry.SequenceNumber is not null)
        {
            var order = string.CompareOrdinal(sequenceNumber, entry.SequenceNumber);
            if (order < 0)
            {
                return PresenceOutcome.Stale;
            }

            if (order == 0)
            {
                return PresenceOutcome.Unchanged;
            }
        }

        var changed = !entry.Seen
            || !string.Equals(entry.Availability, availability, StringComparison.OrdinalIgnoreCase)
            || !string.Equals(entry.Activity, activity, StringComparison.OrdinalIgnoreCase);
        entry.Seen = true;
        entry.Availability = availability;
        entry.Activity = activity;
        entry.SequenceNumber = sequenceNumber ?? entry.SequenceNumber;
        if (!changed)
        {
            return PresenceOutcome.Unchanged;
        }

        update = new TeamsPresenceUpdate(entry.UserId, availability, activity, sequenceNumber, receivedAt);
        return PresenceOutcome.Changed;
    }

    private sealed class Entry(string userId)
    {
        public string UserId { get; } = userId;

        public bool Seen { get; set; }

        public string? Availability { get; set; }

        public string? Activity { get; set; }

        public string? SequenceNumber { get; set; }
    }
}
