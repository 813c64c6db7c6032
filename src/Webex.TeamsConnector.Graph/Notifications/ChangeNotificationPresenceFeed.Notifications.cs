using System.Threading.Channels;

namespace Webex.TeamsConnector.Graph;

/// <summary>The inbox consumer: rich notifications emitted, basic ones marked for a read, lifecycle events applied to the slots.</summary>
internal sealed partial class ChangeNotificationPresenceFeed
{
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
}
