using System.Globalization;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Graph.Models;
using Microsoft.Kiota.Abstractions;

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
internal sealed class ChangeNotificationPresenceFeed : ITeamsPresenceFeed
{
    private static readonly TimeSpan s_retryDelay = TimeSpan.FromSeconds(30);

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

    /// <summary>Handles one accepted notification (the inbox consumer; also used by benchmarks).</summary>
    internal async ValueTask HandleAsync(NotificationWork work, ChannelWriter<TeamsPresenceUpdate> updates, CancellationToken cancellationToken)
    {
        switch (work.Kind)
        {
            case NotificationKind.Rich when _decryptor.Enabled:
                if (!_decryptor.TryDecrypt(work, out var presence, out var reason))
                {
                    _metrics.Reject(reason);
                    Log.NotificationRejected(_logger, "rich notification failed verification (" + reason + ")");
                }
                else if (!string.Equals(presence.Id, work.UserId, StringComparison.OrdinalIgnoreCase))
                {
                    _metrics.Reject("user");
                    Log.NotificationRejected(_logger, "the decrypted presence is not the notified user's");
                }
                else
                {
                    await _reader.EmitAsync(_tracker, work.UserId!, presence.Availability, presence.Activity, presence.SequenceNumber, _time.GetUtcNow(), updates, cancellationToken).ConfigureAwait(false);
                }

                break;
            case NotificationKind.Rich:
            case NotificationKind.Basic:
                lock (_gate)
                {
                    _pendingReads.Add(work.UserId!);
                }

                _wake.Set();
                break;
            default:
                OnLifecycle(work);
                break;
        }
    }

    private async Task ConsumeAsync(ChannelWriter<TeamsPresenceUpdate> updates, CancellationToken cancellationToken)
    {
        await foreach (var work in _inbox.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            try
            {
                await HandleAsync(work, updates, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException && ex is not ChannelClosedException)
            {
                Log.FeedFailed(_logger, TimeSpan.Zero, ex);
            }
            finally
            {
                _metrics.HandledNotification();
            }
        }
    }

    private void OnLifecycle(NotificationWork work)
    {
        Log.LifecycleEvent(_logger, work.LifecycleEvent ?? string.Empty, work.SubscriptionId);
        lock (_gate)
        {
            var slot = _slots.FirstOrDefault(s => string.Equals(s.Id, work.SubscriptionId, StringComparison.OrdinalIgnoreCase));
            if (slot is null)
            {
                return;
            }

            switch (work.LifecycleEvent)
            {
                case "reauthorizationRequired":
                    slot.Reauthorize = true;
                    break;
                case "subscriptionRemoved":
                    Gone(slot);
                    break;
                case "missed":
                    _pendingReads.UnionWith(slot.Users);
                    break;
                default:
                    _metrics.Reject("lifecycle");
                    Log.NotificationRejected(_logger, "unknown lifecycle event");
                    return;
            }
        }

        _wake.Set();
    }

    /// <summary>The subscription is gone: forget it, create it again, read its users. Call under the lock.</summary>
    private void Gone(Slot slot)
    {
        if (slot.Id is { } id)
        {
            _registry.Remove(id);
            Log.SubscriptionGone(_logger, id);
        }

        slot.Id = null;
        slot.Dirty = true;
        slot.Reauthorize = false;
        slot.RetryAt = default;
        _pendingReads.UnionWith(slot.Users);
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

    private async Task ManageSubscriptionsAsync(CancellationToken cancellationToken)
    {
        List<Slot> slots;
        lock (_gate)
        {
            slots = [.. _slots];
        }

        foreach (var slot in slots)
        {
            var now = _time.GetUtcNow();
            string? id;
            bool dirty, reauthorize, empty;
            DateTimeOffset retryAt, expiresAt;
            lock (_gate)
            {
                (id, dirty, reauthorize, empty, retryAt, expiresAt) = (slot.Id, slot.Dirty || slot.Id is null, slot.Reauthorize, slot.Users.Count == 0, slot.RetryAt, slot.ExpiresAt);
            }

            if (now < retryAt)
            {
                continue;
            }

            if (empty)
            {
                lock (_gate)
                {
                    _slots.Remove(slot);
                }

                if (id is not null)
                {
                    _registry.Remove(id);
                    await DeleteQuietlyAsync(id, cancellationToken).ConfigureAwait(false);
                }
            }
            else if (dirty)
            {
                await CreateAsync(slot, cancellationToken).ConfigureAwait(false);
            }
            else if (reauthorize)
            {
                await ReauthorizeAsync(slot, id!, cancellationToken).ConfigureAwait(false);
            }
            else if (now >= expiresAt - _options.SubscriptionRenewalMargin)
            {
                await RenewAsync(slot, id!, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task CreateAsync(Slot slot, CancellationToken cancellationToken)
    {
        string[] users;
        string? old;
        lock (_gate)
        {
            users = [.. slot.Users];
            old = slot.Id;
            slot.Dirty = false;
        }

        var requested = _time.GetUtcNow() + _options.SubscriptionLifetime;
        var subscription = new Subscription
        {
            ChangeType = "updated",
            NotificationUrl = _options.NotificationUrl!.ToString(),
            LifecycleNotificationUrl = (_options.LifecycleNotificationUrl ?? _options.NotificationUrl).ToString(),
            Resource = "/communications/presences?$filter=id in (" + string.Join(',', users.Select(u => "'" + u + "'")) + ")",
            ExpirationDateTime = requested,
            ClientState = _registry.ClientState,
        };
        if (_decryptor.Enabled)
        {
            subscription.IncludeResourceData = true;
            subscription.EncryptionCertificate = _decryptor.PublicCertificate;
            subscription.EncryptionCertificateId = _decryptor.CertificateId;
        }

        Subscription? created;
        try
        {
            created = await _graph.SubscriptionClient.Subscriptions.PostAsync(subscription, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var retryAt = _time.GetUtcNow() + s_retryDelay;
            lock (_gate)
            {
                slot.Dirty = true;
                slot.RetryAt = retryAt;
            }

            Log.SubscriptionFailed(_logger, "create", retryAt, ex);
            return;
        }

        if (created?.Id is not { } id)
        {
            lock (_gate)
            {
                slot.Dirty = true;
                slot.RetryAt = _time.GetUtcNow() + s_retryDelay;
            }

            return;
        }

        _registry.Add(id);
        lock (_gate)
        {
            slot.Id = id;
            slot.ExpiresAt = created.ExpirationDateTime ?? requested;
            slot.RetryAt = default;
            slot.Reauthorize = false;
        }

        Log.SubscriptionCreated(_logger, id, users.Length, created.ExpirationDateTime ?? requested);
        if (old is not null)
        {
            _registry.Remove(old);
            await DeleteQuietlyAsync(old, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task RenewAsync(Slot slot, string id, CancellationToken cancellationToken)
    {
        var requested = _time.GetUtcNow() + _options.SubscriptionLifetime;
        try
        {
            var renewed = await _graph.SubscriptionClient.Subscriptions[id].PatchAsync(new Subscription { ExpirationDateTime = requested }, cancellationToken: cancellationToken).ConfigureAwait(false);
            lock (_gate)
            {
                slot.ExpiresAt = renewed?.ExpirationDateTime ?? requested;
            }

            Log.SubscriptionRenewed(_logger, id, renewed?.ExpirationDateTime ?? requested);
        }
        catch (ApiException ex) when (ex.ResponseStatusCode == 404)
        {
            lock (_gate)
            {
                Gone(slot);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var retryAt = _time.GetUtcNow() + s_retryDelay;
            lock (_gate)
            {
                slot.RetryAt = retryAt;
            }

            Log.SubscriptionFailed(_logger, "renew", retryAt, ex);
        }
    }

    private async Task ReauthorizeAsync(Slot slot, string id, CancellationToken cancellationToken)
    {
        try
        {
            await _graph.SubscriptionClient.Subscriptions[id].Reauthorize.PostAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            lock (_gate)
            {
                slot.Reauthorize = false;
            }

            Log.SubscriptionReauthorized(_logger, id);
        }
        catch (ApiException ex) when (ex.ResponseStatusCode == 404)
        {
            lock (_gate)
            {
                Gone(slot);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var retryAt = _time.GetUtcNow() + s_retryDelay;
            lock (_gate)
            {
                slot.RetryAt = retryAt;
            }

            Log.SubscriptionFailed(_logger, "reauthorize", retryAt, ex);
        }
    }

    private async Task DeleteQuietlyAsync(string id, CancellationToken cancellationToken)
    {
        try
        {
            await _graph.SubscriptionClient.Subscriptions[id].DeleteAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (ApiException ex) when (ex.ResponseStatusCode == 404)
        {
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Log.SubscriptionFailed(_logger, "delete", _time.GetUtcNow(), ex);
        }
    }

    /// <summary>Deletes subscriptions to this notification URL that a previous run left behind.</summary>
    private async Task DeleteLeftoversAsync(CancellationToken cancellationToken)
    {
        List<Subscription> existing;
        try
        {
            existing = (await _graph.SubscriptionClient.Subscriptions.GetAsync(cancellationToken: cancellationToken).ConfigureAwait(false))?.Value ?? [];
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Log.SubscriptionFailed(_logger, "list", _time.GetUtcNow(), ex);
            return;
        }

        var url = _options.NotificationUrl!.ToString();
        foreach (var subscription in existing)
        {
            if (subscription.Id is { } id && !_registry.Contains(id) && string.Equals(subscription.NotificationUrl, url, StringComparison.OrdinalIgnoreCase)
                && subscription.Resource?.Contains("presences", StringComparison.OrdinalIgnoreCase) == true)
            {
                await DeleteQuietlyAsync(id, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private sealed class Slot
    {
        public string? Id { get; set; }

        public HashSet<string> Users { get; } = new(StringComparer.OrdinalIgnoreCase);

        public DateTimeOffset ExpiresAt { get; set; }

        public DateTimeOffset RetryAt { get; set; }

        public bool Dirty { get; set; } = true;

        public bool Reauthorize { get; set; }

        public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Id ?? "(new)"}: {Users.Count} users until {ExpiresAt:O}");
    }
}
