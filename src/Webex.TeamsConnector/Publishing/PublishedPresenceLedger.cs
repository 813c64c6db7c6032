using System.Collections.Concurrent;

namespace Webex.TeamsConnector;

/// <summary>
/// The Teams users whose presence the connector has published and not cleared yet (in this process), so that delete
/// can clear every one of them with the publisher port after the feeds have stopped.
/// </summary>
internal sealed class PublishedPresenceLedger
{
    private readonly ConcurrentDictionary<string, byte> _users = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The users with a published presence now.</summary>
    public IReadOnlyCollection<string> Users => [.. _users.Keys];

    public void Published(string teamsUserId) => _users[teamsUserId] = 0;

    public void Cleared(string teamsUserId) => _users.TryRemove(teamsUserId, out _);
}

/// <summary>Records in the <see cref="PublishedPresenceLedger"/> what the wrapped publisher published and cleared.</summary>
/// <param name="inner">The adapter's publisher.</param>
/// <param name="ledger">The ledger.</param>
internal sealed class LedgerPresencePublisher(ITeamsPresencePublisher inner, PublishedPresenceLedger ledger) : ITeamsPresencePublisher
{
    public async Task PublishAsync(string teamsUserId, PublishedPresence presence, TimeSpan expiration, CancellationToken cancellationToken)
    {
        // Recorded first: a publish that fails after Graph took it must still be cleared at delete.
        ledger.Published(teamsUserId);
        await inner.PublishAsync(teamsUserId, presence, expiration, cancellationToken).ConfigureAwait(false);
    }

    public async Task ClearAsync(string teamsUserId, CancellationToken cancellationToken)
    {
        await inner.ClearAsync(teamsUserId, cancellationToken).ConfigureAwait(false);
        ledger.Cleared(teamsUserId);
    }
}
