using System.Text.Json;
using Webex.TeamsConnector.ContactCenter;

namespace Webex.TeamsConnector.Orleans;

/// <summary>
/// The admin's record in the org grain's storage: read once when the grain activates (handed in), written through the
/// grain (a call, so that the grain's single-threaded turn stores it).
/// </summary>
internal sealed class GrainConnectorStateStore(IOrgConnectorGrain grain, string? initialJson) : IConnectorStateStore
{
    private ConnectorStateRecord? _record = initialJson is null ? null : JsonSerializer.Deserialize(initialJson, ConnectorStateJsonContext.Default.ConnectorStateRecord);

    public ValueTask<ConnectorStateRecord?> LoadAsync(CancellationToken cancellationToken) => ValueTask.FromResult(Volatile.Read(ref _record));

    public async ValueTask SaveAsync(ConnectorStateRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        await grain.SaveRecordAsync(JsonSerializer.Serialize(record, ConnectorStateJsonContext.Default.ConnectorStateRecord)).WaitAsync(cancellationToken).ConfigureAwait(false);
        Volatile.Write(ref _record, record);
    }
}

/// <summary>The rotated WxCC refresh token in the org grain's storage, so that the next owner uses the newest one.</summary>
internal sealed class GrainRefreshTokenStore(IOrgConnectorGrain grain, string? initial) : IRefreshTokenStore
{
    private volatile string? _token = initial;

    public ValueTask<string?> GetAsync(CancellationToken cancellationToken) => ValueTask.FromResult(_token);

    public async ValueTask SaveAsync(string refreshToken, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(refreshToken);
        await grain.SaveRefreshTokenAsync(refreshToken).WaitAsync(cancellationToken).ConfigureAwait(false);
        _token = refreshToken;
    }
}
