using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Webex.TeamsConnector.TestFixtures;

/// <summary>
/// A real Redis server for tests. Uses the server that CI started (<c>TEAMSCONNECTOR_TEST_REDIS=host:port</c>) when
/// the variable is set; otherwise starts Debian's <c>redis-server</c> on a free loopback port, with no persistence,
/// and stops it on dispose. Never skips: when no server can be had it throws with what to install.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    /// <summary>The variable CI sets to the server it started.</summary>
    public const string EnvironmentVariable = "TEAMSCONNECTOR_TEST_REDIS";

    private readonly Process? _process;

    private RedisServer(string endpoint, Process? process)
    {
        Endpoint = endpoint;
        _process = process;
    }

    /// <summary><c>host:port</c> of the server.</summary>
    public string Endpoint { get; }

    /// <summary>Whether this fixture started the server (and stops it).</summary>
    public bool Owned => _process is not null;

    /// <summary>Connects to CI's server, or starts one.</summary>
    /// <returns>The server.</returns>
    public static async Task<RedisServer> StartAsync()
    {
        var configured = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            await WaitForPortAsync(configured, TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            return new RedisServer(configured, null);
        }

        var executable = FindExecutable("redis-server") ?? throw new InvalidOperationException(
            $"No Redis for this test: set {EnvironmentVariable}=host:port, or install Debian's redis-server (apt-get install -y redis-server). Redis tests are never skipped.");
        var port = FreePort();
        var start = new ProcessStartInfo(executable)
        {
            ArgumentList = { "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "yes" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start.");
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data?.Contains("Ready to accept connections", StringComparison.Ordinal) == true)
            {
                ready.TrySetResult();
            }
        };
        process.ErrorDataReceived += (_, _) => { };
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException($"redis-server exited with code {process.ExitCode} before it was ready."));
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var endpoint = "127.0.0.1:" + port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        try
        {
            // An event, not a poll: redis-server prints this line once it listens.
            await ready.Task.WaitAsync(TimeSpan.FromSeconds(20)).ConfigureAwait(false);
        }
        catch
        {
            process.Kill(entireProcessTree: true);
            process.Dispose();
            throw;
        }

        return new RedisServer(endpoint, process);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_process is null)
        {
            return;
        }

        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            _process.Dispose();
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string? FindExecutable(string name)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/usr/sbin").Split(Path.PathSeparator).Append("/usr/sbin").Append("/usr/bin"))
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>Waits until the server accepts connections (an event: the connect succeeding), up to a limit.</summary>
    private static async Task WaitForPortAsync(string endpoint, TimeSpan limit)
    {
        var colon = endpoint.LastIndexOf(':');
        var host = endpoint[..colon];
        var port = int.Parse(endpoint[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        using var deadline = new CancellationTokenSource(limit);
        Exception? last = null;
        while (!deadline.IsCancellationRequested)
        {
            using var client = new TcpClient();
            try
            {
                await client.ConnectAsync(host, port, deadline.Token).ConfigureAwait(false);
                return;
            }
            catch (SocketException ex)
            {
                // CI starts the server before the tests and waits for it; a refusal here is retried until the limit.
                last = ex;
                await Task.Delay(TimeSpan.FromMilliseconds(100), deadline.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        throw new InvalidOperationException($"Redis at {endpoint} did not accept connections within {limit.TotalSeconds:0} s.", last);
    }
}
