using System.ComponentModel.DataAnnotations;

namespace Webex.TeamsConnector.ContactCenter;

/// <summary>How the connector receives WxCC agent events.</summary>
public enum ContactCenterEventSource
{
    /// <summary>
    /// Org-wide webhooks (<c>/v2/subscriptions</c>) delivered to <see cref="ContactCenterOptions.WebhookUrl"/> and
    /// handed to <see cref="WxccWebhookProcessor"/>; needs a public HTTPS URL.
    /// </summary>
    Webhook = 0,

    /// <summary>The agent notification websocket (<c>/v1/notification/subscribe</c>), for deployments without a public URL.</summary>
    WebSocket,
}

/// <summary>
/// Settings of the Webex Contact Center adapter, bound from <c>TeamsConnector:ContactCenter</c>. Validated at start:
/// every error is listed at once, unknown keys are refused, and secrets are never echoed.
/// </summary>
public sealed class ContactCenterOptions
{
    /// <summary>The WxCC API base (region specific).</summary>
    /// <value>The default value is <c>https://api.wxcc-us1.cisco.com</c>.</value>
    public Uri BaseUrl { get; set; } = new("https://api.wxcc-us1.cisco.com");

    /// <summary>The OAuth token endpoint (refresh-token grant).</summary>
    /// <value>The default value is <c>https://webexapis.com/v1/access_token</c>.</value>
    public Uri TokenUrl { get; set; } = new("https://webexapis.com/v1/access_token");

    /// <summary>The Webex API base, where the organization's presence-sync setting is read.</summary>
    /// <value>The default value is <c>https://webexapis.com/v1</c>.</value>
    public Uri WebexApiBaseUrl { get; set; } = new("https://webexapis.com/v1");

    /// <summary>The WxCC organization id. Required.</summary>
    [Required(ErrorMessage = "TeamsConnector:ContactCenter:OrgId is required.")]
    public string? OrgId { get; set; }

    /// <summary>The OAuth client (integration) id. Required.</summary>
    [Required(ErrorMessage = "TeamsConnector:ContactCenter:ClientId is required.")]
    public string? ClientId { get; set; }

    /// <summary>The OAuth client secret. Required; never logged.</summary>
    [Required(ErrorMessage = "TeamsConnector:ContactCenter:ClientSecret is required.")]
    public string? ClientSecret { get; set; }

    /// <summary>
    /// The initial OAuth refresh token. Required; never logged. A rotated refresh token is kept through
    /// <see cref="IRefreshTokenStore"/>, which wins over this value once it holds one.
    /// </summary>
    [Required(ErrorMessage = "TeamsConnector:ContactCenter:RefreshToken is required.")]
    public string? RefreshToken { get; set; }

    /// <summary>
    /// A file that keeps the rotated refresh token across restarts (<see cref="FileRefreshTokenStore"/>); without it
    /// the rotated token lives in memory only, unless you register your own <see cref="IRefreshTokenStore"/>.
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? RefreshTokenFilePath { get; set; }

    /// <summary>The secret of the webhook subscription (32 to 256 characters). Required in webhook mode; never logged.</summary>
    public string? WebhookSecret { get; set; }

    /// <summary>The requests per minute the adapter may make in total (WxCC allows 300 per client id).</summary>
    /// <value>The default value is 300.</value>
    [Range(1, 100_000)]
    public int RequestsPerMinute { get; set; } = 300;

    /// <summary>How agent events arrive.</summary>
    /// <value>The default value is <see cref="ContactCenterEventSource.Webhook"/>.</value>
    [EnumDataType(typeof(ContactCenterEventSource), ErrorMessage = "TeamsConnector:ContactCenter:EventSource must be Webhook or WebSocket.")]
    public ContactCenterEventSource EventSource { get; set; } = ContactCenterEventSource.Webhook;

    /// <summary>
    /// The public URL registered with <c>/v2/subscriptions</c> in webhook mode (HTTPS; plain HTTP is accepted only
    /// on loopback, for the emulator). When not set the subscription is not managed by the connector.
    /// </summary>
    public Uri? WebhookUrl { get; set; }

    /// <summary>The name of the webhook subscription the connector creates or reuses.</summary>
    /// <value>The default value is <c>teams-connector</c>.</value>
    public string WebhookName { get; set; } = "teams-connector";

    /// <summary>How long a signed webhook delivery stays acceptable; older (or replayed) deliveries are refused.</summary>
    /// <value>The default value is 5 minutes.</value>
    [TimeSpanRange("00:00:00.001", null, ErrorMessage = "TeamsConnector:ContactCenter:WebhookReplayWindow must be positive.")]
    public TimeSpan WebhookReplayWindow { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The largest webhook body accepted, in bytes.</summary>
    /// <value>The default value is 65,536.</value>
    [Range(1024, 16 * 1024 * 1024)]
    public int MaxWebhookBodyBytes { get; set; } = 64 * 1024;

    /// <summary>How often agent states are reconciled with <c>GET /v1/agents/activities</c> (also after every reconnect).</summary>
    /// <value>The default value is 5 minutes.</value>
    [TimeSpanRange("00:00:00.001", null, ErrorMessage = "TeamsConnector:ContactCenter:ReconciliationInterval must be positive.")]
    public TimeSpan ReconciliationInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The <c>pageSize</c> of user reads (<c>GET /v2/user</c>, every page, at start and at each roster refresh). WxCC
    /// documents pages of 100 and not its largest size: a larger size cuts the requests of a large organization (30,000
    /// users: 30 requests at 1,000 instead of 300 at 100, of WxCC's 300 a minute). When WxCC refuses the size (400) the
    /// connector reads pages of 100 from then on; when WxCC serves smaller pages than asked, it follows WxCC's size.
    /// </summary>
    /// <value>The default value is 100.</value>
    [Range(1, 1000)]
    public int UsersPageSize { get; set; } = 100;

    /// <summary>How far back reconciliation looks (under 24 hours, as WxCC requires).</summary>
    /// <value>The default value is 12 hours.</value>
    [TimeSpanRange("00:00:00.001", "23:59:59.999", ErrorMessage = "TeamsConnector:ContactCenter:ReconciliationWindow must be positive and under 24 hours (WxCC's limit for agent activities).")]
    public TimeSpan ReconciliationWindow { get; set; } = TimeSpan.FromHours(12);

    /// <summary>How long a desktop profile read is reused before it is read again.</summary>
    /// <value>The default value is 5 minutes.</value>
    [TimeSpanRange("00:00:00.001", null, ErrorMessage = "TeamsConnector:ContactCenter:ProfileRefreshInterval must be positive.")]
    public TimeSpan ProfileRefreshInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How many times a state write is tried before it is reported as failed (429 responses are not counted).</summary>
    /// <value>The default value is 5.</value>
    [Range(1, 100)]
    public int MaxWriteAttempts { get; set; } = 5;

    /// <summary>How many state writes may be in flight at once.</summary>
    /// <value>The default value is 8.</value>
    [Range(1, 256)]
    public int MaxConcurrentWrites { get; set; } = 8;

    /// <summary>The timeout of one HTTP request.</summary>
    /// <value>The default value is 30 seconds.</value>
    [TimeSpanRange("00:00:00.001", null, ErrorMessage = "TeamsConnector:ContactCenter:RequestTimeout must be positive.")]
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
