using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Webex.TeamsConnector.Graph;

/// <summary>The subscriptions the connector holds and the secret <c>clientState</c> they carry.</summary>
internal sealed class SubscriptionRegistry
{
    private readonly ConcurrentDictionary<string, byte> _ids = new(StringComparer.OrdinalIgnoreCase);
    private readonly byte[] _clientStateHash;

    public SubscriptionRegistry(IOptions<GraphOptions> options)
    {
        ClientState = options.Value.NotificationClientState ?? PresenceLimits.NewClientState();
        _clientStateHash = SHA256.HashData(Encoding.UTF8.GetBytes(ClientState));
    }

    public string ClientState { get; }

    public int Count => _ids.Count;

    /// <summary>
    /// Who else may hold subscriptions on the notification URL (a cluster: the org's earlier owners), told of every change
    /// of the ids held here; <see langword="null"/> in one process, where every leftover is this unit's own.
    /// </summary>
    public ISubscriptionOwnership? Ownership { get; set; }

    public void Add(string subscriptionId)
    {
        _ids[subscriptionId] = 0;
        Ownership?.Held([.. _ids.Keys]);
    }

    public void Remove(string subscriptionId)
    {
        if (_ids.TryRemove(subscriptionId, out _))
        {
            Ownership?.Held([.. _ids.Keys]);
        }
    }

    /// <summary>Whether a subscription on the notification URL that this unit does not hold may be deleted as a leftover.</summary>
    public bool MayDeleteLeftover(string subscriptionId) => !Contains(subscriptionId) && (Ownership?.MayDelete(subscriptionId) ?? true);

    public bool Contains(string? subscriptionId) => subscriptionId is not null && _ids.ContainsKey(subscriptionId);

    /// <summary>Compares a received clientState in constant time (hashes of both, so not even the length leaks).</summary>
    public bool ClientStateMatches(ReadOnlySpan<char> received)
    {
        var bytes = Encoding.UTF8.GetMaxByteCount(received.Length) <= 512 ? stackalloc byte[512] : new byte[Encoding.UTF8.GetMaxByteCount(received.Length)];
        var count = Encoding.UTF8.GetBytes(received, bytes);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(bytes[..count], hash);
        return CryptographicOperations.FixedTimeEquals(hash, _clientStateHash);
    }
}

/// <summary>
/// Subscriptions held across the nodes of a cluster: a node deletes only subscriptions that its org held before and that
/// no live owner holds now, and records the ones it holds (so that the next owner can replace them after a takeover).
/// </summary>
internal interface ISubscriptionOwnership
{
    /// <summary>The ids this unit holds now (after each change).</summary>
    void Held(IReadOnlyCollection<string> subscriptionIds);

    /// <summary>Whether a subscription this unit does not hold is a leftover of the org's own earlier owner.</summary>
    bool MayDelete(string subscriptionId);
}
