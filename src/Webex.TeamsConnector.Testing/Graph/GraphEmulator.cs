using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Webex.TeamsConnector.Testing;

/// <summary>
/// A loopback emulator of the Microsoft Graph presence API (real HTTP on 127.0.0.1, random port): users with
/// <c>$search</c> / <c>$filter</c> / <c>$select</c> / <c>$top</c> / paging, presence reading and publishing with
/// Microsoft's aggregation, change-notification subscriptions with the validation handshake and basic, rich
/// (encrypted) and lifecycle notifications, the 1,500 requests / 30 s presence budget, and fault modes.
/// </summary>
/// <example>
/// <code>
/// await using var graph = await GraphEmulator.StartAsync();
/// var ann = graph.AddUser("Ann Lee", department: "Tax", jobTitle: "Tax advisor", businessPhone: "+41 44 668 18 00");
/// graph.SetPresence(ann, "Busy", "InACall");   // as the Teams client would
/// // point TeamsConnector:Graph:BaseUrl at graph.BaseUrl
/// </code>
/// </example>
public sealed partial class GraphEmulator : IAsyncDisposable
{
    private const string ConsistencyLevel = "ConsistencyLevel";
    private static readonly string[] s_defaultUserFields = ["id", "displayName", "jobTitle", "mail", "userPrincipalName", "businessPhones"];
    private static readonly string[] s_userFields = ["id", "displayName", "jobTitle", "department", "mail", "userPrincipalName", "businessPhones"];
    private static readonly HashSet<string> s_publishable = new(StringComparer.OrdinalIgnoreCase)
    {
        "Available/Available", "Busy/InACall", "Busy/InAConferenceCall", "Away/Away", "DoNotDisturb/Presenting",
    };

    private readonly WebApplication _app;
    private readonly GraphEmulatorOptions _options;
    private readonly EmulatedTenant _tenant;
    private readonly NotificationDispatcher _dispatcher;
    private readonly long[] _counts = new long[Enum.GetValues<GraphEmulatorOperation>().Length];
    private readonly Lock _logGate = new();
    private readonly List<GraphEmulatorRequest> _log = [];
    private readonly Queue<DateTimeOffset> _budget = new();
    private long _throttled;
    private long _nextSubscription;

    private GraphEmulator(WebApplication app, GraphEmulatorOptions options)
    {
        _app = app;
        _options = options;
        Faults = new GraphEmulatorFaults();
        _dispatcher = new NotificationDispatcher(options, Faults, Changed);
        _tenant = new EmulatedTenant(options, OnPresenceChanged);
        Authority = new EmulatedAuthority(options.TimeProvider, options.TenantId);
    }

    /// <summary>The emulated Entra ID (OpenID Connect) authority on the same host, for the admin sign-in.</summary>
    public EmulatedAuthority Authority { get; }

    /// <summary>The Graph base URL to give the client, ending in <c>/v1.0</c> (for example <c>http://127.0.0.1:5123/v1.0</c>).</summary>
    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>The tenant id reported in notifications.</summary>
    public string TenantId => _options.TenantId;

    /// <summary>The fault switches.</summary>
    public GraphEmulatorFaults Faults { get; }

    /// <summary>The number of users.</summary>
    public int UserCount => _tenant.UserCount;

    /// <summary>Requests answered with 429 because of the presence budget or <see cref="GraphEmulatorFaults.ThrottleNext"/>.</summary>
    public long ThrottledRequests => Interlocked.Read(ref _throttled);

    /// <summary>Change and lifecycle notifications delivered with a 2xx answer.</summary>
    public long NotificationsDelivered => _dispatcher.Delivered;

    /// <summary>Notifications the subscriber failed (non-2xx answer or connection error).</summary>
    public long NotificationsFailed => _dispatcher.Failed;

    /// <summary>Notifications not sent because the subscription was silenced or awaits reauthorization.</summary>
    public long NotificationsSuppressed => _dispatcher.Suppressed;

    /// <summary>The current subscriptions (expired ones are gone).</summary>
    public IReadOnlyList<EmulatedSubscription> Subscriptions => [.. _tenant.Subscriptions().Select(s => s.ToPublic())];

    /// <summary>Every request answered so far (with the time it arrived), in the order of the answers.</summary>
    public IReadOnlyList<GraphEmulatorRequest> Requests
    {
        get
        {
            lock (_logGate)
            {
                return [.. _log];
            }
        }
    }

    /// <summary>Starts an emulator on 127.0.0.1 with a random port.</summary>
    /// <param name="options">Its settings, or the defaults.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running emulator; dispose it to stop.</returns>
    public static async Task<GraphEmulator> StartAsync(GraphEmulatorOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new GraphEmulatorOptions();
        ArgumentNullException.ThrowIfNull(options.TimeProvider);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ApplicationName = typeof(GraphEmulator).Assembly.GetName().Name });
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, 0);
            k.AddServerHeader = false;
        });
        var app = builder.Build();
        var emulator = new GraphEmulator(app, options);
        app.Run(emulator.HandleAsync);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        emulator.BaseUrl = new Uri(address.TrimEnd('/') + "/v1.0");
        emulator.Authority.Host = new Uri(address.TrimEnd('/') + "/");
        return emulator;
    }

    /// <summary>Adds a user and returns the object id.</summary>
    /// <param name="user">The user.</param>
    /// <returns>The object id.</returns>
    public string AddUser(EmulatedUser user)
    {
        var id = _tenant.AddUser(user);
        Changed();
        return id;
    }

    /// <summary>Adds a user and returns the object id.</summary>
    /// <param name="displayName">The display name.</param>
    /// <param name="department">The department.</param>
    /// <param name="jobTitle">The job title.</param>
    /// <param name="businessPhone">A business phone, as written in the directory.</param>
    /// <param name="mail">The e-mail address (also the user principal name); derived from the name when omitted.</param>
    /// <returns>The object id.</returns>
    public string AddUser(string displayName, string? department = null, string? jobTitle = null, string? businessPhone = null, string? mail = null) =>
        AddUser(new EmulatedUser
        {
            DisplayName = displayName,
            Department = department,
            JobTitle = jobTitle,
            Mail = mail,
            UserPrincipalName = mail,
            BusinessPhones = businessPhone is null ? [] : [businessPhone],
        });

    /// <summary>Adds <paramref name="count"/> users named <c>User 1</c>, <c>User 2</c>, ... and returns their ids.</summary>
    /// <param name="count">How many.</param>
    /// <returns>The object ids, in order.</returns>
    public IReadOnlyList<string> AddUsers(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var ids = new string[count];
        for (var i = 0; i < count; i++)
        {
            ids[i] = _tenant.AddUser(new EmulatedUser { DisplayName = string.Create(CultureInfo.InvariantCulture, $"User {i + 1}") });
        }

        Changed();
        return ids;
    }

    /// <summary>Sets what the user's Teams client reports (for example <c>Busy/InACall</c> during a Teams call).</summary>
    /// <param name="userId">The user's object id.</param>
    /// <param name="availability">The availability.</param>
    /// <param name="activity">The activity.</param>
    public void SetPresence(string userId, string availability, string activity)
    {
        ArgumentException.ThrowIfNullOrEmpty(availability);
        ArgumentException.ThrowIfNullOrEmpty(activity);
        _tenant.SetClientPresence(userId, availability, activity);
    }

    /// <summary>Sets the presence the user chose by hand in Teams; it beats every session.</summary>
    /// <param name="userId">The user's object id.</param>
    /// <param name="availability">The availability.</param>
    /// <param name="activity">The activity.</param>
    /// <param name="expiration">When it ends by itself, or never.</param>
    public void SetPreferredPresence(string userId, string availability, string activity, TimeSpan? expiration = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(availability);
        ArgumentException.ThrowIfNullOrEmpty(activity);
        _tenant.SetPreferredPresence(userId, availability, activity, expiration);
    }

    /// <summary>Removes the presence the user chose by hand.</summary>
    /// <param name="userId">The user's object id.</param>
    public void ClearPreferredPresence(string userId) => _tenant.ClearPreferredPresence(userId);

    /// <summary>Signs the user's Teams client out: only application sessions remain (Offline when none).</summary>
    /// <param name="userId">The user's object id.</param>
    public void SignOut(string userId) => _tenant.SignOut(userId);

    /// <summary>The user's aggregated presence, as Graph would return it now.</summary>
    /// <param name="userId">The user's object id.</param>
    /// <returns>The presence.</returns>
    public EmulatedPresence GetPresence(string userId) =>
        _tenant.GetPresence(_tenant.FindUser(userId) ?? throw new ArgumentException($"No user '{userId}'.", nameof(userId)));

    /// <summary>The application sessions published for a user (expired ones are gone), oldest first.</summary>
    /// <param name="userId">The user's object id.</param>
    /// <returns>The sessions.</returns>
    public IReadOnlyList<EmulatedPresenceSession> GetSessions(string userId) => _tenant.Sessions(userId);

    /// <summary>The number of requests of one operation answered so far (whatever the status).</summary>
    /// <param name="operation">The operation.</param>
    /// <returns>The count.</returns>
    public long RequestCount(GraphEmulatorOperation operation) => Interlocked.Read(ref _counts[(int)operation]);

    /// <summary>The number of requests answered so far.</summary>
    /// <returns>The count.</returns>
    public long RequestCount() => _counts.Sum();

    /// <summary>The most requests of an operation that arrived within any sliding window of the given length.</summary>
    /// <param name="operation">The operation, or every operation when <see langword="null"/>.</param>
    /// <param name="window">The window (30 seconds by default).</param>
    /// <returns>The peak count.</returns>
    public int PeakRequests(GraphEmulatorOperation? operation = null, TimeSpan? window = null) =>
        Peak(Requests.Where(r => operation is null || r.Operation == operation).Select(r => r.At), window ?? _options.ThrottleWindow);

    /// <summary>
    /// The most requests that counted against the request budget (each request inside a <c>$batch</c>, never the
    /// envelope) within any sliding window of the given length: what a client must keep at or under the limit.
    /// </summary>
    /// <param name="window">The window (<see cref="GraphEmulatorOptions.ThrottleWindow"/> by default).</param>
    /// <returns>The peak count.</returns>
    public int PeakBudgetedRequests(TimeSpan? window = null) =>
        Peak(Requests.Where(static r => r.CountsAgainstBudget).Select(static r => r.At), window ?? _options.ThrottleWindow);

    private static int Peak(IEnumerable<DateTimeOffset> arrivals, TimeSpan length)
    {
        var times = arrivals.Order().ToArray();
        var peak = 0;
        var start = 0;
        for (var end = 0; end < times.Length; end++)
        {
            while (times[end] - times[start] >= length)
            {
                start++;
            }

            peak = Math.Max(peak, end - start + 1);
        }

        return peak;
    }

    /// <summary>Sends a lifecycle notification for a subscription to its lifecycleNotificationUrl.</summary>
    /// <param name="subscriptionId">The subscription.</param>
    /// <param name="lifecycleEvent">The event; <see cref="GraphLifecycleEvent.SubscriptionRemoved"/> also removes it.</param>
    /// <param name="cancellationToken">Cancels the delivery.</param>
    /// <returns>A task that completes when the subscriber answered.</returns>
    public async Task SendLifecycleNotificationAsync(string subscriptionId, GraphLifecycleEvent lifecycleEvent, CancellationToken cancellationToken = default)
    {
        var subscription = _tenant.FindSubscription(subscriptionId) ?? throw new ArgumentException($"No subscription '{subscriptionId}'.", nameof(subscriptionId));
        if (lifecycleEvent == GraphLifecycleEvent.SubscriptionRemoved)
        {
            _tenant.RemoveSubscription(subscriptionId);
        }
        else if (lifecycleEvent == GraphLifecycleEvent.ReauthorizationRequired)
        {
            _tenant.UpdateSubscription(subscriptionId, s => s.NeedsReauthorization = true);
        }

        Changed();
        await _dispatcher.SendLifecycleAsync(subscription, lifecycleEvent, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes a subscription without telling the subscriber (as an expiry or an administrator would).</summary>
    /// <param name="subscriptionId">The subscription.</param>
    /// <returns><see langword="true"/> when it existed.</returns>
    public bool RemoveSubscription(string subscriptionId)
    {
        var removed = _tenant.RemoveSubscription(subscriptionId);
        Changed();
        return removed;
    }

    /// <summary>Delivers the notifications held back by <see cref="GraphEmulatorFaults.ReorderNotifications"/>, newest first.</summary>
    /// <param name="cancellationToken">Cancels the delivery.</param>
    /// <returns>A task that completes when the subscriber answered.</returns>
    public Task FlushNotificationsAsync(CancellationToken cancellationToken = default) => _dispatcher.FlushAsync(cancellationToken);

    /// <summary>Stops the server and the notification delivery.</summary>
    /// <returns>A task that completes when stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        await _dispatcher.DisposeAsync().ConfigureAwait(false);
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        Authority.Dispose();
    }

    private void OnPresenceChanged(EmulatedTenant.UserRecord user, EmulatedPresence presence)
    {
        foreach (var subscription in _tenant.SubscriptionsFor(user.Id))
        {
            _dispatcher.Enqueue(subscription, user.Id, presence);
        }

        Changed();
    }

    private void Record(GraphEmulatorOperation operation, DateTimeOffset arrived, int status, string path, string? token, bool budgeted, bool insideBatch = false)
    {
        Interlocked.Increment(ref _counts[(int)operation]);
        if (status == 429)
        {
            Interlocked.Increment(ref _throttled);
        }

        lock (_logGate)
        {
            _log.Add(new GraphEmulatorRequest(operation, arrived, status) { Path = path, BearerToken = token, CountsAgainstBudget = budgeted, InsideBatch = insideBatch });
        }

        Changed();
    }
}
