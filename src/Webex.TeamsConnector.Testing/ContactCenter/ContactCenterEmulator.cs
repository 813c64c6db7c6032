using System.Globalization;
using System.Net;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Webex.TeamsConnector.Testing;

/// <summary>
/// A loopback emulator of the Webex Contact Center API (and the bits of the Webex API the connector uses): a real
/// Kestrel server on <c>127.0.0.1</c> with a random port, serving the token endpoint (with refresh-token rotation),
/// agent state writes, idle codes, users and desktop profiles with paging, webhook subscriptions with signed
/// deliveries, agent activities, the agent notification websocket with its keepalive rule, the presence-sync setting,
/// and the per-client-id request limit with 429 and <c>Retry-After</c>.
/// </summary>
/// <remarks>
/// <para>Start it in one line and point the adapter at it:</para>
/// <code>
/// await using var wxcc = await ContactCenterEmulator.StartAsync();
/// var agent = wxcc.AddAgent(email: "ada@example.com");
/// wxcc.SignIn(agent);
/// // options.BaseUrl = wxcc.BaseUrl; options.TokenUrl = wxcc.TokenUrl; options.WebexApiBaseUrl = wxcc.WebexApiBaseUrl;
/// // options.ClientId = wxcc.ClientId; options.ClientSecret = wxcc.ClientSecret; options.RefreshToken = wxcc.RefreshToken;
/// </code>
/// <para>
/// The control surface plays the people: <see cref="SignIn"/>, <see cref="SignOut"/>, <see cref="SetStateAsAgent"/>,
/// <see cref="SetStateAsSupervisor"/>, <see cref="OfferContact"/>, <see cref="RingIntoRona"/>,
/// <see cref="AssignContact"/>, <see cref="EndContact"/>, <see cref="WrapUp"/>. <see cref="Faults"/> injects failures.
/// <see cref="WaitUntilAsync"/> waits for a condition without polling. Thread-safe: the model is kept under one lock.
/// </para>
/// </remarks>
public sealed partial class ContactCenterEmulator : IAsyncDisposable
{
    private readonly object _gate = new();
    private readonly ContactCenterEmulatorOptions _options;
    private readonly TimeProvider _time;
    private readonly Dictionary<string, AgentRecord> _agents = new(StringComparer.Ordinal);
    private readonly List<CodeRecord> _codes = [];
    private readonly Dictionary<string, DesktopProfile> _profiles = new(StringComparer.Ordinal);
    private readonly List<EmulatedStateWrite> _writes = [];
    private readonly Dictionary<string, DateTimeOffset> _accessTokens = new(StringComparer.Ordinal);
    private readonly List<DateTimeOffset> _window = [];
    private readonly Dictionary<string, int> _requestCounts = new(StringComparer.Ordinal);
    private readonly List<EmulatedRequest> _requestLog = [];
    private WebApplication? _app;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private string _refreshToken;
    private int _tokenCounter;
    private long _tokenRequests;
    private long _throttled;

    private readonly List<NotificationConnection> _sockets = [];
    private readonly HashSet<string> _notificationSubscriptions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SubscriptionRecord> _subscriptions = new(StringComparer.Ordinal);
    private readonly HttpClient _deliveryClient = new() { Timeout = TimeSpan.FromSeconds(10) };
    private readonly CancellationTokenSource _stopping = new();
    private PendingEvent? _heldBack;
    private long _webhookDeliveries;
    private long _webhookFailures;
    private long _webSocketsAccepted;
    private long _keepAlives;

    private ContactCenterEmulator(ContactCenterEmulatorOptions options)
    {
        _options = options;
        _time = options.TimeProvider;
        _refreshToken = options.RefreshToken;
        PresenceSyncEnabled = options.PresenceSyncEnabled;
        foreach (var name in (string[])["RONA", "Agent_Busy", "Agent_Declined", "Agent_Unavailable", "Channel_Failure", "Invalid_Number", "WellbeingBreak"])
        {
            var code = AddCodeLocked(name, isSystem: true, active: true, idle: true, id: null);
            if (name == "RONA")
            {
                RonaCodeId = code.Id;
            }
        }
    }

    /// <summary>The WxCC API base, for <c>TeamsConnector:ContactCenter:BaseUrl</c>.</summary>
    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>The token endpoint, for <c>TeamsConnector:ContactCenter:TokenUrl</c>.</summary>
    public Uri TokenUrl { get; private set; } = null!;

    /// <summary>The Webex API base (presence-sync setting), for <c>TeamsConnector:ContactCenter:WebexApiBaseUrl</c>.</summary>
    public Uri WebexApiBaseUrl { get; private set; } = null!;

    /// <summary>The organization id.</summary>
    public string OrgId => _options.OrgId;

    /// <summary>The client id the token endpoint accepts.</summary>
    public string ClientId => _options.ClientId;

    /// <summary>The client secret the token endpoint accepts.</summary>
    public string ClientSecret => _options.ClientSecret;

    /// <summary>The refresh token the token endpoint accepts now (changes at each refresh when rotation is on).</summary>
    public string RefreshToken
    {
        get
        {
            lock (_gate)
            {
                return _refreshToken;
            }
        }
    }

    /// <summary>The id of the system RONA idle code.</summary>
    public string RonaCodeId { get; private set; } = null!;

    /// <summary>The fault switches.</summary>
    public ContactCenterEmulatorFaults Faults { get; } = new();

    /// <summary>Whether the organization's presence-sync setting (<c>PRESENCE_SYNC</c>) is on.</summary>
    public bool PresenceSyncEnabled { get; set; }

    /// <summary>Requests made to the token endpoint.</summary>
    public long TokenRequests => Interlocked.Read(ref _tokenRequests);

    /// <summary>API requests answered 429 (rate limit or fault).</summary>
    public long ThrottledRequests => Interlocked.Read(ref _throttled);

    /// <summary>
    /// Every HTTP request received (API, token endpoint and websocket upgrades), in order of arrival on the emulator's
    /// clock — for checking, for example, that no sliding minute saw more requests than a budget allows.
    /// </summary>
    public IReadOnlyList<EmulatedRequest> RequestLog
    {
        get
        {
            lock (_gate)
            {
                return [.. _requestLog];
            }
        }
    }

    /// <summary>Every state write received, in order (accepted and refused).</summary>
    public IReadOnlyList<EmulatedStateWrite> StateWrites
    {
        get
        {
            lock (_gate)
            {
                return [.. _writes];
            }
        }
    }

    /// <summary>Starts an emulator on <c>127.0.0.1</c> with a random port.</summary>
    /// <param name="options">The settings; defaults when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running emulator; dispose it to stop.</returns>
    public static async Task<ContactCenterEmulator> StartAsync(ContactCenterEmulatorOptions? options = null, CancellationToken cancellationToken = default)
    {
        var emulator = new ContactCenterEmulator(options ?? new ContactCenterEmulatorOptions());
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Services.AddLogging();
        builder.WebHost.UseKestrelCore().ConfigureKestrel(static k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.UseWebSockets();
        app.Run(emulator.HandleAsync);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var root = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal).TrimEnd('/') + "/");
        emulator._app = app;
        emulator.BaseUrl = root;
        emulator.TokenUrl = new Uri(root, "v1/access_token");
        emulator.WebexApiBaseUrl = new Uri(root, "webex/v1/");
        return emulator;
    }

    /// <summary>Stops the server and closes every websocket.</summary>
    /// <returns>A task that completes when stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        DropWebSockets();
        StopDeliveries();
        lock (_gate)
        {
            foreach (var agent in _agents.Values)
            {
                agent.RonaTimer?.Dispose();
            }
        }

        if (_app is { } app)
        {
            await app.StopAsync().ConfigureAwait(false);
            await app.DisposeAsync().ConfigureAwait(false);
        }

        _deliveryClient.Dispose();
    }

    /// <summary>The hex HMAC-SHA256 signature of a webhook body, as WxCC puts it in <c>X-WebexCC-Signature</c>.</summary>
    /// <param name="secret">The subscription secret.</param>
    /// <param name="body">The raw body.</param>
    /// <returns>The lower-case hex signature.</returns>
    public static string Sign(string secret, ReadOnlySpan<byte> body)
    {
        ArgumentNullException.ThrowIfNull(secret);
        return Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));
    }

    /// <summary>How many API requests went to paths containing <paramref name="pathFragment"/> (for example <c>"agents/session/state"</c>).</summary>
    /// <param name="pathFragment">Part of the path.</param>
    /// <returns>The count, including refused requests.</returns>
    public int RequestCount(string pathFragment)
    {
        ArgumentNullException.ThrowIfNull(pathFragment);
        lock (_gate)
        {
            return _requestCounts.Where(p => p.Key.Contains(pathFragment, StringComparison.OrdinalIgnoreCase)).Sum(static p => p.Value);
        }
    }

    /// <summary>
    /// Raised after every change of the emulator (state writes, agent events, connections, every API request received
    /// and answered), when <see cref="WaitUntilAsync"/> checks its condition again. Handlers run on the thread that
    /// made the change and must return quickly.
    /// </summary>
    public event EventHandler? StateChanged;

    /// <summary>
    /// Waits until <paramref name="condition"/> holds, checking it again after every change of the emulator (state
    /// writes, events, connections) — no polling.
    /// </summary>
    /// <param name="condition">The condition.</param>
    /// <param name="timeout">The longest wait; 10 seconds when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes when the condition holds.</returns>
    /// <exception cref="TimeoutException">The condition did not hold in time.</exception>
    public async Task WaitUntilAsync(Func<ContactCenterEmulator, bool> condition, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(condition);
        // A test's patience is real time, on purpose: the emulator's own clock may be fake and stand still.
        using var deadline = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10), TimeProvider.System);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                changed = _changed.Task;
            }

            if (condition(this))
            {
                return;
            }

            try
            {
                await changed.WaitAsync(limit.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                if (condition(this))
                {
                    return;
                }

                throw new TimeoutException("The emulator did not reach the expected condition in time.");
            }
        }
    }

    private AgentRecord Agent(string agentId)
    {
        ArgumentNullException.ThrowIfNull(agentId);
        return _agents.TryGetValue(agentId, out var agent) ? agent : throw new ArgumentException($"Agent {agentId} does not exist; add it with AddAgent first.", nameof(agentId));
    }

    private long NowMs() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private void Changed()
    {
        TaskCompletionSource old;
        lock (_gate)
        {
            old = _changed;
            _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        old.TrySetResult();
        StateChanged?.Invoke(this, EventArgs.Empty);
    }

    private static string StateName(AgentState state) => state.Kind switch
    {
        AgentStateKind.LoggedOut => "LoggedOut",
        AgentStateKind.Available => "Available",
        AgentStateKind.Idle => "Idle",
        AgentStateKind.Reserved => "Reserved",
        AgentStateKind.Engaged => "Engaged",
        _ => "WrapUp",
    };

    private static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);

    private sealed class AgentRecord(string agentId, string userId, string email, string? desktopProfileId, bool contactCenterEnabled, long createdMs)
    {
        public string AgentId { get; } = agentId;

        public string UserId { get; } = userId;

        public string Email { get; } = email;

        public string? DesktopProfileId { get; } = desktopProfileId;

        public bool ContactCenterEnabled { get; } = contactCenterEnabled;

        public AgentState State { get; set; }

        public long LastChangeMs { get; set; } = createdMs;

        public string? Reason { get; set; }

        public string? ChangedById { get; set; }

        public string? SessionId { get; set; }

        public string? ContactId { get; set; }

        public ITimer? RonaTimer { get; set; }

        public List<ActivityRecord> Activities { get; } = [];
    }

    private sealed record ActivityRecord(string State, string? IdleCode, string? Reason, long StartMs, long EndMs = -1);

    private sealed record CodeRecord(string Id, string Name, bool IsSystem, bool Active, string? WorkTypeCode, long CreatedMs)
    {
        public bool Idle => WorkTypeCode == "IDLE_CODE";
    }
}
