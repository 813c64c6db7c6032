using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Webex.TeamsConnector.Graph;

/// <summary>
/// The adapter's instruments on the <c>Webex.TeamsConnector</c> meter, and the same counts kept in memory for
/// health reports and tests.
/// </summary>
internal sealed class GraphMetrics : IDisposable
{
    public const string MeterName = TeamsConnectorDiagnostics.Name;

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Counter<long> _rejected;
    private readonly Counter<long> _accepted;
    private readonly Counter<long> _stale;
    private readonly Counter<long> _readFailures;
    private readonly ConcurrentDictionary<string, long> _rejections = new(StringComparer.Ordinal);
    private long _acceptedCount;
    private long _staleCount;
    private long _readFailureCount;
    private long _invalidIds;
    private double _cycleSeconds;

    public GraphMetrics(IMeterFactory? factory = null)
    {
        _ownsMeter = factory is null;
        _meter = factory?.Create(MeterName) ?? new Meter(MeterName);
        _rejected = _meter.CreateCounter<long>("webex.teamsconnector.graph.notifications.rejected", "{notification}", "Graph notifications rejected, by reason.");
        _accepted = _meter.CreateCounter<long>("webex.teamsconnector.graph.notifications.accepted", "{notification}", "Graph notifications accepted.");
        _stale = _meter.CreateCounter<long>("webex.teamsconnector.graph.presence.stale", "{presence}", "Presences dropped because their sequence number was older than the last seen.");
        _readFailures = _meter.CreateCounter<long>("webex.teamsconnector.graph.presence.read_failures", "{request}", "getPresencesByUserId requests that failed after retries.");
        _meter.CreateObservableGauge("webex.teamsconnector.graph.poll.cycle", () => Volatile.Read(ref _cycleSeconds), "s", "The length of a polling cycle (longer than the poll interval when the request budget needs it).");
    }

    private long _handled;

    /// <summary>Raised on every count recorded: "accepted", "handled", "stale" or a rejection reason (tests wait on it).</summary>
    public event Action<string>? Recorded;

    /// <summary>Notifications the feed has finished handling.</summary>
    public long Handled => Interlocked.Read(ref _handled);

    public long Accepted => Interlocked.Read(ref _acceptedCount);

    public long Stale => Interlocked.Read(ref _staleCount);

    public long ReadFailures => Interlocked.Read(ref _readFailureCount);

    public long InvalidIds => Interlocked.Read(ref _invalidIds);

    public long Rejected(string reason) => _rejections.TryGetValue(reason, out var count) ? count : 0;

    public long RejectedTotal => _rejections.Values.Sum();

    public void Reject(string reason)
    {
        _rejections.AddOrUpdate(reason, 1, static (_, c) => c + 1);
        _rejected.Add(1, new KeyValuePair<string, object?>("reason", reason));
        Recorded?.Invoke(reason);
    }

    public void Accept()
    {
        Interlocked.Increment(ref _acceptedCount);
        _accepted.Add(1);
        Recorded?.Invoke("accepted");
    }

    public void StalePresence()
    {
        Interlocked.Increment(ref _staleCount);
        _stale.Add(1);
        Recorded?.Invoke("stale");
    }

    public void HandledNotification()
    {
        Interlocked.Increment(ref _handled);
        Recorded?.Invoke("handled");
    }

    public void ReadFailure()
    {
        Interlocked.Increment(ref _readFailureCount);
        _readFailures.Add(1);
    }

    public void InvalidId(int count) => Interlocked.Add(ref _invalidIds, count);

    public void CycleLength(TimeSpan length) => Volatile.Write(ref _cycleSeconds, length.TotalSeconds);

    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }
}
