namespace Webex.TeamsConnector.Testing;

/// <summary>A user of the emulated tenant.</summary>
public sealed record EmulatedUser
{
    /// <summary>The object id; a new GUID is assigned when <see langword="null"/>.</summary>
    public string? Id { get; init; }

    /// <summary>The display name.</summary>
    public required string DisplayName { get; init; }

    /// <summary>The user principal name; derived from the display name when <see langword="null"/>.</summary>
    public string? UserPrincipalName { get; init; }

    /// <summary>The e-mail address; the user principal name when <see langword="null"/>.</summary>
    public string? Mail { get; init; }

    /// <summary>The job title.</summary>
    public string? JobTitle { get; init; }

    /// <summary>The department.</summary>
    public string? Department { get; init; }

    /// <summary>The business phones, as written in the directory (not necessarily E.164).</summary>
    public IReadOnlyList<string> BusinessPhones { get; init; } = [];
}

/// <summary>A user's aggregated presence, as Graph returns it.</summary>
/// <param name="Availability">The availability.</param>
/// <param name="Activity">The activity.</param>
/// <param name="SequenceNumber">The lexicographically sortable version stamp.</param>
public readonly record struct EmulatedPresence(string Availability, string Activity, string SequenceNumber);

/// <summary>A presence session an application published with <c>setPresence</c>.</summary>
/// <param name="SessionId">The session id (the application id).</param>
/// <param name="Availability">The availability.</param>
/// <param name="Activity">The activity.</param>
/// <param name="ExpiresAt">When the session expires unless refreshed.</param>
public readonly record struct EmulatedPresenceSession(string SessionId, string Availability, string Activity, DateTimeOffset ExpiresAt);

/// <summary>A change-notification subscription held by the emulator.</summary>
/// <param name="Id">The subscription id.</param>
/// <param name="UserIds">The users whose presence it watches.</param>
/// <param name="ExpiresAt">Its expiration.</param>
/// <param name="NotificationUrl">Where change notifications go.</param>
/// <param name="LifecycleNotificationUrl">Where lifecycle notifications go, if set.</param>
/// <param name="IncludeResourceData">Whether notifications carry encrypted resource data.</param>
/// <param name="NeedsReauthorization">Whether a <c>reauthorizationRequired</c> event is pending.</param>
public sealed record EmulatedSubscription(
    string Id,
    IReadOnlyList<string> UserIds,
    DateTimeOffset ExpiresAt,
    Uri NotificationUrl,
    Uri? LifecycleNotificationUrl,
    bool IncludeResourceData,
    bool NeedsReauthorization);

/// <summary>The Graph operations the emulator counts.</summary>
public enum GraphEmulatorOperation
{
    /// <summary>Anything else (an unknown path).</summary>
    Other = 0,
    /// <summary><c>POST /communications/getPresencesByUserId</c>.</summary>
    GetPresencesByUserId,
    /// <summary><c>GET /users/{id}/presence</c> or <c>GET /communications/presences/{id}</c>.</summary>
    GetPresence,
    /// <summary><c>POST /users/{id}/presence/setPresence</c>.</summary>
    SetPresence,
    /// <summary><c>POST /users/{id}/presence/clearPresence</c>.</summary>
    ClearPresence,
    /// <summary><c>GET /users</c>.</summary>
    ListUsers,
    /// <summary><c>GET /users/{id or userPrincipalName}</c>.</summary>
    GetUser,
    /// <summary><c>POST /subscriptions</c>.</summary>
    CreateSubscription,
    /// <summary><c>PATCH /subscriptions/{id}</c>.</summary>
    RenewSubscription,
    /// <summary><c>DELETE /subscriptions/{id}</c>.</summary>
    DeleteSubscription,
    /// <summary><c>POST /subscriptions/{id}/reauthorize</c>.</summary>
    ReauthorizeSubscription,
    /// <summary><c>GET /subscriptions</c> or <c>GET /subscriptions/{id}</c>.</summary>
    GetSubscriptions,
    /// <summary><c>POST /$batch</c> (the envelope; each request inside it is also recorded under its own operation).</summary>
    Batch,
}

/// <summary>One request the emulator answered.</summary>
/// <param name="Operation">What it was.</param>
/// <param name="At">When it arrived (emulator clock; a latency fault does not move it).</param>
/// <param name="StatusCode">The status answered (0 for a dropped connection).</param>
public readonly record struct GraphEmulatorRequest(GraphEmulatorOperation Operation, DateTimeOffset At, int StatusCode)
{
    /// <summary>The request path (for example <c>/v1.0/subscriptions</c>).</summary>
    public string Path { get; init; } = string.Empty;

    /// <summary>
    /// The bearer token of the <c>Authorization</c> header, or <see langword="null"/> when the request had none (the
    /// emulator accepts any token; tests use it to see which credential a call used).
    /// </summary>
    public string? BearerToken { get; init; }

    /// <summary>Whether the request counted against the request budget (a <c>$batch</c> envelope does not; each request inside it does).</summary>
    public bool CountsAgainstBudget { get; init; }

    /// <summary>Whether the request came inside a <c>$batch</c>.</summary>
    public bool InsideBatch { get; init; }
}

/// <summary>Lifecycle events the emulator can send to a subscriber.</summary>
public enum GraphLifecycleEvent
{
    /// <summary><c>reauthorizationRequired</c>: call <c>POST /subscriptions/{id}/reauthorize</c>; delivery pauses until then.</summary>
    ReauthorizationRequired,
    /// <summary><c>subscriptionRemoved</c>: the subscription is gone and must be re-created.</summary>
    SubscriptionRemoved,
    /// <summary><c>missed</c>: some notifications were not delivered; re-read the resources.</summary>
    Missed,
}
