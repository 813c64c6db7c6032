using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Webex.TeamsConnector.Graph;

/// <summary>The outcome of one polling cycle (for tests and diagnostics).</summary>
internal readonly record struct PollCycle(int Number, int Users, int Requests, int FailedRequests, TimeSpan Length, DateTimeOffset StartedAt);

/// <summary>
/// Polls every watched user with <c>getPresencesByUserId</c> in batches of at most 650 ids. A cycle lasts the interval
/// <see cref="AdaptivePollInterval"/> gives: with <c>Auto</c> (the default) the shortest that keeps polling within its
/// share of Graph's budget (90 % of 1,500 per 30 s by default) after what expert search and user resolution used,
/// never under the floor (250 ms); with a fixed interval, that interval or longer when the budget needs it. A 429
/// doubles the interval at once (and the next cycle waits out the <c>Retry-After</c>); each cycle without one shortens
/// it by a twentieth of the target rate. The batches of a cycle are spread evenly across it and wait in the ordinary
/// lane of the shared budget (<see cref="PollingScope"/>), behind expert search and user resolution. The cycle length
/// is logged when it changes and reported (<see cref="CycleLength"/>, metric <c>webex.teamsconnector.graph.poll.cycle</c>).
/// Users added to the watch list are read in the next cycle. A failed batch (after the retries of the HTTP layer) is
/// read again in the next cycle, so no change is lost: the next read returns the latest presence.
/// </summary>
internal sealed class PollingPresenceFeed : ITeamsPresenceFeed
{
    private const int MaxConcurrentRequests = 4;

    private readonly PresenceReader _reader;
    private readonly GraphOptions _options;
    private readonly RequestBudget _budget;
    private readonly TimeProvider _time;
    private readonly GraphMetrics _metrics;
    private readonly ILogger _logger;
    private readonly PresenceTracker _tracker = new();
    private readonly AdaptivePollInterval _interval;
    private readonly Queue<long> _sent = new();
    private readonly TimeSpan _minimumGap;
    private long _lastSentTicks = DateTimeOffset.MinValue.UtcTicks;
    private string[] _watched = [];
    private int _running;
    private TimeSpan _reportedCycle;

    public PollingPresenceFeed(PresenceReader reader, IOptions<GraphOptions> options, RequestBudget budget, TimeProvider time, GraphMetrics metrics, ILogger<PollingPresenceFeed> logger)
    {
        _reader = reader;
        _options = options.Value;
        _budget = budget;
        _time = time;
        _metrics = metrics;
        _logger = logger;
        _interval = new AdaptivePollInterval(_options, reader.BatchSize);
        CycleLength = _interval.Minimum;
        _minimumGap = TimeSpan.FromTicks((long)Math.Ceiling(_options.RequestWindow.Ticks / _interval.PollBudget));
    }

    /// <summary>Raised after every cycle (tests wait on it).</summary>
    internal event Action<PollCycle>? CycleCompleted;

    /// <summary>The current cycle length (see <see cref="AdaptivePollInterval"/>).</summary>
    internal TimeSpan CycleLength { get; private set; }

    /// <summary>The interval's arithmetic and back-off state.</summary>
    internal AdaptivePollInterval Interval => _interval;

    internal PresenceTracker Tracker => _tracker;

    public void SetWatchedUsers(IReadOnlyCollection<string> teamsUserIds)
    {
        var valid = _reader.Validate(teamsUserIds);
        _tracker.Watch(valid);
        Volatile.Write(ref _watched, [.. valid]);
    }

    public async Task RunAsync(ChannelWriter<TeamsPresenceUpdate> updates, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(updates);
        if (Interlocked.Exchange(ref _running, 1) == 1)
        {
            throw new InvalidOperationException("The Graph presence feed is already running.");
        }

        try
        {
            var number = 0;
            while (!cancellationToken.IsCancellationRequested)
            {
                var started = _time.GetUtcNow();
                var users = Volatile.Read(ref _watched);
                var length = Plan(users.Length);
                try
                {
                    var (requests, failed) = await RunCycleAsync(users, length, started, updates, cancellationToken).ConfigureAwait(false);
                    CycleCompleted?.Invoke(new PollCycle(++number, users.Length, requests, failed, length, started));
                }
                catch (Exception ex) when (ex is not OperationCanceledException && ex is not ChannelClosedException)
                {
                    Log.FeedFailed(_logger, length, ex);
                }

                var next = started + length;
                if (_interval.Observe(_budget.Throttles))
                {
                    // Lengthen at once: the next cycle starts after the Retry-After and a doubled interval.
                    var pausedUntil = _budget.PausedUntil;
                    next = started + Plan(users.Length);
                    next = next > pausedUntil ? next : pausedUntil;
                }

                await DelayUntilAsync(next, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            Volatile.Write(ref _running, 0);
        }
    }

    /// <summary>Reads every watched user once, batches back to back (benchmarks).</summary>
    internal Task<(int Requests, int Failed)> PollOnceAsync(ChannelWriter<TeamsPresenceUpdate> updates, CancellationToken cancellationToken) =>
        RunCycleAsync(Volatile.Read(ref _watched), TimeSpan.Zero, _time.GetUtcNow(), updates, cancellationToken);

    /// <summary>The cycle length for a number of users (see <see cref="AdaptivePollInterval"/>).</summary>
    internal TimeSpan Plan(int users)
    {
        var batches = _interval.Batches(users);
        var length = _interval.Next(users, OthersInWindow());
        CycleLength = length;
        _metrics.CycleLength(length);
        if (length != _reportedCycle)
        {
            _reportedCycle = length;
            if (_interval.Rate < 1.0)
            {
                Log.PollBackedOff(_logger, length, _interval.Rate);
            }
            else if (length > _interval.Minimum && !_interval.IsAuto)
            {
                Log.CycleLengthened(_logger, users, batches, length, _interval.Minimum, (int)_interval.PollBudget, _options.RequestWindow);
            }
            else
            {
                Log.CyclePlanned(_logger, users, batches, length);
            }
        }

        return length;
    }

    /// <summary>Requests of the shared budget in the last window that were not this feed's (expert search, user resolution).</summary>
    private int OthersInWindow()
    {
        var since = _time.GetUtcNow().UtcTicks - _options.RequestWindow.Ticks;
        lock (_sent)
        {
            while (_sent.Count > 0 && _sent.Peek() <= since)
            {
                _sent.Dequeue();
            }

            return Math.Max(0, _budget.InWindow - _sent.Count);
        }
    }

    private async Task<(int Requests, int Failed)> RunCycleAsync(string[] users, TimeSpan length, DateTimeOffset started, ChannelWriter<TeamsPresenceUpdate> updates, CancellationToken cancellationToken)
    {
        if (users.Length == 0)
        {
            return (0, 0);
        }

        var batches = users.Chunk(_reader.BatchSize).ToArray();
        var spacing = length / batches.Length;
        var running = new List<Task<bool>>(batches.Length);
        using var gate = new SemaphoreSlim(MaxConcurrentRequests);
        for (var i = 0; i < batches.Length; i++)
        {
            // Never closer to the previous read than the poll's share allows (window / share of the budget), even when
            // a cycle ran late, so that no window ever holds more than that share (plus one). Never during a
            // Retry-After either: a read started then would only wait in the budget's queue holding one of the slots,
            // and the cycle would wait on those slots instead of on the time Graph asked for.
            var due = started + (spacing * i);
            var earliest = new DateTimeOffset(_lastSentTicks, TimeSpan.Zero) + _minimumGap;
            var paused = _budget.PausedUntil;
            due = due > earliest ? due : earliest;
            await DelayUntilAsync(due > paused ? due : paused, cancellationToken).ConfigureAwait(false);
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            running.Add(ReadAsync([.. batches[i]], gate, updates, cancellationToken));
        }

        var results = await Task.WhenAll(running).ConfigureAwait(false);
        return (results.Length, results.Count(ok => !ok));
    }

    private async Task<bool> ReadAsync(List<string> batch, SemaphoreSlim gate, ChannelWriter<TeamsPresenceUpdate> updates, CancellationToken cancellationToken)
    {
        try
        {
            PollingScope.Enter();
            lock (_sent)
            {
                _lastSentTicks = _time.GetUtcNow().UtcTicks;
                _sent.Enqueue(_lastSentTicks);
            }

            return await _reader.ReadAndEmitAsync(batch, _tracker, updates, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task DelayUntilAsync(DateTimeOffset when, CancellationToken cancellationToken)
    {
        var wait = when - _time.GetUtcNow();
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
        }
    }
}
