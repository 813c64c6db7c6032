using System.Security.Cryptography;
using System.Text;
using Orleans.Concurrency;

namespace Webex.TeamsConnector.Orleans;

/// <summary>
/// The pending admin sign-in and consent <c>state</c>s of one org, keyed by its WxCC org id, in grain storage: a sign-in
/// started on one silo completes on any other, and each state is taken at most once across the cluster (the grain's
/// single activation takes it, and the removal is stored before it is handed out).
/// </summary>
internal interface IAdminSignInStatesGrain : IGrainWithStringKey
{
    /// <summary>Adds a pending state (by its hash); refused when <paramref name="capacity"/> unexpired states are kept.</summary>
    Task<bool> TryAddAsync(string key, PendingSignInState pending, int capacity);

    /// <summary>Removes and returns a pending state (expired ones too: the caller refuses them).</summary>
    Task<PendingSignInState?> TryTakeAsync(string key);

    /// <summary>Whether a state is kept.</summary>
    [ReadOnly]
    Task<bool> ContainsAsync(string key);
}

/// <summary>One pending state as stored (see <c>PendingAdminSignIn</c>).</summary>
[GenerateSerializer]
[Alias("Webex.TeamsConnector.Orleans.PendingSignInState")]
internal sealed class PendingSignInState
{
    [Id(0)]
    public int Step { get; set; }

    [Id(1)]
    public DateTimeOffset ExpiresAt { get; set; }

    [Id(2)]
    public string? CodeVerifier { get; set; }

    [Id(3)]
    public string? Nonce { get; set; }

    [Id(4)]
    public int Role { get; set; }

    [Id(5)]
    public string? TenantId { get; set; }
}

/// <summary>What <see cref="AdminSignInStatesGrain"/> keeps in grain storage.</summary>
[GenerateSerializer]
[Alias("Webex.TeamsConnector.Orleans.AdminSignInStates")]
internal sealed class AdminSignInStates
{
    /// <summary>The pending states by the SHA-256 of their value (the values themselves are not stored).</summary>
    [Id(0)]
    public Dictionary<string, PendingSignInState> Pending { get; set; } = new(StringComparer.Ordinal);
}

internal sealed class AdminSignInStatesGrain(
    [PersistentState("admin-signin", TeamsConnectorClusterOptions.DefaultStorageName)] IPersistentState<AdminSignInStates> state,
    TimeProvider time) : Grain, IAdminSignInStatesGrain
{
    public async Task<bool> TryAddAsync(string key, PendingSignInState pending, int capacity)
    {
        var now = time.GetUtcNow();
        var kept = state.State.Pending;
        foreach (var expired in kept.Where(p => p.Value.ExpiresAt <= now).Select(static p => p.Key).ToList())
        {
            kept.Remove(expired);
        }

        if (kept.Count >= capacity || !kept.TryAdd(key, pending))
        {
            return false;
        }

        await state.WriteStateAsync().ConfigureAwait(true);
        return true;
    }

    public async Task<PendingSignInState?> TryTakeAsync(string key)
    {
        if (!state.State.Pending.Remove(key, out var pending))
        {
            return null;
        }

        // Stored before it is handed out: a later activation (after a failover) never hands it out again. If the write
        // fails, this activation has dropped it anyway and the caller gets the error.
        await state.WriteStateAsync().ConfigureAwait(true);
        return pending;
    }

    public Task<bool> ContainsAsync(string key) => Task.FromResult(state.State.Pending.ContainsKey(key));
}

/// <summary>The <see cref="IAdminSignInStore"/> of an org in a cluster: its <see cref="IAdminSignInStatesGrain"/>.</summary>
internal sealed class GrainAdminSignInStore(IGrainFactory grains, string orgId, int capacity) : IAdminSignInStore
{
    private IAdminSignInStatesGrain Grain => grains.GetGrain<IAdminSignInStatesGrain>(orgId);

    public async ValueTask<bool> TryAddAsync(string state, PendingAdminSignIn pending, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(state);
        ArgumentNullException.ThrowIfNull(pending);
        var stored = new PendingSignInState
        {
            Step = (int)pending.Step,
            ExpiresAt = pending.ExpiresAt,
            CodeVerifier = pending.CodeVerifier,
            Nonce = pending.Nonce,
            Role = (int)pending.Role,
            TenantId = pending.TenantId,
        };
        return await Grain.TryAddAsync(Key(state), stored, capacity).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<PendingAdminSignIn?> TryTakeAsync(string state, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(state) || state.Length > 256)
        {
            return null;
        }

        var stored = await Grain.TryTakeAsync(Key(state)).WaitAsync(cancellationToken).ConfigureAwait(false);
        return stored is null ? null : new PendingAdminSignIn((AdminSignInStep)stored.Step, stored.ExpiresAt)
        {
            CodeVerifier = stored.CodeVerifier,
            Nonce = stored.Nonce,
            Role = (AzureAdminRole)stored.Role,
            TenantId = stored.TenantId,
        };
    }

    public async ValueTask<bool> ContainsAsync(string state, CancellationToken cancellationToken) =>
        !string.IsNullOrEmpty(state) && state.Length <= 256
        && await Grain.ContainsAsync(Key(state)).WaitAsync(cancellationToken).ConfigureAwait(false);

    private static string Key(string state) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(state)));
}
