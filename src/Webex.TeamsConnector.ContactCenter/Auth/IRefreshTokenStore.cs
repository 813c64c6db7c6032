namespace Webex.TeamsConnector.ContactCenter;

/// <summary>
/// Keeps the OAuth refresh token across token refreshes (Webex may rotate it) and, with a durable implementation,
/// across restarts. Register your own before or after <c>AddWebexContactCenter()</c> to replace the in-memory default.
/// </summary>
public interface IRefreshTokenStore
{
    /// <summary>The stored refresh token, or <see langword="null"/> when none was stored yet (the configured one is used).</summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The refresh token.</returns>
    ValueTask<string?> GetAsync(CancellationToken cancellationToken);

    /// <summary>Stores a new refresh token issued by the token endpoint.</summary>
    /// <param name="refreshToken">The new refresh token (a secret: never log it).</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when stored.</returns>
    ValueTask SaveAsync(string refreshToken, CancellationToken cancellationToken);
}

/// <summary>The default store: keeps the rotated refresh token in memory for the life of the process.</summary>
internal sealed class InMemoryRefreshTokenStore : IRefreshTokenStore
{
    private volatile string? _token;

    public ValueTask<string?> GetAsync(CancellationToken cancellationToken) => ValueTask.FromResult(_token);

    public ValueTask SaveAsync(string refreshToken, CancellationToken cancellationToken)
    {
        _token = refreshToken;
        return ValueTask.CompletedTask;
    }
}
