using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Webex.TeamsConnector.ContactCenter;

/// <summary>
/// Keeps the rotated refresh token in a file, so that a restarted connector keeps working after WxCC rotated it.
/// The file is replaced atomically and, on Unix, readable by its owner only. It also records a hash of the configured
/// refresh token: when an administrator configures a new one, the stored token is ignored and the new one is used.
/// Selected with <c>TeamsConnector:ContactCenter:RefreshTokenFilePath</c>, or register it yourself.
/// </summary>
public sealed class FileRefreshTokenStore : IRefreshTokenStore, IDisposable
{
    private readonly string _path;
    private readonly string _configuredHash;
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>Creates a store on a file.</summary>
    /// <param name="path">The file; its directory is created when needed.</param>
    /// <param name="configuredRefreshToken">The refresh token in the configuration, if any.</param>
    public FileRefreshTokenStore(string path, string? configuredRefreshToken = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        _path = Path.GetFullPath(path);
        _configuredHash = Hash(configuredRefreshToken);
    }

    /// <inheritdoc />
    public async ValueTask<string?> GetAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(_path))
        {
            return null;
        }

        try
        {
            var bytes = await File.ReadAllBytesAsync(_path, cancellationToken).ConfigureAwait(false);
            using var document = JsonDocument.Parse(bytes);
            var root = document.RootElement;
            var configured = root.TryGetProperty("configured", out var c) ? c.GetString() : null;
            var token = root.TryGetProperty("refreshToken", out var t) ? t.GetString() : null;
            return string.Equals(configured, _configuredHash, StringComparison.Ordinal) && !string.IsNullOrEmpty(token) ? token : null;
        }
        catch (JsonException)
        {
            // A damaged file is not a secret to report: fall back on the configured token.
            return null;
        }
    }

    /// <inheritdoc />
    public async ValueTask SaveAsync(string refreshToken, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(refreshToken);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
            var temp = _path + ".tmp";
            var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            var stream = new FileStream(temp, options);
            await using (stream.ConfigureAwait(false))
            {
                using var writer = new Utf8JsonWriter(stream);
                writer.WriteStartObject();
                writer.WriteString("configured", _configuredHash);
                writer.WriteString("refreshToken", refreshToken);
                writer.WriteEndObject();
                await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
            }

            File.Move(temp, _path, overwrite: true);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Releases the store's lock.</summary>
    public void Dispose() => _gate.Dispose();

    private static string Hash(string? value) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value ?? string.Empty)));
}
