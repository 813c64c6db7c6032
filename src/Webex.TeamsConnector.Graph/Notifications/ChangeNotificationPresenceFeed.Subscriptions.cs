using Microsoft.Graph.Models;
using Microsoft.Kiota.Abstractions;

namespace Webex.TeamsConnector.Graph;

/// <summary>Subscription upkeep on the maintenance loop: create, renew, reauthorize, delete, and clear what a previous run left.</summary>
internal sealed partial class ChangeNotificationPresenceFeed
{
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
            DateTimeOffset retryAt;
            lock (_gate)
            {
                slot.Dirty = true;
                retryAt = Failed(slot);
            }

            Log.SubscriptionFailed(_logger, "create", retryAt, ex);
            return;
        }

        if (created?.Id is not { } id)
        {
            lock (_gate)
            {
                slot.Dirty = true;
                Failed(slot);
            }

            return;
        }

        _registry.Add(id);
        lock (_gate)
        {
            slot.Id = id;
            slot.ExpiresAt = created.ExpirationDateTime ?? requested;
            slot.RetryAt = default;
            slot.Failures = 0;
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
                slot.Failures = 0;
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
            DateTimeOffset retryAt;
            lock (_gate)
            {
                retryAt = Failed(slot);
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
                slot.Failures = 0;
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
            DateTimeOffset retryAt;
            lock (_gate)
            {
                retryAt = Failed(slot);
            }

            Log.SubscriptionFailed(_logger, "reauthorize", retryAt, ex);
        }
    }

    /// <summary>
    /// Counts a failed create, renew or reauthorize of <paramref name="slot"/> and sets when to try again: after 1 s, doubled
    /// for each failure in a row, at most 30 s. A notification URL that is not answering yet (the web host still starting,
    /// a load balancer without a ready node) is retried within seconds, and a lasting failure costs one request in 30 s.
    /// Call under the gate.
    /// </summary>
    private DateTimeOffset Failed(Slot slot)
    {
        slot.Failures++;
        slot.RetryAt = _time.GetUtcNow() + Backoff.Doubling(s_firstRetryDelay, slot.Failures, s_maxRetryDelay);
        return slot.RetryAt;
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

    /// <summary>
    /// Deletes subscriptions to this notification URL that a previous run left behind; in a cluster only those the org's
    /// earlier owner held (never one a live owner holds).
    /// </summary>
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
            if (subscription.Id is { } id && _registry.MayDeleteLeftover(id) && string.Equals(subscription.NotificationUrl, url, StringComparison.OrdinalIgnoreCase)
                && subscription.Resource?.Contains("presences", StringComparison.OrdinalIgnoreCase) == true)
            {
                await DeleteQuietlyAsync(id, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
