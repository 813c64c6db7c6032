using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
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

    /// <summary>Makes every access token issued so far invalid (the next API call gets 401).</summary>
    public void ExpireAccessTokens()
    {
        lock (_gate)
        {
            _accessTokens.Clear();
        }
    }

    /// <summary>Adds an idle code.</summary>
    /// <param name="name">The name (at most 80 characters).</param>
    /// <param name="active">Whether it is active.</param>
    /// <param name="isSystemCode">Whether it is a system code.</param>
    /// <param name="id">The id; generated when <see langword="null"/>.</param>
    /// <returns>The id.</returns>
    public string AddIdleCode(string name, bool active = true, bool isSystemCode = false, string? id = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        lock (_gate)
        {
            return AddCodeLocked(name, isSystemCode, active, idle: true, id).Id;
        }
    }

    /// <summary>Adds a wrap-up code (<c>WRAP_UP_CODE</c>).</summary>
    /// <param name="name">The name.</param>
    /// <param name="id">The id; generated when <see langword="null"/>.</param>
    /// <returns>The id.</returns>
    public string AddWrapUpCode(string name, string? id = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        lock (_gate)
        {
            return AddCodeLocked(name, isSystem: false, active: true, idle: false, id).Id;
        }
    }

    /// <summary>Adds an auxiliary code with any <c>workTypeCode</c>, including none or one WxCC does not define (to test how readers cope).</summary>
    /// <param name="name">The name.</param>
    /// <param name="workTypeCode">The <c>workTypeCode</c> served; omitted from the JSON when <see langword="null"/>.</param>
    /// <param name="id">The id; generated when <see langword="null"/>.</param>
    /// <returns>The id.</returns>
    public string AddAuxiliaryCode(string name, string? workTypeCode, string? id = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        lock (_gate)
        {
            return AddCodeLocked(name, isSystem: false, active: true, workTypeCode, id).Id;
        }
    }

    /// <summary>Adds or replaces a desktop profile.</summary>
    /// <param name="profile">The profile and its four collaboration toggles.</param>
    public void SetDesktopProfile(DesktopProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        lock (_gate)
        {
            _profiles[profile.Id] = profile;
        }

        Changed();
    }

    /// <summary>Adds a contact-center user (an agent), signed out.</summary>
    /// <param name="agentId">The agent id (<c>ciUserId</c>); generated when <see langword="null"/>.</param>
    /// <param name="email">The e-mail address.</param>
    /// <param name="desktopProfileId">The desktop profile.</param>
    /// <param name="contactCenterEnabled">Whether the user is a contact-center user.</param>
    /// <returns>The agent id.</returns>
    public string AddAgent(string? agentId = null, string? email = null, string? desktopProfileId = null, bool contactCenterEnabled = true)
    {
        lock (_gate)
        {
            agentId ??= Guid.NewGuid().ToString();
            if (_agents.ContainsKey(agentId))
            {
                throw new ArgumentException($"Agent {agentId} already exists.", nameof(agentId));
            }

            var agent = new AgentRecord(agentId, Guid.NewGuid().ToString(), email ?? agentId + "@example.com", desktopProfileId, contactCenterEnabled, NowMs());
            _agents.Add(agentId, agent);
            agent.Activities.Add(new ActivityRecord("LoggedOut", null, null, agent.LastChangeMs));
        }

        Changed();
        return agentId;
    }

    /// <summary>The agent as the emulator holds it.</summary>
    /// <param name="agentId">The agent id.</param>
    /// <returns>The agent.</returns>
    public EmulatedAgent GetAgent(string agentId)
    {
        lock (_gate)
        {
            var a = Agent(agentId);
            return new EmulatedAgent(a.AgentId, a.UserId, a.Email, a.DesktopProfileId, a.State, DateTimeOffset.FromUnixTimeMilliseconds(a.LastChangeMs), a.Reason, a.ChangedById, a.ContactId);
        }
    }

    /// <summary>The agent's current state.</summary>
    /// <param name="agentId">The agent id.</param>
    /// <returns>The state.</returns>
    public AgentState GetState(string agentId) => GetAgent(agentId).State;

    /// <summary>Signs the agent in (<c>AgentStationLoginSuccess</c>, webhook <c>agent:login</c>).</summary>
    /// <param name="agentId">The agent id.</param>
    /// <param name="state">The state after sign-in; Available when <see langword="null"/>.</param>
    public void SignIn(string agentId, AgentState? state = null)
    {
        var target = state ?? AgentState.Available;
        EnsureSettable(target);
        lock (_gate)
        {
            var agent = Agent(agentId);
            agent.SessionId = Guid.NewGuid().ToString();
            ApplyLocked(agent, target, reason: null, changedById: null);
            PublishLocked(agent, EventKind.Login, "AgentStationLoginSuccess", trackingId: null);
        }

        Changed();
    }

    /// <summary>Signs the agent out (<c>AgentLogoutSuccess</c>, webhook <c>agent:logout</c>).</summary>
    /// <param name="agentId">The agent id.</param>
    public void SignOut(string agentId)
    {
        lock (_gate)
        {
            var agent = Agent(agentId);
            CancelRonaLocked(agent);
            agent.ContactId = null;
            ApplyLocked(agent, AgentState.LoggedOut, reason: null, changedById: null);
            PublishLocked(agent, EventKind.Logout, "AgentLogoutSuccess", trackingId: null);
            agent.SessionId = null;
        }

        Changed();
    }

    /// <summary>The agent changes their own state on the desktop (Available, or Idle with a code).</summary>
    /// <param name="agentId">The agent id.</param>
    /// <param name="state">Available or Idle.</param>
    /// <param name="reason">The <c>lastStateChangeReason</c>, if any.</param>
    public void SetStateAsAgent(string agentId, AgentState state, string? reason = null) => SetState(agentId, state, reason, changedById: null);

    /// <summary>A supervisor changes the agent's state ("Change Agent States"): <c>changedById</c> names the supervisor.</summary>
    /// <param name="agentId">The agent id.</param>
    /// <param name="state">Available or Idle.</param>
    /// <param name="supervisorId">The supervisor's id.</param>
    /// <param name="reason">The <c>lastStateChangeReason</c>, if any.</param>
    public void SetStateAsSupervisor(string agentId, AgentState state, string supervisorId = "supervisor-1", string? reason = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(supervisorId);
        SetState(agentId, state, reason, supervisorId);
    }

    /// <summary>Offers a contact to the agent (Reserved, <c>AgentOfferContact</c>); it rings into RONA after <see cref="ContactCenterEmulatorOptions.RonaTimeout"/>.</summary>
    /// <param name="agentId">The agent id; must be Available.</param>
    /// <returns>The contact (interaction) id.</returns>
    public string OfferContact(string agentId)
    {
        string contactId;
        lock (_gate)
        {
            var agent = Agent(agentId);
            if (agent.State.Kind != AgentStateKind.Available)
            {
                throw new InvalidOperationException($"A contact can be offered only to an Available agent; {agentId} is {agent.State}.");
            }

            contactId = Guid.NewGuid().ToString();
            agent.ContactId = contactId;
            ApplyLocked(agent, AgentState.Reserved, reason: null, changedById: null);
            PublishLocked(agent, EventKind.Contact, "AgentOfferContact", trackingId: null);
            if (_options.RonaTimeout is { } timeout)
            {
                agent.RonaTimer = _time.CreateTimer(static state => ((RonaState)state!).Fire(), new RonaState(this, agentId, contactId), timeout, Timeout.InfiniteTimeSpan);
            }
        }

        Changed();
        return contactId;
    }

    /// <summary>The offered contact is not answered: the agent goes to Idle with the RONA code (<c>AgentOfferContactRona</c>).</summary>
    /// <param name="agentId">The agent id; must be Reserved.</param>
    public void RingIntoRona(string agentId)
    {
        lock (_gate)
        {
            RonaLocked(Agent(agentId), contactId: null);
        }

        Changed();
    }

    /// <summary>The agent answers the offered contact (Engaged, <c>AgentContactAssigned</c>).</summary>
    /// <param name="agentId">The agent id; must be Reserved.</param>
    public void AssignContact(string agentId)
    {
        lock (_gate)
        {
            var agent = Agent(agentId);
            Require(agent, AgentStateKind.Reserved, "assign a contact");
            CancelRonaLocked(agent);
            ApplyLocked(agent, AgentState.Engaged, reason: null, changedById: null);
            PublishLocked(agent, EventKind.Contact, "AgentContactAssigned", trackingId: null);
        }

        Changed();
    }

    /// <summary>The contact ends: with wrap-up the agent goes to WrapUp (<c>AgentWrapup</c>); without, straight to <paramref name="next"/>.</summary>
    /// <param name="agentId">The agent id; must be Engaged.</param>
    /// <param name="wrapUp">Whether the agent wraps up.</param>
    /// <param name="next">The state after the contact when there is no wrap-up; Available when <see langword="null"/>.</param>
    public void EndContact(string agentId, bool wrapUp = true, AgentState? next = null)
    {
        lock (_gate)
        {
            var agent = Agent(agentId);
            Require(agent, AgentStateKind.Engaged, "end a contact");
            if (wrapUp)
            {
                ApplyLocked(agent, AgentState.WrapUp, reason: null, changedById: null);
                PublishLocked(agent, EventKind.Contact, "AgentWrapup", trackingId: null);
            }
            else
            {
                var target = next ?? AgentState.Available;
                EnsureSettable(target);
                agent.ContactId = null;
                ApplyLocked(agent, target, reason: null, changedById: null);
                PublishLocked(agent, EventKind.Contact, "AgentContactEnded", trackingId: null);
            }
        }

        Changed();
    }

    /// <summary>The agent finishes wrap-up (<c>AgentWrappedUp</c>) and goes to <paramref name="next"/>.</summary>
    /// <param name="agentId">The agent id; must be in WrapUp.</param>
    /// <param name="next">Available (the default) or Idle with a code.</param>
    public void WrapUp(string agentId, AgentState? next = null)
    {
        var target = next ?? AgentState.Available;
        EnsureSettable(target);
        lock (_gate)
        {
            var agent = Agent(agentId);
            Require(agent, AgentStateKind.WrapUp, "finish wrap-up");
            agent.ContactId = null;
            ApplyLocked(agent, target, reason: null, changedById: null);
            PublishLocked(agent, EventKind.Contact, "AgentWrappedUp", trackingId: null);
        }

        Changed();
    }

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

    private void SetState(string agentId, AgentState state, string? reason, string? changedById)
    {
        EnsureSettable(state);
        lock (_gate)
        {
            var agent = Agent(agentId);
            if (agent.State.Kind == AgentStateKind.LoggedOut || agent.State.IsOnContact)
            {
                throw new InvalidOperationException($"Agent {agentId} is {agent.State}; only a signed-in agent who is not on a contact can change state.");
            }

            ApplyLocked(agent, state, reason, changedById);
            PublishLocked(agent, EventKind.State, "AgentStateChangeSuccess", trackingId: null);
        }

        Changed();
    }

    private void EnsureSettable(AgentState state)
    {
        if (state.Kind is not (AgentStateKind.Available or AgentStateKind.Idle))
        {
            throw new ArgumentException($"Only Available or Idle can be set; got {state}.", nameof(state));
        }

        if (state.Kind == AgentStateKind.Idle)
        {
            lock (_gate)
            {
                if (!_codes.Any(c => c.Id == state.IdleCodeId && c.Idle))
                {
                    throw new ArgumentException($"Idle code {state.IdleCodeId} does not exist; add it with AddIdleCode first.", nameof(state));
                }
            }
        }
    }

    private static void Require(AgentRecord agent, AgentStateKind kind, string what)
    {
        if (agent.State.Kind != kind)
        {
            throw new InvalidOperationException($"Cannot {what}: agent {agent.AgentId} is {agent.State}, not {kind}.");
        }
    }

    private void RonaLocked(AgentRecord agent, string? contactId)
    {
        if (agent.State.Kind != AgentStateKind.Reserved || contactId is not null && agent.ContactId != contactId)
        {
            if (contactId is null)
            {
                throw new InvalidOperationException($"Cannot ring into RONA: agent {agent.AgentId} is {agent.State}, not Reserved.");
            }

            return;
        }

        CancelRonaLocked(agent);
        agent.ContactId = null;
        ApplyLocked(agent, AgentState.Idle(RonaCodeId), reason: "RONA", changedById: null);
        PublishLocked(agent, EventKind.Contact, "AgentOfferContactRona", trackingId: null);
    }

    private static void CancelRonaLocked(AgentRecord agent)
    {
        agent.RonaTimer?.Dispose();
        agent.RonaTimer = null;
    }

    private void ApplyLocked(AgentRecord agent, AgentState state, string? reason, string? changedById)
    {
        var now = Math.Max(NowMs(), agent.LastChangeMs + 1);
        agent.Activities[^1] = agent.Activities[^1] with { EndMs = now };
        agent.State = state;
        agent.LastChangeMs = now;
        agent.Reason = reason;
        agent.ChangedById = changedById;
        agent.Activities.Add(new ActivityRecord(StateName(state), state.IdleCodeId, reason, now));
    }

    private AgentRecord Agent(string agentId)
    {
        ArgumentNullException.ThrowIfNull(agentId);
        return _agents.TryGetValue(agentId, out var agent) ? agent : throw new ArgumentException($"Agent {agentId} does not exist; add it with AddAgent first.", nameof(agentId));
    }

    private CodeRecord AddCodeLocked(string name, bool isSystem, bool active, bool idle, string? id) =>
        AddCodeLocked(name, isSystem, active, idle ? "IDLE_CODE" : "WRAP_UP_CODE", id);

    private CodeRecord AddCodeLocked(string name, bool isSystem, bool active, string? workTypeCode, string? id)
    {
        var code = new CodeRecord(id ?? Guid.NewGuid().ToString(), name, isSystem, active, workTypeCode, NowMs());
        _codes.Add(code);
        return code;
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

    private sealed class RonaState(ContactCenterEmulator emulator, string agentId, string contactId)
    {
        public void Fire()
        {
            lock (emulator._gate)
            {
                if (emulator._agents.TryGetValue(agentId, out var agent))
                {
                    emulator.RonaLocked(agent, contactId);
                }
            }

            emulator.Changed();
        }
    }
}
