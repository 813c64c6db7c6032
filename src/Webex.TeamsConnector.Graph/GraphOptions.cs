using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography.X509Certificates;

namespace Webex.TeamsConnector.Graph;

/// <summary>Where Teams presence comes from.</summary>
public enum GraphPresenceSource
{
    /// <summary>
    /// <c>POST /communications/getPresencesByUserId</c> every <see cref="GraphOptions.PollInterval"/>; works with
    /// application permissions (<c>Presence.Read.All</c>).
    /// </summary>
    Polling = 0,

    /// <summary>
    /// Change notifications (webhooks) plus a slow reconciliation poll; Graph allows presence subscriptions with
    /// delegated permissions only, so register the service account's <c>TokenCredential</c> under the key
    /// <see cref="GraphCredentials.Subscriptions"/> (used for subscriptions only).
    /// </summary>
    ChangeNotifications = 1,
}

/// <summary>
/// Settings of the Microsoft Graph adapter, bound from <c>TeamsConnector:Graph</c>. Unknown keys are refused and
/// every error is listed at start.
/// </summary>
public sealed class GraphOptions
{
    /// <summary>The default Graph base URL.</summary>
    public static readonly Uri DefaultBaseUrl = new("https://graph.microsoft.com/v1.0");

    /// <summary>The Graph base URL, including the version (national clouds or the emulator).</summary>
    /// <value>The default value is <c>https://graph.microsoft.com/v1.0</c>.</value>
    public Uri BaseUrl { get; set; } = DefaultBaseUrl;

    /// <summary>The Entra ID tenant id; notifications from any other tenant are rejected.</summary>
    public string? TenantId { get; set; }

    /// <summary>The application (client) id; also the session id of the presence the connector publishes.</summary>
    public string? ClientId { get; set; }

    /// <summary>
    /// The application's client secret (or use <see cref="CertificatePath"/>, or register the application's
    /// <c>TokenCredential</c>, unkeyed, in the services).
    /// </summary>
    public string? ClientSecret { get; set; }

    /// <summary>A client certificate file (PFX or PEM with the private key) to authenticate with.</summary>
    public string? CertificatePath { get; set; }

    /// <summary>The password of <see cref="CertificatePath"/>, if any.</summary>
    public string? CertificatePassword { get; set; }

    /// <summary>The Entra ID authority host (national clouds); Azure.Identity's default when <see langword="null"/>.</summary>
    public Uri? AuthorityHost { get; set; }

    /// <summary>Where presence comes from.</summary>
    /// <value>The default value is <see cref="GraphPresenceSource.Polling"/>.</value>
    [EnumDataType(typeof(GraphPresenceSource), ErrorMessage = "TeamsConnector:Graph:PresenceSource must be Polling or ChangeNotifications.")]
    public GraphPresenceSource PresenceSource { get; set; } = GraphPresenceSource.Polling;

    /// <summary>
    /// How often every watched user is read when polling: <see langword="null"/> (<c>Auto</c> in configuration) for as
    /// often as <see cref="PollBudgetShare"/> of the request budget allows for the watched users, never more often
    /// than <see cref="MinPollInterval"/>; or a fixed interval (lengthened when the budget needs it). Either way the
    /// interval lengthens at once when Graph answers 429 and shortens slowly after.
    /// </summary>
    /// <value>The default value is <see langword="null"/> (<c>Auto</c>).</value>
    [TimeSpanRange("00:00:00.1", "01:00:00", ErrorMessage = "TeamsConnector:Graph:PollInterval must be Auto or from 00:00:00.1000000 to 01:00:00.")]
    public TimeSpan? PollInterval { get; set; }

    /// <summary>
    /// The share of <see cref="RequestsPerWindow"/> that polling may use (0.05..1); the rest, and whatever expert
    /// search and user resolution used in the last window, is left to them.
    /// </summary>
    /// <value>The default value is 0.9 (90 %).</value>
    [Range(0.05, 1.0, ErrorMessage = "TeamsConnector:Graph:PollBudgetShare must be from 0.05 to 1.")]
    public double PollBudgetShare { get; set; } = 0.9;

    /// <summary>The shortest polling cycle, whatever the budget would allow.</summary>
    /// <value>The default value is 250 milliseconds.</value>
    [TimeSpanRange("00:00:00.01", "00:10:00", ErrorMessage = "TeamsConnector:Graph:MinPollInterval must be from 00:00:00.0100000 to 00:10:00.")]
    public TimeSpan MinPollInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>The most user ids per <c>getPresencesByUserId</c> request (1..650).</summary>
    /// <value>The default value is 650.</value>
    [Range(1, PresenceLimits.MaxIdsPerRequest)]
    public int PollBatchSize { get; set; } = 650;

    /// <summary>Requests the application may make to the presence API within <see cref="RequestWindow"/>.</summary>
    /// <value>The default value is 1,500 (Microsoft's limit per application per tenant).</value>
    [Range(10, int.MaxValue)]
    public int RequestsPerWindow { get; set; } = 1500;

    /// <summary>The sliding window of <see cref="RequestsPerWindow"/>.</summary>
    /// <value>The default value is 30 seconds.</value>
    [TimeSpanRange("00:00:01", "01:00:00", ErrorMessage = "TeamsConnector:Graph:RequestWindow must be from 00:00:01 to 01:00:00.")]
    public TimeSpan RequestWindow { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Retries of a request answered 429, 503 or 504, or that failed in transport.</summary>
    /// <value>The default value is 4.</value>
    [Range(0, 20)]
    public int MaxRetryAttempts { get; set; } = 4;

    /// <summary>
    /// The longest back-off between retries when Graph gives no <c>Retry-After</c>. A <c>Retry-After</c> is always
    /// honoured in full (nothing is sent before Graph allows); a longer one is logged as a warning.
    /// </summary>
    /// <value>The default value is 60 seconds.</value>
    [TimeSpanRange("00:00:01", "00:10:00", ErrorMessage = "TeamsConnector:Graph:MaxRetryDelay must be from 00:00:01 to 00:10:00.")]
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long one attempt of a request may take once sent (waiting for the request budget does not count).</summary>
    /// <value>The default value is 30 seconds.</value>
    [TimeSpanRange("00:00:01", "00:10:00", ErrorMessage = "TeamsConnector:Graph:AttemptTimeout must be from 00:00:01 to 00:10:00.")]
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The public URL Graph posts change notifications to (required for change notifications).</summary>
    public Uri? NotificationUrl { get; set; }

    /// <summary>The public URL for lifecycle notifications.</summary>
    /// <value>The default value is <see cref="NotificationUrl"/>.</value>
    public Uri? LifecycleNotificationUrl { get; set; }

    /// <summary>
    /// The secret <c>clientState</c> of the subscriptions (at most 128 characters); a random one is made at start
    /// when <see langword="null"/>. Set it when several instances share subscriptions.
    /// </summary>
    [StringLength(128, MinimumLength = 1, ErrorMessage = "TeamsConnector:Graph:NotificationClientState must be 1 to 128 characters.")]
    public string? NotificationClientState { get; set; }

    /// <summary>The lifetime asked for a subscription (at most 60 minutes).</summary>
    /// <value>The default value is 60 minutes.</value>
    [TimeSpanRange("00:05:00", "01:00:00", ErrorMessage = "TeamsConnector:Graph:SubscriptionLifetime must be from 00:05:00 to 01:00:00.")]
    public TimeSpan SubscriptionLifetime { get; set; } = TimeSpan.FromMinutes(60);

    /// <summary>How long before expiry a subscription is renewed.</summary>
    /// <value>The default value is 10 minutes.</value>
    public TimeSpan SubscriptionRenewalMargin { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How often every watched user is read anyway with change notifications, to catch what they missed.</summary>
    /// <value>The default value is 5 minutes.</value>
    [TimeSpanRange("00:00:10", "1.00:00:00", ErrorMessage = "TeamsConnector:Graph:ReconciliationInterval must be from 00:00:10 to 1.00:00:00.")]
    public TimeSpan ReconciliationInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// A certificate file (PFX with the private key) for rich notifications: Graph encrypts the presence with its
    /// public key. Without one, notifications are basic and each is followed by a read of the presence.
    /// </summary>
    public string? EncryptionCertificatePath { get; set; }

    /// <summary>The password of <see cref="EncryptionCertificatePath"/>, if any.</summary>
    public string? EncryptionCertificatePassword { get; set; }


    /// <summary>The id sent as <c>encryptionCertificateId</c>; notifications carrying another id are rejected.</summary>
    /// <value>The default value is the certificate's thumbprint.</value>
    public string? EncryptionCertificateId { get; set; }

    /// <summary>The largest notification body accepted, in bytes (a batch of 1,000 rich notifications is about 1.3 MB).</summary>
    /// <value>The default value is 4 MiB.</value>
    [Range(1024, 64 * 1024 * 1024)]
    public int MaxNotificationBodyBytes { get; set; } = 4 * 1024 * 1024;

    // A field, not a property: the configuration binder must not see it.
    private X509Certificate2? _encryptionCertificate;

    /// <summary>Explicit e-mail / UPN to object id mappings, consulted before Graph (<c>Graph:UserIdOverrides:ann@contoso.com</c>).</summary>
    public IDictionary<string, string> UserIdOverrides { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>How long a resolved user id is cached.</summary>
    /// <value>The default value is 1 hour.</value>
    [TimeSpanRange("00:00:00", "7.00:00:00", ErrorMessage = "TeamsConnector:Graph:UserCacheDuration must be from 00:00:00 to 7.00:00:00.")]
    public TimeSpan UserCacheDuration { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long "no such user" is cached.</summary>
    /// <value>The default value is 5 minutes.</value>
    [TimeSpanRange("00:00:00", "1.00:00:00", ErrorMessage = "TeamsConnector:Graph:UserNotFoundCacheDuration must be from 00:00:00 to 1.00:00:00.")]
    public TimeSpan UserNotFoundCacheDuration { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The most resolved (or not found) users kept in the identity cache; the oldest go first when it is full.</summary>
    /// <value>The default value is 100,000.</value>
    [Range(1, 10_000_000)]
    public int UserCacheSize { get; set; } = 100_000;

    /// <summary>The most expert presences kept in the cache; the oldest go first when it is full.</summary>
    /// <value>The default value is 10,000.</value>
    [Range(1, 10_000_000)]
    public int ExpertPresenceCacheSize { get; set; } = 10_000;

    /// <summary>How long the presence shown with expert search results is cached.</summary>
    /// <value>The default value is 30 seconds.</value>
    [TimeSpanRange("00:00:00", "01:00:00", ErrorMessage = "TeamsConnector:Graph:ExpertPresenceCacheDuration must be from 00:00:00 to 01:00:00.")]
    public TimeSpan ExpertPresenceCacheDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The most pages of users read for one expert search.</summary>
    /// <value>The default value is 10.</value>
    [Range(1, 100)]
    public int MaxExpertSearchPages { get; set; } = 10;

    /// <summary>
    /// Uses a certificate (with its RSA private key) for rich notifications, given in code instead of
    /// <see cref="EncryptionCertificatePath"/>. The caller keeps ownership of it.
    /// </summary>
    /// <param name="certificate">The certificate.</param>
    public void UseEncryptionCertificate(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        _encryptionCertificate = certificate;
    }

    /// <summary>The encryption certificate given with <see cref="UseEncryptionCertificate"/>.</summary>
    /// <returns>The certificate, or <see langword="null"/>.</returns>
    internal X509Certificate2? GetEncryptionCertificate() => _encryptionCertificate;
}
