namespace Webex.TeamsConnector.Testing;

/// <summary>Which agents' events a notification websocket of the <see cref="ContactCenterEmulator"/> carries.</summary>
public enum ContactCenterWebSocketScope
{
    /// <summary>
    /// Only the events of the user the access token belongs to (<see cref="ContactCenterEmulatorOptions.ApiUserId"/>),
    /// as WxCC's agent notification websocket is per signed-in user.
    /// </summary>
    SignedInUser = 0,

    /// <summary>Every agent's events on every websocket (not how WxCC behaves; for tests and demos that want it).</summary>
    Organization,
}

/// <summary>Settings of a <see cref="ContactCenterEmulator"/>. Every property has a usable default.</summary>
public sealed class ContactCenterEmulatorOptions
{
    /// <summary>The clock of the emulator (token expiry, rate limit, keepalive rule, RONA timer, timestamps).</summary>
    /// <value>The default value is <see cref="TimeProvider.System"/>; pass a <c>FakeTimeProvider</c> in tests.</value>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>The organization id.</summary>
    /// <value>The default value is <c>emulated-org</c>.</value>
    public string OrgId { get; set; } = "emulated-org";

    /// <summary>The OAuth client id the token endpoint accepts.</summary>
    /// <value>The default value is <c>emulated-client-id</c>.</value>
    public string ClientId { get; set; } = "emulated-client-id";

    /// <summary>The OAuth client secret the token endpoint accepts.</summary>
    /// <value>The default value is <c>emulated-client-secret-0123456789</c>.</value>
    public string ClientSecret { get; set; } = "emulated-client-secret-0123456789";

    /// <summary>The first refresh token the token endpoint accepts.</summary>
    /// <value>The default value is <c>emulated-refresh-token-0</c>.</value>
    public string RefreshToken { get; set; } = "emulated-refresh-token-0";

    /// <summary>Whether each refresh issues a new refresh token and retires the old one (rotation).</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool RotateRefreshTokens { get; set; } = true;

    /// <summary>How long an access token is valid.</summary>
    /// <value>The default value is 12 hours.</value>
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromHours(12);

    /// <summary>Requests per minute per client id on the API (the token endpoint is not counted).</summary>
    /// <value>The default value is 300.</value>
    public int RequestsPerMinute { get; set; } = 300;

    /// <summary>The largest page size served; larger requests are cut to it.</summary>
    /// <value>The default value is 100.</value>
    public int MaxPageSize { get; set; } = 100;

    /// <summary>
    /// Whether a <c>pageSize</c> above <see cref="MaxPageSize"/> is refused with 400 instead of cut to it (WxCC's largest
    /// page size is not documented; either answer is plausible).
    /// </summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool RefuseLargerPageSize { get; set; }

    /// <summary>How long an offered contact rings before RONA; <see langword="null"/> to ring until told.</summary>
    /// <value>The default value is 18 seconds (WxCC's voice default).</value>
    public TimeSpan? RonaTimeout { get; set; } = TimeSpan.FromSeconds(18);

    /// <summary>How long the notification websocket stays open without a keepalive.</summary>
    /// <value>The default value is 16 seconds.</value>
    public TimeSpan KeepAliveTimeout { get; set; } = TimeSpan.FromSeconds(16);

    /// <summary>The user id the API's token belongs to (reported as <c>changedById</c> of state writes made through the API).</summary>
    /// <value>The default value is <c>connector-admin</c>.</value>
    public string ApiUserId { get; set; } = "connector-admin";

    /// <summary>Which agents' events each notification websocket carries.</summary>
    /// <value>
    /// The default value is <see cref="ContactCenterWebSocketScope.SignedInUser"/>: only the token user's own events, as
    /// in WxCC.
    /// </value>
    public ContactCenterWebSocketScope WebSocketScope { get; set; } = ContactCenterWebSocketScope.SignedInUser;

    /// <summary>Whether the organization's presence-sync setting is on at start.</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool PresenceSyncEnabled { get; set; } = true;
}

/// <summary>
/// Fault switches of a <see cref="ContactCenterEmulator"/>. Counters count down as faults are served; flags stay on
/// until turned off. Safe to change from any thread while the emulator runs.
/// </summary>
public sealed class ContactCenterEmulatorFaults
{
    private int _tooManyRequests;
    private int _serviceUnavailable;
    private int _dropEvents;
    private int _failStateChanges;

    /// <summary>The next this many API requests are answered 429 with <see cref="RetryAfter"/>.</summary>
    public int TooManyRequests { get => Volatile.Read(ref _tooManyRequests); set => Volatile.Write(ref _tooManyRequests, value); }

    /// <summary>The <c>Retry-After</c> of a 429 burst.</summary>
    /// <value>The default value is 1 second.</value>
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Whether a 429 gives <c>Retry-After</c> as an HTTP date (on the emulator's clock, rounded up to a whole second)
    /// instead of seconds.
    /// </summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool RetryAfterAsHttpDate { get; set; }

    /// <summary>The next this many API requests are answered 503.</summary>
    public int ServiceUnavailable { get => Volatile.Read(ref _serviceUnavailable); set => Volatile.Write(ref _serviceUnavailable, value); }

    /// <summary>Delay added to every request, on the emulator's clock.</summary>
    public TimeSpan Latency { get; set; }

    /// <summary>Every agent event is sent twice.</summary>
    public bool DuplicateEvents { get; set; }

    /// <summary>Agent events are sent in swapped pairs (each one is held back until the next one has gone).</summary>
    public bool ReorderEvents { get; set; }

    /// <summary>The next this many agent events are not sent at all (websocket and webhooks).</summary>
    public int DropEvents { get => Volatile.Read(ref _dropEvents); set => Volatile.Write(ref _dropEvents, value); }

    /// <summary>The next this many valid state writes are accepted (202) and then fail with <c>AgentStateChangeFailed</c>.</summary>
    public int FailStateChanges { get => Volatile.Read(ref _failStateChanges); set => Volatile.Write(ref _failStateChanges, value); }

    internal bool TakeTooManyRequests() => Take(ref _tooManyRequests);

    internal bool TakeServiceUnavailable() => Take(ref _serviceUnavailable);

    internal bool TakeDropEvent() => Take(ref _dropEvents);

    internal bool TakeFailStateChange() => Take(ref _failStateChanges);

    private static bool Take(ref int counter)
    {
        while (true)
        {
            var value = Volatile.Read(ref counter);
            if (value <= 0)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref counter, value - 1, value) == value)
            {
                return true;
            }
        }
    }
}

/// <summary>An agent as the emulator holds it.</summary>
/// <param name="AgentId">The agent id (<c>ciUserId</c>).</param>
/// <param name="UserId">The user's configuration id.</param>
/// <param name="Email">The e-mail address.</param>
/// <param name="DesktopProfileId">The desktop profile id.</param>
/// <param name="State">The current state.</param>
/// <param name="LastStateChangeAt">When the state last changed.</param>
/// <param name="LastStateChangeReason">The <c>lastStateChangeReason</c> of the last change.</param>
/// <param name="ChangedById">Who made the last change (<see langword="null"/> when the agent or the system did).</param>
/// <param name="ContactId">The contact the agent is offered, on or wrapping up, if any.</param>
public sealed record EmulatedAgent(
    string AgentId,
    string UserId,
    string? Email,
    string? DesktopProfileId,
    AgentState State,
    DateTimeOffset LastStateChangeAt,
    string? LastStateChangeReason,
    string? ChangedById,
    string? ContactId);

/// <summary>A state write (<c>PUT /v1/agents/session/state</c>) the emulator received.</summary>
/// <param name="AgentId">The <c>agentId</c> sent.</param>
/// <param name="State">The <c>state</c> sent.</param>
/// <param name="AuxCodeId">The <c>auxCodeId</c> sent.</param>
/// <param name="Reason">The <c>lastStateChangeReason</c> sent.</param>
/// <param name="TrackingId">The <c>TrackingId</c> header.</param>
/// <param name="StatusCode">The status answered (202 when accepted).</param>
/// <param name="ReceivedAt">When it arrived (emulator clock).</param>
public sealed record EmulatedStateWrite(
    string? AgentId,
    string? State,
    string? AuxCodeId,
    string? Reason,
    string? TrackingId,
    int StatusCode,
    DateTimeOffset ReceivedAt);

/// <summary>An HTTP request the emulator received.</summary>
/// <param name="Method">The method.</param>
/// <param name="Path">The path (no query).</param>
/// <param name="ReceivedAt">When it arrived (emulator clock).</param>
public sealed record EmulatedRequest(string Method, string Path, DateTimeOffset ReceivedAt);

/// <summary>A webhook subscription registered with the emulator.</summary>
/// <param name="Id">The id.</param>
/// <param name="Name">The name.</param>
/// <param name="DestinationUrl">Where deliveries go.</param>
/// <param name="EventTypes">The event types.</param>
/// <param name="ResourceVersion">The resource version (<c>agent:1.0.0</c> gives v1 deliveries; <c>agent:2…</c> v2).</param>
/// <param name="Active">Whether deliveries are made.</param>
public sealed record EmulatedWebhookSubscription(string Id, string Name, Uri DestinationUrl, IReadOnlyList<string> EventTypes, string ResourceVersion, bool Active);
