using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Webex.TeamsConnector.Graph;

/// <summary>The outcome of one polling cycle (for tests and diagnostics).</summary>
internal readonly record struct PollCycle(int Number, int Users, int Requests, int FailedRequests, TimeSpan Length, DateTimeOffset StartedAt);

/// <summary>
/// Polls every watched user with <c>getPresencesByUserId</c> in batches of at most 650 ids. A cycle lasts the poll
/// interval; its batches are spread evenly across it. When the users need more requests than 90% of the
/// budget (1,500 per 30 s by default) allows at that interval, the cycle is lengthened and the change logged and
/// reported (<see cref="CycleLength"/>, metric <c>webex.teamsconnector.graph.poll.cycle</c>). Users added to the
/// watch list are read in the next cycle. A failed batch (after the retries of the HTTP layer) is read again in
/// the next cycle, so no change is lost: the next read returns the latest presence.
/// </summary>
internal sealed class PollingPresenceFeed : ITeamsPresenceFeed
{
    private const double BudgetShare = 0.9;
    private const int MaxConcurrentRequests = 4;

    private readonly PresenceReader _reader;
    private readonly GraphOptions _options;
    private readonly TimeProvider _time;
    private readonly GraphMetrics _metrics;
    private readonly ILogger _logger;
    private readonly PresenceTracker _tracker = new();
    private string[] _watched = [];
    private int _running;
    private TimeSpan _reportedCycle;

    public PollingPresenceFeed(PresenceReader reader, IOptions<GraphOptions> options, TimeProvider time, GraphMetrics metrics, ILogger<PollingPresenceFeed> logger)
    {
        _reader = reader;
        _options = options.Value;
        _time = time;
        _metrics = metrics;
        _logger = logger;
        CycleLength = _options.PollInterval;
    }

    /// <summary>Raised after every cycle (tests wait on it).</summary>
    internal event Action<PollCycle>? CycleCompleted;

    /// <summary>The current cycle length: the poll interval, or longer when the budget needs it.</summary>
    internal TimeSpan CycleLength { get; private set; }

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

                await DelayUntilAsync(started + length, cancellationToken).ConfigureAwait(false);
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

    /// <summary>The cycle length for a number of users: the poll interval, or what 90% of the budget allows.</summary>
    internal TimeSpan Plan(int users)
    {
        var batches = (users + _reader.BatchSize - 1) / _reader.BatchSize;
        var perSecond = _options.RequestsPerWindow * BudgetShare / _options.RequestWindow.TotalSeconds;
        var needed = TimeSpan.FromSeconds(batches / perSecond);
        var length = needed > _options.PollInterval ? needed : _options.PollInterval;
        CycleLength = length;
        _metrics.CycleLength(length);
        if (length != _reportedCycle)
        {
            _reportedCycle = length;
            if (length > _options.PollInterval)
            {
                Log.CycleLengthened(_logger, users, batches, length, _options.PollInterval, (int)(_options.RequestsPerWindow * BudgetShare), _options.RequestWindow);
            }
            else
            {
                Log.CyclePlanned(_logger, users, batches, length);
            }
        }

        return length;
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
            await DelayUntilAsync(started + (spacing * i), cancellationToken).ConfigureAwait(false);
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
