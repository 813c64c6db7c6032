using System.Threading.Channels;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Webex.TeamsConnector.Testing;

namespace Webex.TeamsConnector.ContactCenter.Tests;

/// <summary>An emulator and an adapter wired to it through configuration, on one fake clock.</summary>
internal sealed class Harness : IAsyncDisposable
{
    public const string WebhookSecret = "webhook-secret-0123456789-abcdefghijklmnop";
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    /// <summary>
    /// Opts the emulator into sending every agent's events on every websocket (WxCC's socket is per signed-in user),
    /// for tests that watch other agents' events arrive in real time in websocket mode.
    /// </summary>
    public static readonly Action<ContactCenterEmulatorOptions> OrganizationWideWebSocket = static e => e.WebSocketScope = ContactCenterWebSocketScope.Organization;

    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _running = [];

    private readonly bool _ownsEmulator;
    private readonly Channel<TimeSpan?> _progress = Channel.CreateUnbounded<TimeSpan?>();

    private Harness(ContactCenterEmulator wxcc, FakeTimeProvider time, ServiceProvider services, bool ownsEmulator)
    {
        _ownsEmulator = ownsEmulator;
        if (services.GetRequiredService<IOptions<ContactCenterOptions>>() is { } o && TryValid(o))
        {
            services.GetRequiredService<RequestBudget>().Throttled += w => _progress.Writer.TryWrite(w);
            services.GetRequiredService<AgentStateOutbox>().Waiting += w => _progress.Writer.TryWrite(w);
            services.GetRequiredService<AgentStateOutbox>().Settled += () => _progress.Writer.TryWrite(null);
        }

        Wxcc = wxcc;
        Time = time;
        Services = services;
    }

    private static bool TryValid(IOptions<ContactCenterOptions> options)
    {
        try
        {
            return options.Value is not null;
        }
        catch (OptionsValidationException)
        {
            return false;
        }
    }

    public ContactCenterEmulator Wxcc { get; }

    public FakeTimeProvider Time { get; }

    public ServiceProvider Services { get; }

    public FakeLogCollector Logs => Services.GetFakeLogCollector();

    public AgentStateOutbox Outbox => Services.GetRequiredService<AgentStateOutbox>();

    public IAgentStateOutbox OutboxPort => Services.GetRequiredService<IAgentStateOutbox>();

    public IContactCenterDirectory Directory => Services.GetRequiredService<IContactCenterDirectory>();

    public ContactCenterAgentEventFeed Feed => Services.GetRequiredService<ContactCenterAgentEventFeed>();

    public WebSocketAgentEventFeed WebSocket => Services.GetRequiredService<WebSocketAgentEventFeed>();

    public WxccWebhookProcessor Processor => Services.GetRequiredService<WxccWebhookProcessor>();

    public RequestBudget Budget => Services.GetRequiredService<RequestBudget>();

    public WxccTokenProvider Tokens => Services.GetRequiredService<WxccTokenProvider>();

    public ContactCenterOptions Options => Services.GetRequiredService<IOptions<ContactCenterOptions>>().Value;

    public Channel<AgentWriteResult> Results { get; } = Channel.CreateUnbounded<AgentWriteResult>();

    public Channel<AgentFeedEvent> Events { get; } = Channel.CreateUnbounded<AgentFeedEvent>();

    public static async Task<Harness> StartAsync(
        Action<ContactCenterEmulatorOptions>? emulator = null,
        Dictionary<string, string?>? settings = null,
        Action<ContactCenterOptions>? configure = null,
        Action<IServiceCollection>? services = null,
        ContactCenterEmulator? shared = null,
        FakeTimeProvider? time = null)
    {
        time ??= new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero));
        var wxcc = shared;
        if (wxcc is null)
        {
            var options = new ContactCenterEmulatorOptions { TimeProvider = time };
            emulator?.Invoke(options);
            wxcc = await ContactCenterEmulator.StartAsync(options);
        }

        var values = new Dictionary<string, string?>
        {
            ["TeamsConnector:ContactCenter:BaseUrl"] = wxcc.BaseUrl.AbsoluteUri,
            ["TeamsConnector:ContactCenter:TokenUrl"] = wxcc.TokenUrl.AbsoluteUri,
            ["TeamsConnector:ContactCenter:WebexApiBaseUrl"] = wxcc.WebexApiBaseUrl.AbsoluteUri,
            ["TeamsConnector:ContactCenter:OrgId"] = wxcc.OrgId,
            ["TeamsConnector:ContactCenter:ClientId"] = wxcc.ClientId,
            ["TeamsConnector:ContactCenter:ClientSecret"] = wxcc.ClientSecret,
            ["TeamsConnector:ContactCenter:RefreshToken"] = wxcc.RefreshToken,
            ["TeamsConnector:ContactCenter:WebhookSecret"] = WebhookSecret,

            // The attempt timeout runs on the fake clock, and tests move it while real requests are on the wire: a day
            // keeps it from firing by accident (a test of the timeout sets its own).
            ["TeamsConnector:ContactCenter:RequestTimeout"] = "1.00:00:00",
        };
        foreach (var (key, value) in settings ?? [])
        {
            values["TeamsConnector:ContactCenter:" + key] = value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var collection = new ServiceCollection();
        collection.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace).AddFakeLogging());
        collection.AddSingleton<TimeProvider>(time);
        var builder = collection.AddTeamsConnector(configuration.GetSection("TeamsConnector"));
        if (configure is null)
        {
            builder.AddWebexContactCenter();
        }
        else
        {
            builder.AddWebexContactCenter(configure);
        }

        services?.Invoke(collection);
        return new Harness(wxcc, time, collection.BuildServiceProvider(validateScopes: true), shared is null);
    }

    /// <summary>Starts the outbox on <see cref="Results"/>.</summary>
    public void RunOutbox() => _running.Add(OutboxPort.RunAsync(Results.Writer, _stop.Token));

    /// <summary>Starts the event feed on <see cref="Events"/>.</summary>
    public void RunFeed() => _running.Add(Services.GetRequiredService<IAgentEventFeed>().RunAsync(Events.Writer, _stop.Token));

    public async Task<AgentWriteResult> NextResultAsync() => await Results.Reader.ReadAsync().AsTask().WaitAsync(Wait);

    public async Task<AgentFeedEvent> NextEventAsync() => await Events.Reader.ReadAsync().AsTask().WaitAsync(Wait);

    /// <summary>Reads events until one matches.</summary>
    public async Task<AgentFeedEvent> EventAsync(Func<AgentFeedEvent, bool> match)
    {
        while (true)
        {
            var e = await NextEventAsync();
            if (match(e))
            {
                return e;
            }
        }
    }

    /// <summary>
    /// Collects <paramref name="count"/> write results, advancing the fake clock whenever the outbox or the request
    /// budget waits and no write is in flight (so time moves only when nothing else can happen).
    /// </summary>
    public async Task<List<AgentWriteResult>> DrainAsync(int count)
    {
        var results = new List<AgentWriteResult>();
        TimeSpan? pendingWait = null;
        while (true)
        {
            while (Results.Reader.TryRead(out var r))
            {
                results.Add(r);
            }

            if (results.Count >= count)
            {
                return results;
            }

            while (_progress.Reader.TryRead(out var p))
            {
                pendingWait = p ?? pendingWait;
            }

            if (Outbox.InFlight == 0 && pendingWait is { } wait)
            {
                pendingWait = null;
                Time.Advance(wait);
                continue;
            }

            await Task.WhenAny(Results.Reader.WaitToReadAsync().AsTask(), _progress.Reader.WaitToReadAsync().AsTask()).WaitAsync(Wait);
        }
    }

    /// <summary>Waits until the feed finished at least <paramref name="count"/> reconciliations.</summary>
    public async Task WaitForReconciliationAsync(int count = 1)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnReconciled(int _)
        {
            if (Feed.Reconciliations >= count)
            {
                done.TrySetResult();
            }
        }

        Feed.Reconciled += OnReconciled;
        try
        {
            if (Feed.Reconciliations < count)
            {
                await done.Task.WaitAsync(Wait);
            }
        }
        finally
        {
            Feed.Reconciled -= OnReconciled;
        }
    }

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_running).WaitAsync(Wait);
    }

    /// <summary>Every log message and exception text.</summary>
    public string AllLogText() =>
        string.Join("\n", Logs.GetSnapshot().Select(static r => r.Message + " " + r.Exception));

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await Task.WhenAll(_running).WaitAsync(Wait);
        }
        catch (OperationCanceledException)
        {
        }

        await Services.DisposeAsync();
        if (_ownsEmulator)
        {
            await Wxcc.DisposeAsync();
        }

        _stop.Dispose();
    }
}
