using System.Collections.Concurrent;

namespace Webex.TeamsConnector;

/// <summary>Which step of authorization a pending <c>state</c> value belongs to.</summary>
internal enum AdminSignInStep
{
    /// <summary>The OpenID Connect sign-in (authorization code + PKCE) is under way.</summary>
    SignIn = 0,

    /// <summary>The admin signed in with an allowed role and was sent to admin consent.</summary>
    Consent,
}

/// <summary>What the connector keeps about one pending <c>state</c> value, until it is used once or expires.</summary>
/// <param name="Step">The step the state belongs to.</param>
/// <param name="ExpiresAt">When it stops being usable.</param>
internal sealed record PendingAdminSignIn(AdminSignInStep Step, DateTimeOffset ExpiresAt)
{
    /// <summary>The PKCE code verifier (sign-in step).</summary>
    public string? CodeVerifier { get; init; }

    /// <summary>The nonce the ID token must carry (sign-in step).</summary>
    public string? Nonce { get; init; }

    /// <summary>The signed-in admin's role (consent step).</summary>
    public AzureAdminRole Role { get; init; }

    /// <summary>The signed-in admin's tenant (consent step): consent must come from the same tenant.</summary>
    public string? TenantId { get; init; }
}

/// <summary>
/// The pending <c>state</c> values of the admin sign-in and consent: each usable once (taking it removes it), each with
/// an expiry, the number bounded. The default keeps them in memory; a cluster backs it with shared storage so that the
/// callback may reach any node.
/// </summary>
internal interface IAdminSignInStore
{
    /// <summary>Adds a pending state; refused when the store is full of unexpired states.</summary>
    /// <param name="state">The state value (random, 256 bits).</param>
    /// <param name="pending">What belongs to it.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Whether it was added.</returns>
    ValueTask<bool> TryAddAsync(string state, PendingAdminSignIn pending, CancellationToken cancellationToken);

    /// <summary>Removes and returns a pending state (so that it is never usable twice); expired ones are returned too.</summary>
    /// <param name="state">The state value.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>What belongs to it, or <see langword="null"/> when it is unknown or was used already.</returns>
    ValueTask<PendingAdminSignIn?> TryTakeAsync(string state, CancellationToken cancellationToken);

    /// <summary>Whether a state is kept (without taking it): used only to route a callback to the org that issued it.</summary>
    /// <param name="state">The state value.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Whether it is kept.</returns>
    ValueTask<bool> ContainsAsync(string state, CancellationToken cancellationToken);
}

/// <summary>The in-memory <see cref="IAdminSignInStore"/>: bounded, expired states dropped when a new one is added.</summary>
/// <param name="time">The clock.</param>
/// <param name="capacity">The most unexpired states kept.</param>
internal sealed class InMemoryAdminSignInStore(TimeProvider time, int capacity) : IAdminSignInStore
{
    private readonly ConcurrentDictionary<string, PendingAdminSignIn> _pending = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <summary>How many states are kept now (expired ones included until the next add).</summary>
    public int Count => _pending.Count;

    public ValueTask<bool> TryAddAsync(string state, PendingAdminSignIn pending, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(state);
        ArgumentNullException.ThrowIfNull(pending);
        lock (_gate)
        {
            var now = time.GetUtcNow();
            foreach (var (key, value) in _pending)
            {
                if (value.ExpiresAt <= now)
                {
                    _pending.TryRemove(key, out _);
                }
            }

            return ValueTask.FromResult(_pending.Count < capacity && _pending.TryAdd(state, pending));
        }
    }

    public ValueTask<bool> ContainsAsync(string state, CancellationToken cancellationToken) =>
        ValueTask.FromResult(!string.IsNullOrEmpty(state) && _pending.ContainsKey(state));

    public ValueTask<PendingAdminSignIn?> TryTakeAsync(string state, CancellationToken cancellationToken) =>
        ValueTask.FromResult(string.IsNullOrEmpty(state) ? null : _pending.TryRemove(state, out var pending) ? pending : null);
}
