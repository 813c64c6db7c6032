using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Webex.TeamsConnector;

/// <summary>
/// The connector's own settings, bound from the <c>TeamsConnector</c> configuration section (the adapters bind
/// <c>TeamsConnector:Graph</c> and <c>TeamsConnector:ContactCenter</c> themselves).
/// </summary>
public sealed class TeamsConnectorOptions
{
    /// <summary>The sync rules' settings (<c>TeamsConnector:StateSync</c>).</summary>
    [ValidateObjectMembers]
    public StateSyncOptions StateSync { get; set; } = new();

    /// <summary>Connector administration (<c>TeamsConnector:Admin</c>).</summary>
    [ValidateObjectMembers]
    public ConnectorAdminOptions Admin { get; set; } = new();
}

/// <summary>Settings of the sync rules (<c>TeamsConnector:StateSync</c>).</summary>
public sealed class StateSyncOptions
{
    /// <summary>
    /// Teams states mapped to WxCC idle code ids (<c>IdleCodes:DoNotDisturb</c>, <c>IdleCodes:InACall</c>,
    /// <c>IdleCodes:Presenting</c>, and the extended states). An unmapped state leaves the agent free.
    /// </summary>
    /// <value>The default value is empty: nothing is mapped, and presence sync changes no agent state.</value>
    public Dictionary<string, string> IdleCodes { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The <c>lastStateChangeReason</c> the connector writes and recognises as its own (at most 128 characters).</summary>
    /// <value>The default value is <c>teams-presence-sync</c>.</value>
    public string ReasonMarker { get; set; } = OriginClassifier.DefaultReasonMarker;

    /// <summary>
    /// From which Available states a mapped Teams state engages the agent: <c>AnyAvailable</c>, or
    /// <c>PresenceSyncOrigin</c> (only an Available that presence sync set; not one the agent, a supervisor, RONA or the
    /// system set).
    /// </summary>
    /// <value>The default value is <see cref="Webex.TeamsConnector.EngageFrom.AnyAvailable"/>.</value>
    [EnumDataType(typeof(EngageFrom))]
    public EngageFrom EngageFrom { get; set; } = EngageFrom.AnyAvailable;

    /// <summary>
    /// Whether Teams inactivity never engages: <c>AvailableIdle</c>, <c>BusyIdle</c> and an <c>Away</c> that follows
    /// them with nothing else seen in between count as free, even when <c>Away</c> or <c>Busy</c> is mapped.
    /// </summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool IgnoreInactivity { get; set; } = true;

    /// <summary>
    /// What Teams shows while the agent is on a voice contact, as <c>Availability/Activity</c>, or <c>None</c> (the
    /// single-value form of <c>ContactPresence</c>; <see cref="ContactPresences"/> <c>Telephony</c> wins when both are given).
    /// </summary>
    /// <value>The default value is <c>Busy/InACall</c>.</value>
    public string ContactPresence { get; set; } = "Busy/InACall";

    /// <summary>
    /// What Teams shows while the agent has a contact on a channel, per channel (<c>ContactPresence:Telephony</c>,
    /// <c>ContactPresence:Chat</c>, <c>ContactPresence:Email</c>, <c>ContactPresence:Social</c>), each as
    /// <c>Availability/Activity</c> or <c>None</c>. <c>Telephony</c> replaces <see cref="ContactPresence"/>; a digital
    /// channel not given shows nothing.
    /// </summary>
    /// <value>The default value is empty: telephony shows <see cref="ContactPresence"/>, chat, email and social nothing.</value>
    [ConfigurationKeyName("ContactPresence")]
    public Dictionary<string, string> ContactPresences { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Whether Teams keeps showing <see cref="ContactPresence"/> during wrap-up.</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool KeepContactPresenceDuringWrapUp { get; set; } = true;

    /// <summary>
    /// Idle code ids that are shown in Teams when the agent sets them (not a supervisor, RONA, the system or presence
    /// sync), each as one of the pairs <c>setPresence</c> accepts (for example
    /// <c>IdleCodePresences:&lt;id&gt; = Away/Away</c>).
    /// </summary>
    /// <value>The default value is empty.</value>
    public Dictionary<string, string> IdleCodePresences { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The <c>expirationDuration</c> sent with <c>setPresence</c> (PT5M..PT4H).</summary>
    /// <value>The default value is one hour.</value>
    public TimeSpan PublishExpiration { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long before expiry a published presence is published again.</summary>
    /// <value>The default value is five minutes.</value>
    public TimeSpan PublishRefreshMargin { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long a stale echo of a cleared presence is ignored.</summary>
    /// <value>The default value is ten seconds.</value>
    public TimeSpan EchoGracePeriod { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a state write may wait for its confirming event before the state is decided again.</summary>
    /// <value>The default value is one minute.</value>
    public TimeSpan PendingWriteTimeout { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How far ahead of the connector's clock an agent event may be dated (<c>lastStateChangeTimestamp</c> or
    /// <c>createdTime</c>); later ones are rejected and counted (<c>agent_event_clock_skew</c>). States read from WxCC
    /// by reconciliation always correct the agent.
    /// </summary>
    /// <value>The default value is five minutes.</value>
    public TimeSpan MaxEventClockSkew { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The first back-off after WxCC refused or failed a state write; it doubles with each failure in a row.</summary>
    /// <value>The default value is five seconds.</value>
    public TimeSpan WriteRetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The longest back-off between attempts of a refused or failed state write.</summary>
    /// <value>The default value is five minutes.</value>
    public TimeSpan WriteRetryMaxDelay { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long a read of an agent's current state (before a release or remap) may go unanswered before it is asked again.</summary>
    /// <value>The default value is ten seconds.</value>
    public TimeSpan VerifyTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often users, desktop profiles and the presence-sync setting are read again.</summary>
    /// <value>The default value is five minutes.</value>
    [TimeSpanRange("00:00:00.001", null, ErrorMessage = "TeamsConnector:StateSync:RosterRefreshInterval must be positive.")]
    public TimeSpan RosterRefreshInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How often the organization's presence-sync setting is read (one GET): sync stops within this time of the setting
    /// being turned off, and resumes within it of the setting being turned on.
    /// </summary>
    /// <value>The default value is one minute.</value>
    [TimeSpanRange("00:00:00.010", "01:00:00", ErrorMessage = "TeamsConnector:StateSync:PresenceSyncCheckInterval must be between 00:00:00.010 and 01:00:00.")]
    public TimeSpan PresenceSyncCheckInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The longest the host waits between timer checks of the sync engine.</summary>
    /// <value>The default value is one second.</value>
    [TimeSpanRange("00:00:00.001", "00:01:00", ErrorMessage = "TeamsConnector:StateSync:TimerResolution must be between zero and one minute.")]
    public TimeSpan TimerResolution { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Whether every agent of the organization whose desktop profile enables Teams state synchronization is synced.
    /// When <see langword="false"/>, only <see cref="Agents"/> are.
    /// </summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool SyncAllEligibleAgents { get; set; } = true;

    /// <summary>Agent e-mail addresses (or ids) to sync when <see cref="SyncAllEligibleAgents"/> is off.</summary>
    /// <value>The default value is empty.</value>
    public List<string> Agents { get; set; } = [];
}

/// <summary>Connector administration settings (<c>TeamsConnector:Admin</c>).</summary>
public sealed class ConnectorAdminOptions
{
    /// <summary>
    /// The Entra ID authority host for the admin sign-in (OpenID Connect metadata at
    /// <c>{host}/{tenant}/v2.0/.well-known/openid-configuration</c>) and the admin-consent URL. https, or http on loopback
    /// (the emulator).
    /// </summary>
    /// <value>The default value is <c>https://login.microsoftonline.com</c>.</value>
    public Uri AuthorityHost { get; set; } = new("https://login.microsoftonline.com");

    /// <summary>The application (client) id for the admin-consent URL.</summary>
    /// <value>The default value is <see langword="null"/>: taken from <c>TeamsConnector:Graph:ClientId</c>.</value>
    public string? ClientId { get; set; }

    /// <summary>The Entra ID tenant id expected in the consent response.</summary>
    /// <value>The default value is <see langword="null"/>: taken from <c>TeamsConnector:Graph:TenantId</c>.</value>
    public string? TenantId { get; set; }

    /// <summary>Where Entra ID sends the administrator back after consent (the app's consent callback endpoint).</summary>
    /// <value>The default value is <see langword="null"/>: authorize is unavailable until it is set.</value>
    public Uri? ConsentRedirectUri { get; set; }

    /// <summary>Where Entra ID sends the administrator back after sign-in (the app's sign-in callback endpoint).</summary>
    /// <value>The default value is <see langword="null"/>: <c>signin</c> beside <see cref="ConsentRedirectUri"/> (for example <c>.../admin/signin</c>).</value>
    public Uri? SignInRedirectUri { get; set; }

    /// <summary>The most sign-in and consent <c>state</c> values pending at once; more starts are refused until some are used or expire.</summary>
    /// <value>The default value is 256.</value>
    [Range(1, 100_000, ErrorMessage = "TeamsConnector:Admin:MaxPendingSignIns must be 1 to 100000.")]
    public int MaxPendingSignIns { get; set; } = 256;

    /// <summary>How long the tenant's OpenID Connect metadata and signing keys are cached (an unknown key id reads them again sooner).</summary>
    /// <value>The default value is 24 hours.</value>
    [TimeSpanRange("00:05:00", "7.00:00:00", ErrorMessage = "TeamsConnector:Admin:SigningKeysLifetime must be 5 minutes to 7 days.")]
    public TimeSpan SigningKeysLifetime { get; set; } = TimeSpan.FromHours(24);

    /// <summary>The clock skew allowed when the ID token's lifetime is checked.</summary>
    /// <value>The default value is five minutes.</value>
    [TimeSpanRange("00:00:00", "00:10:00", ErrorMessage = "TeamsConnector:Admin:TokenClockSkew must be 0 to 10 minutes.")]
    public TimeSpan TokenClockSkew { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>A JSON file that keeps the connector's status and desktop-profile settings across restarts.</summary>
    /// <value>The default value is <see langword="null"/>: kept in memory.</value>
    public string? StateFilePath { get; set; }

    /// <summary>How long a sign-in or admin-consent <c>state</c> value stays valid.</summary>
    /// <value>The default value is fifteen minutes.</value>
    [TimeSpanRange("00:00:00.001", null, ErrorMessage = "TeamsConnector:Admin:ConsentTimeout must be positive.")]
    public TimeSpan ConsentTimeout { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// The status the connector starts in when nothing is stored yet. Deployments that were authorized outside this
    /// library (for example with an app registration made by hand) start <see cref="ConnectorState.Active"/>.
    /// </summary>
    /// <value>The default value is <see cref="ConnectorState.Active"/>.</value>
    [EnumDataType(typeof(ConnectorState), ErrorMessage = "TeamsConnector:Admin:InitialState must be NotConfigured, Active, Inactive or Deleted.")]
    public ConnectorState InitialState { get; set; } = ConnectorState.Active;
}
