namespace Webex.TeamsConnector.Graph;

/// <summary>
/// A small thread-safe cache with a lifetime per entry and at most <c>capacity</c> entries, on a
/// <see cref="TimeProvider"/>. Expired entries are dropped when read and when room is needed; when every entry is
/// still fresh, the tenth closest to expiry goes (the oldest, for entries of the same lifetime). Keys compare
/// case-insensitively.
/// </summary>
/// <typeparam name="TValue">The cached value.</typeparam>
internal sealed class BoundedCache<TValue>
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, (TValue Value, DateTimeOffset Until)> _entries = new(StringComparer.OrdinalIgnoreCase);
    private readonly TimeProvider _time;

    public BoundedCache(int capacity, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        Capacity = capacity;
        _time = time;
    }

    public int Capacity { get; }

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

    public bool TryGet(string key, out TValue value)
    {
        lock (_gate)
        {
            if (_entries.TryGetValue(key, out var entry))
            {
                if (entry.Until > _time.GetUtcNow())
                {
                    value = entry.Value;
                    return true;
                }

                _entries.Remove(key);
            }
        }

        value = default!;
        return false;
    }

    public void Set(string key, TValue value, TimeSpan lifetime)
    {
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            if (!_entries.ContainsKey(key) && _entries.Count >= Capacity)
            {
                MakeRoom(now);
            }

            _entries[key] = (value, now + lifetime);
        }
    }

    private void MakeRoom(DateTimeOffset now)
    {
        foreach (var (key, entry) in _entries)
        {
            if (entry.Until <= now)
            {
                _entries.Remove(key);
            }
        }

        if (_entries.Count < Capacity)
        {
            return;
        }

        // Everything is fresh: drop the tenth closest to expiry at once, so the sort is paid once per many inserts.
        var drop = Math.Max(1, Capacity / 10);
        foreach (var (key, _) in _entries.OrderBy(e => e.Value.Until).Take(drop).ToList())
        {
            _entries.Remove(key);
        }
    }
}
