using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Channels;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Webex.TeamsConnector.Testing;

namespace Webex.TeamsConnector.Graph.Tests;

/// <summary>
/// The Graph adapter wired through <c>AddTeamsConnector().AddGraphPresence()</c> against a <see cref="GraphEmulator"/>
/// over real HTTP, on a <see cref="ManualClock"/>, with fake logging; optionally a webhook that serves the
/// notification processor. Collects the feed's updates.
/// </summary>
internal sealed class GraphTestHost : IAsyncDisposable
{
    public const string AppId = "11111111-2222-4333-8444-555555555555";
    public const string Secret = "s3cr3t-client-secret-value-never-logged";

    private readonly Lock _gate = new();
    private readonly List<TeamsPresenceUpdate> _received = [];
    private readonly Channel<TeamsPresenceUpdate> _updates = Channel.CreateUnbounded<TeamsPresenceUpdate>();
    private readonly CancellationTokenSource _stop = new();
    private TaskCompletionSource _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _activity = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _feed;
    private Task? _pump;

    private GraphTestHost(ManualClock clock, GraphEmulator emulator, WebhookReceiver? webhook, ServiceProvider services)
    {
        Clock = clock;
        Emulator = emulator;
        Webhook = webhook;
        Services = services;
        clock.TimerScheduled += Poke;
        Metrics.Recorded += _ => Poke();
        if (services.GetRequiredService<ITeamsPresenceFeed>() is ChangeNotificationPresenceFeed feed)
        {
            feed.Maintained += Poke;
        }
    }

    public ManualClock Clock { get; }

    public GraphEmulator Emulator { get; }

    public WebhookReceiver? Webhook { get; }

    public ServiceProvider Services { get; }

    public FakeLogCollector Logs => Services.GetFakeLogCollector();

    public ITeamsPresenceFeed Feed => Services.GetRequiredService<ITeamsPresenceFeed>();

    public IReadOnlyList<TeamsPresenceUpdate> Received
    {
        get
        {
            lock (_gate)
            {
                return [.. _received];
            }
        }
    }

    internal GraphMetrics Metrics => Services.GetRequiredService<GraphMetrics>();

    public static async Task<GraphTestHost> StartAsync(
        Action<GraphOptions>? configure = null,
        IDictionary<string, string?>? settings = null,
        bool changeNotifications = false,
        Action<GraphEmulatorOptions>? emulator = null,
        Action<IServiceCollection>? services = null)
    {
        var clock = new ManualClock();
        var emulatorOptions = new GraphEmulatorOptions { TimeProvider = clock };
        emulator?.Invoke(emulatorOptions);
        var graph = await GraphEmulator.StartAsync(emulatorOptions);
        ServiceProvider? provider = null;
        var webhook = changeNotifications ? await WebhookReceiver.StartAsync(() => provider!.GetRequiredService<IGraphNotificationProcessor>()) : null;

        var values = new Dictionary<string, string?>
        {
            ["TeamsConnector:Graph:BaseUrl"] = graph.BaseUrl.ToString(),
            ["TeamsConnector:Graph:TenantId"] = graph.TenantId,
            ["TeamsConnector:Graph:ClientId"] = AppId,
            ["TeamsConnector:Graph:ClientSecret"] = Secret,
        };
        if (webhook is not null)
        {
            values["TeamsConnector:Graph:PresenceSource"] = "ChangeNotifications";
            values["TeamsConnector:Graph:NotificationUrl"] = webhook.Url.ToString();
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var collection = new ServiceCollection();
        collection.AddSingleton<TimeProvider>(clock);
        collection.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace));
        collection.AddFakeLogging();
        collection.AddTeamsConnector(configuration.GetSection("TeamsConnector")).AddGraphPresence(configure ?? (_ => { }));
        services?.Invoke(collection);
        provider = collection.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        return new GraphTestHost(clock, graph, webhook, provider);
    }

    /// <summary>A self-signed RSA certificate with its private key, for rich notifications.</summary>
    public static X509Certificate2 CreateCertificate()
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=teams-connector-tests", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pfx), null);
    }

    /// <summary>Starts the feed writing into <see cref="Received"/>.</summary>
    public void StartFeed()
    {
        _feed = Feed.RunAsync(_updates.Writer, _stop.Token);
        _pump = Task.Run(async () =>
        {
            await foreach (var update in _updates.Reader.ReadAllAsync())
            {
                TaskCompletionSource arrived;
                lock (_gate)
                {
                    _received.Add(update);
                    arrived = _arrived;
                    _arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                }

                arrived.TrySetResult();
                Poke();
            }
        });
    }

    /// <summary>Drives fake time until the condition on the received updates holds.</summary>
    public async Task RunUntilAsync(Func<IReadOnlyList<TeamsPresenceUpdate>, bool> condition, TimeSpan? maxFakeTime = null)
    {
        while (true)
        {
            Task arrived;
            lock (_gate)
            {
                arrived = _arrived.Task;
            }

            try
            {
                await Clock.RunUntilAsync(() => condition(Received) || arrived.IsCompleted || _feed is { IsCompleted: true }, maxFakeTime ?? TimeSpan.FromMinutes(5), arrived);
            }
            catch (TimeoutException) when (condition(Received))
            {
            }

            if (_feed is { IsFaulted: true })
            {
                await _feed;
            }

            if (condition(Received))
            {
                return;
            }
        }
    }

    /// <summary>
    /// Waits, without moving fake time, until <paramref name="condition"/> holds; re-checks it whenever something
    /// happens (an update, a rejection, a maintenance pass of the feed, a timer scheduled). Fails after 15 s of
    /// wall-clock time without progress.
    /// </summary>
    public async Task EventuallyAsync(Func<bool> condition, string what)
    {
        while (true)
        {
            Task activity;
            lock (_gate)
            {
                activity = _activity.Task;
            }

            if (condition())
            {
                return;
            }

            try
            {
                await activity.WaitAsync(TimeSpan.FromSeconds(15));
            }
            catch (TimeoutException)
            {
                if (condition())
                {
                    return;
                }

                throw new TimeoutException("Timed out waiting for: " + what);
            }
        }
    }

    /// <summary>Signals that something happened (see <see cref="EventuallyAsync"/>).</summary>
    public void Poke()
    {
        TaskCompletionSource activity;
        lock (_gate)
        {
            activity = _activity;
            _activity = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        activity.TrySetResult();
    }

    /// <summary>The updates received for one user.</summary>
    public List<TeamsPresenceUpdate> For(string userId) => [.. Received.Where(u => string.Equals(u.TeamsUserId, userId, StringComparison.OrdinalIgnoreCase))];

    /// <summary>Every log line written so far, formatted, with exceptions.</summary>
    public string AllLogText() => string.Join('\n', Logs.GetSnapshot().Select(r => r.Level + " " + r.Message + " " + r.Exception));

    public async ValueTask DisposeAsync()
    {
        // Every test that uses the host also checks that no secret reached the logs.
        var logs = AllLogText();
        var clientState = Services.GetRequiredService<SubscriptionRegistry>().ClientState;
        logs.Should().NotContain(Secret).And.NotContain(clientState);

        await _stop.CancelAsync();
        if (_feed is not null)
        {
            await _feed.WaitAsync(TimeSpan.FromSeconds(20));
        }

        _updates.Writer.TryComplete();
        if (_pump is not null)
        {
            await _pump.WaitAsync(TimeSpan.FromSeconds(20));
        }

        await Services.DisposeAsync();
        if (Webhook is not null)
        {
            await Webhook.DisposeAsync();
        }

        await Emulator.DisposeAsync();
        _stop.Dispose();
    }
}
