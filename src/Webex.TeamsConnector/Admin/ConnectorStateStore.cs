using System.Text.Json;
using System.Text.Json.Serialization;

namespace Webex.TeamsConnector;

/// <summary>What the connector keeps across restarts: its lifecycle status and desktop-profile settings.</summary>
public sealed record ConnectorStateRecord
{
    /// <summary>The lifecycle state.</summary>
    public ConnectorState State { get; init; }

    /// <summary>The organization's presence-sync setting as last read or set.</summary>
    public bool PresenceSyncEnabled { get; init; }

    /// <summary>The Entra ID tenant that granted admin consent, when authorized through the admin API.</summary>
    public string? TenantId { get; init; }

    /// <summary>When the connector was last authorized.</summary>
    public DateTimeOffset? AuthorizedAt { get; init; }

    /// <summary>Desktop profiles whose collaboration toggles were changed through the admin API, by profile id.</summary>
    public IReadOnlyDictionary<string, DesktopProfile> DesktopProfiles { get; init; } = new Dictionary<string, DesktopProfile>(StringComparer.Ordinal);

    /// <summary>
    /// The idle-code mapping set through the admin API (Teams state name, such as <c>InACall</c>, to idle code id), which
    /// replaces <c>StateSync:IdleCodes</c>; <see langword="null"/> while the configured mapping applies.
    /// </summary>
    public IReadOnlyDictionary<string, string>? IdleCodes { get; init; }

    /// <summary>Agents paused through the admin API (WxCC agent ids): the connector leaves them alone until resumed.</summary>
    public IReadOnlyList<string> PausedAgents { get; init; } = [];

    /// <summary>The status part of the record.</summary>
    [JsonIgnore]
    public ConnectorStatus Status => new(State, PresenceSyncEnabled);
}

/// <summary>Keeps the <see cref="ConnectorStateRecord"/>. Implement it to keep the state in your own storage.</summary>
public interface IConnectorStateStore
{
    /// <summary>Reads the record; <see langword="null"/> when nothing was stored yet.</summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The record, or <see langword="null"/>.</returns>
    ValueTask<ConnectorStateRecord?> LoadAsync(CancellationToken cancellationToken);

    /// <summary>Stores the record.</summary>
    /// <param name="record">The record.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when it is stored.</returns>
    ValueTask SaveAsync(ConnectorStateRecord record, CancellationToken cancellationToken);
}

/// <summary>Keeps the connector's state in memory (the default; lost on restart).</summary>
public sealed class InMemoryConnectorStateStore : IConnectorStateStore
{
    private ConnectorStateRecord? _record;

    /// <inheritdoc />
    public ValueTask<ConnectorStateRecord?> LoadAsync(CancellationToken cancellationToken) => ValueTask.FromResult(Volatile.Read(ref _record));

    /// <inheritdoc />
    public ValueTask SaveAsync(ConnectorStateRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        Volatile.Write(ref _record, record);
        return ValueTask.CompletedTask;
    }
}

/// <summary>Keeps the connector's state in a JSON file, replaced atomically on every save.</summary>
public sealed class JsonFileConnectorStateStore : IConnectorStateStore, IDisposable
{
    private readonly string _path;
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>Creates a store on a file.</summary>
    /// <param name="path">The file path; its directory is created when needed.</param>
    public JsonFileConnectorStateStore(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        _path = Path.GetFullPath(path);
    }

    /// <summary>Releases the store's lock.</summary>
    public void Dispose() => _gate.Dispose();

    /// <inheritdoc />
    public async ValueTask<ConnectorStateRecord?> LoadAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(_path))
        {
            return null;
        }

        var stream = File.OpenRead(_path);
        await using (stream.ConfigureAwait(false))
        {
            try
            {
                return await JsonSerializer.DeserializeAsync(stream, ConnectorStateJsonContext.Default.ConnectorStateRecord, cancellationToken).ConfigureAwait(false);
            }
            catch (JsonException ex)
            {
                throw new InvalidDataException($"The connector state file {_path} is not valid: {ex.Message}", ex);
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask SaveAsync(ConnectorStateRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
            var temp = _path + ".tmp";
            var stream = File.Create(temp);
            await using (stream.ConfigureAwait(false))
            {
                await JsonSerializer.SerializeAsync(stream, record, ConnectorStateJsonContext.Default.ConnectorStateRecord, cancellationToken).ConfigureAwait(false);
            }

            File.Move(temp, _path, overwrite: true);
        }
        finally
        {
            _gate.Release();
        }
    }
}

[JsonSourceGenerationOptions(WriteIndented = true, UseStringEnumConverter = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(ConnectorStateRecord))]
internal sealed partial class ConnectorStateJsonContext : JsonSerializerContext;
