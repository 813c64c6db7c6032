using System.Buffers;
using System.Globalization;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Xml;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
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
public sealed class GraphEmulator : IAsyncDisposable
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
        _dispatcher = new NotificationDispatcher(options, Faults);
        _tenant = new EmulatedTenant(options, OnPresenceChanged);
    }

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
        return emulator;
    }

    /// <summary>Adds a user and returns the object id.</summary>
    /// <param name="user">The user.</param>
    /// <returns>The object id.</returns>
    public string AddUser(EmulatedUser user) => _tenant.AddUser(user);

    /// <summary>Adds a user and returns the object id.</summary>
    /// <param name="displayName">The display name.</param>
    /// <param name="department">The department.</param>
    /// <param name="jobTitle">The job title.</param>
    /// <param name="businessPhone">A business phone, as written in the directory.</param>
    /// <param name="mail">The e-mail address (also the user principal name); derived from the name when omitted.</param>
    /// <returns>The object id.</returns>
    public string AddUser(string displayName, string? department = null, string? jobTitle = null, string? businessPhone = null, string? mail = null) =>
        _tenant.AddUser(new EmulatedUser
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
    public int PeakRequests(GraphEmulatorOperation? operation = null, TimeSpan? window = null)
    {
        var length = window ?? _options.ThrottleWindow;
        var times = Requests.Where(r => operation is null || r.Operation == operation).Select(r => r.At).ToArray();
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

        await _dispatcher.SendLifecycleAsync(subscription, lifecycleEvent, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes a subscription without telling the subscriber (as an expiry or an administrator would).</summary>
    /// <param name="subscriptionId">The subscription.</param>
    /// <returns><see langword="true"/> when it existed.</returns>
    public bool RemoveSubscription(string subscriptionId) => _tenant.RemoveSubscription(subscriptionId);

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
    }

    private static GraphEmulatorOperation Classify(string method, string[] segments)
    {
        return (method, segments) switch
        {
            ("POST", ["communications", "getPresencesByUserId"]) => GraphEmulatorOperation.GetPresencesByUserId,
            ("GET", ["communications", "presences", _]) => GraphEmulatorOperation.GetPresence,
            ("GET", ["users", _, "presence"]) => GraphEmulatorOperation.GetPresence,
            ("POST", ["users", _, "presence", "setPresence"]) => GraphEmulatorOperation.SetPresence,
            ("POST", ["users", _, "presence", "clearPresence"]) => GraphEmulatorOperation.ClearPresence,
            ("GET", ["users"]) => GraphEmulatorOperation.ListUsers,
            ("GET", ["users", _]) => GraphEmulatorOperation.GetUser,
            ("POST", ["subscriptions"]) => GraphEmulatorOperation.CreateSubscription,
            ("GET", ["subscriptions"]) or ("GET", ["subscriptions", _]) => GraphEmulatorOperation.GetSubscriptions,
            ("PATCH", ["subscriptions", _]) => GraphEmulatorOperation.RenewSubscription,
            ("DELETE", ["subscriptions", _]) => GraphEmulatorOperation.DeleteSubscription,
            ("POST", ["subscriptions", _, "reauthorize"]) => GraphEmulatorOperation.ReauthorizeSubscription,
            _ => GraphEmulatorOperation.Other,
        };
    }

    private static bool IsPresenceBudget(GraphEmulatorOperation operation) => operation is
        GraphEmulatorOperation.GetPresencesByUserId or GraphEmulatorOperation.GetPresence or
        GraphEmulatorOperation.SetPresence or GraphEmulatorOperation.ClearPresence;

    private static Task WriteErrorAsync(HttpContext context, int status, string code, string message) =>
        WriteJsonAsync(context, status, w =>
        {
            w.WriteStartObject("error");
            w.WriteString("code", code);
            w.WriteString("message", message);
            w.WriteStartObject("innerError");
            w.WriteString("request-id", Guid.NewGuid().ToString("D"));
            w.WriteEndObject();
            w.WriteEndObject();
        });

    private static async Task WriteJsonAsync(HttpContext context, int status, Action<Utf8JsonWriter> body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        using (var writer = new Utf8JsonWriter(context.Response.BodyWriter))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }

        await context.Response.BodyWriter.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }

    private static void WritePresence(Utf8JsonWriter writer, string id, EmulatedPresence presence)
    {
        writer.WriteString("id", id);
        writer.WriteString("availability", presence.Availability);
        writer.WriteString("activity", presence.Activity);
        writer.WriteString("sequenceNumber", presence.SequenceNumber);
        writer.WriteNull("statusMessage");
        writer.WriteStartObject("outOfOfficeSettings");
        writer.WriteNull("message");
        writer.WriteBoolean("isOutOfOffice", false);
        writer.WriteEndObject();
    }

    private static void WriteUser(Utf8JsonWriter writer, EmulatedTenant.UserRecord user, string[] fields)
    {
        writer.WriteStartObject();
        foreach (var field in fields)
        {
            switch (field)
            {
                case "businessPhones":
                    writer.WriteStartArray("businessPhones");
                    foreach (var phone in user.BusinessPhones)
                    {
                        writer.WriteStringValue(phone);
                    }

                    writer.WriteEndArray();
                    break;
                default:
                    writer.WriteString(field, user.Get(field));
                    break;
            }
        }

        writer.WriteEndObject();
    }

    private static async Task<JsonDocument?> ReadJsonAsync(HttpContext context)
    {
        try
        {
            return await JsonDocument.ParseAsync(context.Request.Body, default, context.RequestAborted).ConfigureAwait(false);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? GetString(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private void OnPresenceChanged(EmulatedTenant.UserRecord user, EmulatedPresence presence)
    {
        foreach (var subscription in _tenant.SubscriptionsFor(user.Id))
        {
            _dispatcher.Enqueue(subscription, user.Id, presence);
        }
    }

    private void Record(GraphEmulatorOperation operation, DateTimeOffset arrived, int status, string path, string? token)
    {
        Interlocked.Increment(ref _counts[(int)operation]);
        if (status == 429)
        {
            Interlocked.Increment(ref _throttled);
        }

        lock (_logGate)
        {
            _log.Add(new GraphEmulatorRequest(operation, arrived, status) { Path = path, BearerToken = token });
        }
    }

    /// <summary>Returns the seconds to wait when the presence budget is spent, or null after taking a permit.</summary>
    private int? TakeBudget()
    {
        var now = _tenant.Now;
        lock (_budget)
        {
            while (_budget.Count > 0 && now - _budget.Peek() >= _options.ThrottleWindow)
            {
                _budget.Dequeue();
            }

            if (_budget.Count >= _options.PresenceRequestsPerWindow)
            {
                var wait = _budget.Peek() + _options.ThrottleWindow - now;
                return Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
            }

            _budget.Enqueue(now);
            return null;
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        var arrived = _tenant.Now;
        var path = context.Request.Path.Value ?? string.Empty;
        var segments = path.StartsWith("/v1.0/", StringComparison.OrdinalIgnoreCase) ? path["/v1.0/".Length..].Split('/', StringSplitOptions.RemoveEmptyEntries) : [];
        var operation = segments.Length == 0 ? GraphEmulatorOperation.Other : Classify(context.Request.Method, segments);
        var authorization = context.Request.Headers.Authorization.ToString();
        var token = authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? authorization["Bearer ".Length..].Trim() : null;

        // Counted before the answer leaves, so a client never sees an answer the counters do not show yet.
        var dropped = false;
        context.Response.OnStarting(() =>
        {
            if (!dropped)
            {
                Record(operation, arrived, context.Response.StatusCode, path, token);
            }

            return Task.CompletedTask;
        });

        if (segments.Length == 0)
        {
            await WriteErrorAsync(context, 404, "Request_ResourceNotFound", "Only /v1.0 is emulated.").ConfigureAwait(false);
            return;
        }

        if (Faults.Latency > TimeSpan.Zero)
        {
            await Task.Delay(Faults.Latency, _options.TimeProvider, context.RequestAborted).ConfigureAwait(false);
        }

        if (Faults.Take(operation) is { } fault)
        {
            switch (fault.Kind)
            {
                case GraphEmulatorFaults.FaultKind.Drop:
                    dropped = true;
                    Record(operation, arrived, 0, path, token);
                    context.Abort();
                    return;
                case GraphEmulatorFaults.FaultKind.Throttle:
                    if (fault.RetryAfter is { } retryAfter)
                    {
                        context.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                    }

                    await WriteErrorAsync(context, 429, "TooManyRequests", "Too many requests (injected fault).").ConfigureAwait(false);
                    return;
                default:
                    await WriteErrorAsync(context, fault.StatusCode, "ServiceUnavailable", "Injected fault.").ConfigureAwait(false);
                    return;
            }
        }

        if (IsPresenceBudget(operation) && TakeBudget() is { } wait)
        {
            context.Response.Headers.RetryAfter = wait.ToString(CultureInfo.InvariantCulture);
            await WriteErrorAsync(context, 429, "TooManyRequests", "The application exceeded the presence request limit.").ConfigureAwait(false);
            return;
        }

        await DispatchAsync(context, operation, segments).ConfigureAwait(false);
    }

    private async Task<int> DispatchAsync(HttpContext context, GraphEmulatorOperation operation, string[] segments)
    {
        if (await GraphRequestBodyRules.UndocumentedAsync(context, operation).ConfigureAwait(false) is { } undocumented)
        {
            await WriteErrorAsync(context, 400, "BadRequest", undocumented).ConfigureAwait(false);
            return 400;
        }

        switch (operation)
        {
            case GraphEmulatorOperation.GetPresencesByUserId:
                return await GetPresencesByUserIdAsync(context).ConfigureAwait(false);
            case GraphEmulatorOperation.GetPresence:
                return await GetPresenceAsync(context, segments[0] == "users" ? segments[1] : segments[2]).ConfigureAwait(false);
            case GraphEmulatorOperation.SetPresence:
                return await SetPresenceAsync(context, segments[1]).ConfigureAwait(false);
            case GraphEmulatorOperation.ClearPresence:
                return await ClearPresenceAsync(context, segments[1]).ConfigureAwait(false);
            case GraphEmulatorOperation.ListUsers:
                return await ListUsersAsync(context).ConfigureAwait(false);
            case GraphEmulatorOperation.GetUser:
                return await GetUserAsync(context, segments[1]).ConfigureAwait(false);
            case GraphEmulatorOperation.CreateSubscription:
                return await CreateSubscriptionAsync(context).ConfigureAwait(false);
            case GraphEmulatorOperation.GetSubscriptions:
                return await GetSubscriptionsAsync(context, segments.Length > 1 ? segments[1] : null).ConfigureAwait(false);
            case GraphEmulatorOperation.RenewSubscription:
                return await RenewSubscriptionAsync(context, segments[1]).ConfigureAwait(false);
            case GraphEmulatorOperation.DeleteSubscription:
                if (!_tenant.RemoveSubscription(segments[1]))
                {
                    await WriteErrorAsync(context, 404, "ResourceNotFound", "The subscription does not exist.").ConfigureAwait(false);
                    return 404;
                }

                context.Response.StatusCode = 204;
                return 204;
            case GraphEmulatorOperation.ReauthorizeSubscription:
                if (!_tenant.UpdateSubscription(segments[1], s => s.NeedsReauthorization = false))
                {
                    await WriteErrorAsync(context, 404, "ResourceNotFound", "The subscription does not exist.").ConfigureAwait(false);
                    return 404;
                }

                context.Response.StatusCode = 204;
                return 204;
            default:
                await WriteErrorAsync(context, 400, "BadRequest", $"Unsupported request: {context.Request.Method} {context.Request.Path}").ConfigureAwait(false);
                return 400;
        }
    }

    private async Task<int> GetPresencesByUserIdAsync(HttpContext context)
    {
        using var document = await ReadJsonAsync(context).ConfigureAwait(false);
        if (document is null || !document.RootElement.TryGetProperty("ids", out var ids) || ids.ValueKind != JsonValueKind.Array)
        {
            await WriteErrorAsync(context, 400, "BadRequest", "The request body must be {\"ids\":[...]}.").ConfigureAwait(false);
            return 400;
        }

        var count = ids.GetArrayLength();
        if (count == 0 || count > _options.MaxIdsPerRequest)
        {
            await WriteErrorAsync(context, 400, "BadRequest", $"ids must hold 1 to {_options.MaxIdsPerRequest} user ids; found {count}.").ConfigureAwait(false);
            return 400;
        }

        var users = new List<EmulatedTenant.UserRecord>(count);
        foreach (var id in ids.EnumerateArray())
        {
            if (id.ValueKind != JsonValueKind.String || !Guid.TryParse(id.GetString(), out _))
            {
                await WriteErrorAsync(context, 400, "BadRequest", $"'{id}' is not a valid user id.").ConfigureAwait(false);
                return 400;
            }

            if (_tenant.FindUser(id.GetString()!) is { } user)
            {
                users.Add(user);
            }
        }

        await WriteJsonAsync(context, 200, w =>
        {
            w.WriteString("@odata.context", BaseUrl + "/$metadata#Collection(microsoft.graph.presence)");
            w.WriteStartArray("value");
            foreach (var user in users)
            {
                w.WriteStartObject();
                WritePresence(w, user.Id, _tenant.GetPresence(user));
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }).ConfigureAwait(false);
        return 200;
    }

    private async Task<int> GetPresenceAsync(HttpContext context, string id)
    {
        if (_tenant.FindUser(id) is not { } user)
        {
            await WriteErrorAsync(context, 404, "Request_ResourceNotFound", $"User '{id}' does not exist.").ConfigureAwait(false);
            return 404;
        }

        await WriteJsonAsync(context, 200, w => WritePresence(w, user.Id, _tenant.GetPresence(user))).ConfigureAwait(false);
        return 200;
    }

    private async Task<int> SetPresenceAsync(HttpContext context, string id)
    {
        using var document = await ReadJsonAsync(context).ConfigureAwait(false);
        if (_tenant.FindUser(id) is not { } user)
        {
            await WriteErrorAsync(context, 404, "NotFound", $"User '{id}' does not exist.").ConfigureAwait(false);
            return 404;
        }

        var root = document?.RootElement ?? default;
        var sessionId = GetString(root, "sessionId");
        var availability = GetString(root, "availability");
        var activity = GetString(root, "activity");
        var duration = GetString(root, "expirationDuration");
        if (!Guid.TryParse(sessionId, out _))
        {
            await WriteErrorAsync(context, 400, "InvalidArgument", "sessionId must be the application id.").ConfigureAwait(false);
            return 400;
        }

        if (availability is null || activity is null || !s_publishable.Contains(availability + "/" + activity))
        {
            await WriteErrorAsync(context, 400, "InvalidArgument", $"The presence '{availability}/{activity}' is not one an application may set.").ConfigureAwait(false);
            return 400;
        }

        var expiration = TimeSpan.FromMinutes(5);
        if (duration is not null)
        {
            try
            {
                expiration = XmlConvert.ToTimeSpan(duration);
            }
            catch (FormatException)
            {
                expiration = TimeSpan.Zero;
            }
        }

        if (expiration < TimeSpan.FromMinutes(5) || expiration > TimeSpan.FromHours(4))
        {
            await WriteErrorAsync(context, 400, "InvalidArgument", "expirationDuration must be from PT5M to PT4H.").ConfigureAwait(false);
            return 400;
        }

        _tenant.SetSession(user, sessionId!, availability, activity, expiration);
        context.Response.StatusCode = 200;
        return 200;
    }

    private async Task<int> ClearPresenceAsync(HttpContext context, string id)
    {
        using var document = await ReadJsonAsync(context).ConfigureAwait(false);
        if (_tenant.FindUser(id) is not { } user)
        {
            await WriteErrorAsync(context, 404, "NotFound", $"User '{id}' does not exist.").ConfigureAwait(false);
            return 404;
        }

        var sessionId = GetString(document?.RootElement ?? default, "sessionId");
        if (sessionId is null)
        {
            await WriteErrorAsync(context, 400, "InvalidArgument", "sessionId is required.").ConfigureAwait(false);
            return 400;
        }

        if (!_tenant.ClearSession(user, sessionId))
        {
            await WriteErrorAsync(context, 404, "NotFound", "The presence session does not exist.").ConfigureAwait(false);
            return 404;
        }

        context.Response.StatusCode = 200;
        return 200;
    }

    private async Task<int> GetUserAsync(HttpContext context, string idOrUpn)
    {
        if (_tenant.FindUser(idOrUpn) is not { } user)
        {
            await WriteErrorAsync(context, 404, "Request_ResourceNotFound", $"Resource '{idOrUpn}' does not exist or one of its queried reference-property objects are not present.").ConfigureAwait(false);
            return 404;
        }

        if (!TrySelect(context.Request.Query["$select"], out var fields, out var error))
        {
            await WriteErrorAsync(context, 400, "Request_BadRequest", error).ConfigureAwait(false);
            return 400;
        }

        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            WriteUser(writer, user, fields);
        }

        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted).ConfigureAwait(false);
        return 200;
    }

    private static bool TrySelect(string? select, out string[] fields, out string error)
    {
        error = string.Empty;
        if (string.IsNullOrWhiteSpace(select))
        {
            fields = s_defaultUserFields;
            return true;
        }

        var names = new List<string>();
        foreach (var name in select.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var index = Array.FindIndex(s_userFields, f => f.Equals(name, StringComparison.OrdinalIgnoreCase));
            if (index < 0)
            {
                fields = [];
                error = $"Could not find a property named '{name}' on type 'microsoft.graph.user'.";
                return false;
            }

            names.Add(s_userFields[index]);
        }

        if (!names.Contains("id"))
        {
            names.Insert(0, "id");
        }

        fields = [.. names];
        return true;
    }

    private async Task<int> ListUsersAsync(HttpContext context)
    {
        var query = context.Request.Query;
        var eventual = string.Equals(context.Request.Headers[ConsistencyLevel].ToString(), "eventual", StringComparison.OrdinalIgnoreCase);
        string search = query["$search"].ToString();
        string filter = query["$filter"].ToString();
        var count = string.Equals(query["$count"].ToString(), "true", StringComparison.OrdinalIgnoreCase);
        if ((search.Length > 0 || count) && !eventual)
        {
            await WriteErrorAsync(context, 400, "Request_UnsupportedQuery", "Request with $search or $count query parameter only works with the ConsistencyLevel header set to eventual.").ConfigureAwait(false);
            return 400;
        }

        UserQuery.Predicate? predicate = null;
        string error;
        if (search.Length > 0)
        {
            if (!UserQuery.TryParseSearch(search, out var searchPredicate, out error))
            {
                await WriteErrorAsync(context, 400, "Request_UnsupportedQuery", error).ConfigureAwait(false);
                return 400;
            }

            predicate = searchPredicate;
        }

        if (filter.Length > 0)
        {
            if (!UserQuery.TryParseFilter(filter, out var filterPredicate, out error))
            {
                await WriteErrorAsync(context, 400, "Request_UnsupportedQuery", error).ConfigureAwait(false);
                return 400;
            }

            var searchPart = predicate;
            predicate = searchPart is null ? filterPredicate : get => searchPart(get) && filterPredicate(get);
        }

        if (!TrySelect(query["$select"], out var fields, out error))
        {
            await WriteErrorAsync(context, 400, "Request_BadRequest", error).ConfigureAwait(false);
            return 400;
        }

        var top = 100;
        if (query["$top"].ToString() is { Length: > 0 } topText && (!int.TryParse(topText, NumberStyles.None, CultureInfo.InvariantCulture, out top) || top < 1 || top > 999))
        {
            await WriteErrorAsync(context, 400, "Request_BadRequest", "Invalid page size specified: '" + topText + "'. Must be between 1 and 999 inclusive.").ConfigureAwait(false);
            return 400;
        }

        var skip = 0;
        if (query["$skiptoken"].ToString() is { Length: > 0 } token && (!token.StartsWith('X') || !int.TryParse(token.AsSpan(1), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out skip) || skip < 0))
        {
            await WriteErrorAsync(context, 400, "Request_BadRequest", "Invalid $skiptoken.").ConfigureAwait(false);
            return 400;
        }

        var matches = _tenant.Users(predicate);
        var page = matches.Skip(skip).Take(top).ToList();
        string? nextLink = null;
        if (skip + page.Count < matches.Count)
        {
            var parts = query.Where(q => q.Key != "$skiptoken").Select(q => Uri.EscapeDataString(q.Key) + "=" + Uri.EscapeDataString(q.Value.ToString()));
            nextLink = BaseUrl + "/users?" + string.Join('&', parts.Append("$skiptoken=X" + (skip + page.Count).ToString("x", CultureInfo.InvariantCulture)));
        }

        await WriteJsonAsync(context, 200, w =>
        {
            w.WriteString("@odata.context", BaseUrl + "/$metadata#users");
            if (count)
            {
                w.WriteNumber("@odata.count", matches.Count);
            }

            if (nextLink is not null)
            {
                w.WriteString("@odata.nextLink", nextLink);
            }

            w.WriteStartArray("value");
            foreach (var user in page)
            {
                WriteUser(w, user, fields);
            }

            w.WriteEndArray();
        }).ConfigureAwait(false);
        return 200;
    }

    private async Task<int> CreateSubscriptionAsync(HttpContext context)
    {
        using var document = await ReadJsonAsync(context).ConfigureAwait(false);
        if (document is null || document.RootElement.ValueKind != JsonValueKind.Object)
        {
            await WriteErrorAsync(context, 400, "InvalidRequest", "The request body is not a subscription.").ConfigureAwait(false);
            return 400;
        }

        var root = document.RootElement;
        var (subscription, error) = ParseSubscription(root);
        if (subscription is null)
        {
            await WriteErrorAsync(context, 400, "InvalidRequest", error!).ConfigureAwait(false);
            return 400;
        }

        foreach (var url in new[] { subscription.NotificationUrl, subscription.LifecycleNotificationUrl })
        {
            if (url is not null && await _dispatcher.ValidateAsync(url, context.RequestAborted).ConfigureAwait(false) is { } failure)
            {
                await WriteErrorAsync(context, 400, "ValidationError", "Subscription validation request failed: " + failure + ".").ConfigureAwait(false);
                return 400;
            }
        }

        _tenant.AddSubscription(subscription);
        await WriteJsonAsync(context, 201, w => WriteSubscription(w, subscription)).ConfigureAwait(false);
        return 201;
    }

    private (EmulatedTenant.SubscriptionRecord? Subscription, string? Error) ParseSubscription(JsonElement root)
    {
        var changeType = GetString(root, "changeType");
        var resource = GetString(root, "resource");
        var notificationUrl = GetString(root, "notificationUrl");
        var lifecycleUrl = GetString(root, "lifecycleNotificationUrl");
        var clientState = GetString(root, "clientState");
        var expiration = GetString(root, "expirationDateTime");
        var includeResourceData = root.TryGetProperty("includeResourceData", out var include) && include.ValueKind == JsonValueKind.True;
        if (!string.Equals(changeType, "updated", StringComparison.Ordinal))
        {
            return (null, "changeType must be 'updated' for presence.");
        }

        if (!TryUrl(notificationUrl, out var notify) || (lifecycleUrl is not null && !TryUrl(lifecycleUrl, out _)))
        {
            return (null, "notificationUrl and lifecycleNotificationUrl must be https URLs (http only on loopback).");
        }

        if (clientState is { Length: > 128 })
        {
            return (null, "clientState must be at most 128 characters.");
        }

        if (!DateTimeOffset.TryParse(expiration, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var expiresAt))
        {
            return (null, "expirationDateTime is required.");
        }

        var now = _tenant.Now;
        if (expiresAt <= now || expiresAt > now + _options.MaxSubscriptionLifetime + TimeSpan.FromSeconds(1))
        {
            return (null, $"Subscription expiration can only be {_options.MaxSubscriptionLifetime.TotalMinutes:0} minutes in the future and not in the past.");
        }

        if (!TryParseResource(resource, out var ids, out var resourceError))
        {
            return (null, resourceError);
        }

        X509Certificate2? certificate = null;
        var certificateId = GetString(root, "encryptionCertificateId");
        if (includeResourceData)
        {
            try
            {
                certificate = X509CertificateLoader.LoadCertificate(Convert.FromBase64String(GetString(root, "encryptionCertificate") ?? string.Empty));
            }
            catch (Exception ex) when (ex is FormatException or System.Security.Cryptography.CryptographicException)
            {
                return (null, "includeResourceData requires a valid base64 encryptionCertificate.");
            }

            if (string.IsNullOrEmpty(certificateId))
            {
                return (null, "includeResourceData requires encryptionCertificateId.");
            }
        }

        var id = string.Create(CultureInfo.InvariantCulture, $"{Interlocked.Increment(ref _nextSubscription):x8}-2b1c-4e6f-8a9d-{Random.Shared.NextInt64(0, 0xFFFFFFFFFFFF):x12}");
        return (new EmulatedTenant.SubscriptionRecord(id, ids, notify!, lifecycleUrl is null ? null : new Uri(lifecycleUrl), clientState)
        {
            Resource = resource!,
            ExpiresAt = expiresAt,
            IncludeResourceData = includeResourceData,
            Certificate = certificate,
            CertificateId = certificateId,
        }, null);
    }

    private static bool TryUrl(string? text, out Uri? url)
    {
        url = null;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var parsed))
        {
            return false;
        }

        var ok = parsed.Scheme == Uri.UriSchemeHttps || (parsed.Scheme == Uri.UriSchemeHttp && parsed.IsLoopback);
        url = ok ? parsed : null;
        return ok;
    }

    private bool TryParseResource(string? resource, out HashSet<string> ids, out string? error)
    {
        ids = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        error = null;
        const string Single = "/communications/presences/";
        const string Filtered = "/communications/presences?$filter=";
        if (resource is null)
        {
            error = "resource is required.";
            return false;
        }

        var text = resource.StartsWith('/') ? resource : "/" + resource;
        if (text.StartsWith(Single, StringComparison.OrdinalIgnoreCase))
        {
            ids.Add(text[Single.Length..]);
        }
        else if (text.StartsWith(Filtered, StringComparison.OrdinalIgnoreCase))
        {
            var filter = Uri.UnescapeDataString(text[Filtered.Length..]);
            var open = filter.IndexOf('(', StringComparison.Ordinal);
            if (!filter.TrimStart().StartsWith("id in", StringComparison.OrdinalIgnoreCase) || open < 0 || !filter.TrimEnd().EndsWith(')'))
            {
                error = "The presence resource filter must be id in ('...').";
                return false;
            }

            foreach (var part in filter[(open + 1)..filter.LastIndexOf(')')].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                ids.Add(part.Trim('\''));
            }
        }
        else
        {
            error = $"Resource '{resource}' is not supported by the emulator.";
            return false;
        }

        if (ids.Count == 0 || ids.Count > _options.MaxIdsPerRequest)
        {
            error = $"A presence subscription holds 1 to {_options.MaxIdsPerRequest} ids; found {ids.Count}.";
            return false;
        }

        foreach (var id in ids)
        {
            if (!Guid.TryParse(id, out _))
            {
                error = $"'{id}' is not a valid user id.";
                return false;
            }
        }

        return true;
    }

    private async Task<int> GetSubscriptionsAsync(HttpContext context, string? id)
    {
        if (id is not null)
        {
            if (_tenant.FindSubscription(id) is not { } one)
            {
                await WriteErrorAsync(context, 404, "ResourceNotFound", "The subscription does not exist.").ConfigureAwait(false);
                return 404;
            }

            await WriteJsonAsync(context, 200, w => WriteSubscription(w, one)).ConfigureAwait(false);
            return 200;
        }

        var all = _tenant.Subscriptions();
        await WriteJsonAsync(context, 200, w =>
        {
            w.WriteStartArray("value");
            foreach (var subscription in all)
            {
                w.WriteStartObject();
                WriteSubscription(w, subscription);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }).ConfigureAwait(false);
        return 200;
    }

    private async Task<int> RenewSubscriptionAsync(HttpContext context, string id)
    {
        using var document = await ReadJsonAsync(context).ConfigureAwait(false);
        var expiration = GetString(document?.RootElement ?? default, "expirationDateTime");
        if (!DateTimeOffset.TryParse(expiration, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var expiresAt))
        {
            await WriteErrorAsync(context, 400, "InvalidRequest", "expirationDateTime is required.").ConfigureAwait(false);
            return 400;
        }

        var now = _tenant.Now;
        if (expiresAt <= now || expiresAt > now + _options.MaxSubscriptionLifetime + TimeSpan.FromSeconds(1))
        {
            await WriteErrorAsync(context, 400, "InvalidRequest", $"Subscription expiration can only be {_options.MaxSubscriptionLifetime.TotalMinutes:0} minutes in the future and not in the past.").ConfigureAwait(false);
            return 400;
        }

        EmulatedTenant.SubscriptionRecord? renewed = null;
        if (!_tenant.UpdateSubscription(id, s =>
        {
            s.ExpiresAt = expiresAt;
            renewed = s;
        }))
        {
            await WriteErrorAsync(context, 404, "ResourceNotFound", "The subscription does not exist.").ConfigureAwait(false);
            return 404;
        }

        await WriteJsonAsync(context, 200, w => WriteSubscription(w, renewed!)).ConfigureAwait(false);
        return 200;
    }

    private void WriteSubscription(Utf8JsonWriter w, EmulatedTenant.SubscriptionRecord subscription)
    {
        w.WriteString("@odata.context", BaseUrl + "/$metadata#subscriptions/$entity");
        w.WriteString("id", subscription.Id);
        w.WriteString("resource", subscription.Resource);
        w.WriteString("changeType", "updated");
        w.WriteString("notificationUrl", subscription.NotificationUrl.ToString());
        if (subscription.LifecycleNotificationUrl is { } lifecycle)
        {
            w.WriteString("lifecycleNotificationUrl", lifecycle.ToString());
        }

        w.WriteString("expirationDateTime", subscription.ExpiresAt);
        w.WriteBoolean("includeResourceData", subscription.IncludeResourceData);
        w.WriteNull("clientState");
        w.WriteString("encryptionCertificateId", subscription.CertificateId);
    }
}
