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

    public void Add(string subscriptionId) => _ids[subscriptionId] = 0;

    public void Remove(string subscriptionId) => _ids.TryRemove(subscriptionId, out _);

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
