using System.Globalization;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Webex.TeamsConnector.Graph;

/// <summary>
/// Presence by change notifications: subscriptions of at most 650 users each
/// (<c>/communications/presences?$filter=id in (...)</c>), renewed before expiry, created again when removed,
/// expired or gone, reauthorized on request; notifications from <see cref="NotificationInbox"/> (rich ones
/// decrypted, basic ones followed by a read); <c>missed</c> and <c>subscriptionRemoved</c> followed by a read of
/// the subscription's users; everyone read at start, when newly watched, and by a slow reconciliation poll.
/// </summary>
/// <remarks>
/// Concurrency: one maintenance loop owns the Graph calls for subscriptions; the inbox consumer only marks work
/// and wakes it (rich notifications are emitted directly). Slot state is guarded by one lock.
/// </remarks>
internal sealed partial class ChangeNotificationPresenceFeed : ITeamsPresenceFeed
{
    private static readonly TimeSpan s_firstRetryDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan s_maxRetryDelay = TimeSpan.FromSeconds(30);

    private readonly GraphClientProvider _graph;
    private readonly PresenceReader _reader;
    private readonly SubscriptionRegistry _registry;
    private readonly NotificationInbox _inbox;
    private readonly RichNotificationDecryptor _decryptor;
    private readonly GraphOptions _options;
    private readonly TimeProvider _time;
    private readonly GraphMetrics _metrics;
    private readonly ILogger _logger;
    private readonly PresenceTracker _tracker = new();
    private readonly AsyncSignal _wake = new();
    private readonly Lock _gate = new();
    private readonly List<Slot> _slots = [];
    private readonly Dictionary<string, Slot> _slotOfUser = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _pendingReads = new(StringComparer.OrdinalIgnoreCase);
    private string[] _watched = [];
    private bool _readAll = true;
    private int _running;

    public ChangeNotificationPresenceFeed(
        GraphClientProvider graph,
        PresenceReader reader,
        SubscriptionRegistry registry,
        NotificationInbox inbox,
        RichNotificationDecryptor decryptor,
        IOptions<GraphOptions> options,
        TimeProvider time,
        GraphMetrics metrics,
        ILogger<ChangeNotificationPresenceFeed> logger)
    {
        _graph = graph;
        _reader = reader;
        _registry = registry;
        _inbox = inbox;
        _decryptor = decryptor;
        _options = options.Value;
        _time = time;
        _metrics = metrics;
        _logger = logger;
    }

    /// <summary>Raised after each pass of the maintenance loop (tests wait on it).</summary>
    internal event Action? Maintained;

    internal PresenceTracker Tracker => _tracker;

    /// <summary>The subscriptions held now: id (or null while being created) and users.</summary>
    internal IReadOnlyList<(string? Id, int Users, DateTimeOffset ExpiresAt)> Subscriptions
    {
        get
        {
            lock (_gate)
            {
                return [.. _slots.Select(s => (s.Id, s.Users.Count, s.ExpiresAt))];
            }
        }
    }

    public void SetWatchedUsers(IReadOnlyCollection<string> teamsUserIds)
    {
        var valid = _reader.Validate(teamsUserIds);
        var added = _tracker.Watch(valid);
        lock (_gate)
        {
            var keep = new HashSet<string>(valid, StringComparer.OrdinalIgnoreCase);
            foreach (var slot in _slots)
            {
                if (slot.Users.RemoveWhere(u => !keep.Contains(u)) > 0)
                {
                    slot.Dirty = true;
                }
            }

            foreach (var gone in _slotOfUser.Keys.Where(k => !keep.Contains(k)).ToList())
            {
                _slotOfUser.Remove(gone);
            }

            foreach (var user in valid)
            {
                if (_slotOfUser.ContainsKey(user))
                {
                    continue;
                }

                var slot = _slots.FirstOrDefault(s => s.Users.Count < _reader.BatchSize);
                if (slot is null)
                {
                    slot = new Slot();
                    _slots.Add(slot);
                }

                slot.Users.Add(user);
                slot.Dirty = true;
                _slotOfUser[user] = slot;
            }

            _pendingReads.UnionWith(added);
            _watched = [.. valid];
        }

        _wake.Set();
    }

    public async Task RunAsync(ChannelWriter<TeamsPresenceUpdate> updates, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(updates);
        if (Interlocked.Exchange(ref _running, 1) == 1)
        {
            throw new InvalidOperationException("The Graph presence feed is already running.");
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var consumer = ConsumeAsync(updates, stop.Token);
        try
        {
            await MaintainAsync(updates, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            try
            {
                await consumer.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }

            Volatile.Write(ref _running, 0);
        }
    }

    private async Task MaintainAsync(ChannelWriter<TeamsPresenceUpdate> updates, CancellationToken cancellationToken)
    {
        await DeleteLeftoversAsync(cancellationToken).ConfigureAwait(false);
        var nextReconciliation = _time.GetUtcNow() + _options.ReconciliationInterval;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await ManageSubscriptionsAsync(cancellationToken).ConfigureAwait(false);

            string[] reads;
            lock (_gate)
            {
                if (_time.GetUtcNow() >= nextReconciliation)
                {
                    _readAll = true;
                    nextReconciliation = _time.GetUtcNow() + _options.ReconciliationInterval;
                }

                reads = _readAll ? _watched : [.. _pendingReads.Where(_tracker.IsWatched)];
                _readAll = false;
                _pendingReads.Clear();
            }

            if (reads.Length > 0)
            {
                await _reader.ReadAllAsync(reads, _tracker, updates, cancellationToken).ConfigureAwait(false);
            }

            Maintained?.Invoke();
            var due = NextDue(nextReconciliation);
            await _wake.WaitAsync(due - _time.GetUtcNow(), _time, cancellationToken).ConfigureAwait(false);
        }
    }

    private DateTimeOffset NextDue(DateTimeOffset nextReconciliation)
    {
        var due = nextReconciliation;
        lock (_gate)
        {
            if (_pendingReads.Count > 0)
            {
                return _time.GetUtcNow();
            }

            foreach (var slot in _slots)
            {
                var slotDue = slot.Dirty || slot.Id is null || slot.Reauthorize || slot.Users.Count == 0
                    ? slot.RetryAt
                    : Max(slot.ExpiresAt - _options.SubscriptionRenewalMargin, slot.RetryAt);
                if (slotDue < due)
                {
                    due = slotDue;
                }
            }
        }

        return due;

        static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
    }

    private sealed class Slot
    {
        public string? Id { get; set; }

        public HashSet<string> Users { get; } = new(StringComparer.OrdinalIgnoreCase);

        public DateTimeOffset ExpiresAt { get; set; }

        public DateTimeOffset RetryAt { get; set; }

        /// <summary>Failed creates, renewals and reauthorizations in a row (the retry back-off's attempt).</summary>
        public int Failures { get; set; }

        public bool Dirty { get; set; } = true;

        public bool Reauthorize { get; set; }

        public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Id ?? "(new)"}: {Users.Count} users until {ExpiresAt:O}");
    }
}
