using System.Globalization;

namespace Webex.TeamsConnector.Testing;

/// <summary>
/// The emulator's state: users, their presence sources (the Teams client, a preferred presence, application
/// sessions) and Microsoft's aggregation, and the subscriptions. One lock guards everything; callbacks that
/// deliver notifications run outside it.
/// </summary>
internal sealed class EmulatedTenant
{
    private const string ClientSessionId = "teams-client";

    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly GraphEmulatorOptions _options;
    private readonly List<UserRecord> _users = [];
    private readonly Dictionary<string, UserRecord> _byId = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, UserRecord> _byUpn = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, SubscriptionRecord> _subscriptions = new(StringComparer.OrdinalIgnoreCase);
    private readonly Action<UserRecord, EmulatedPresence> _changed;
    private long _sequence;
    private long _nextUser;

    public EmulatedTenant(GraphEmulatorOptions options, Action<UserRecord, EmulatedPresence> changed)
    {
        _options = options;
        _time = options.TimeProvider;
        _changed = changed;
    }

    public DateTimeOffset Now => _time.GetUtcNow();

    public int UserCount
    {
        get
        {
            lock (_gate)
            {
                return _users.Count;
            }
        }
    }

    public string AddUser(EmulatedUser user)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentException.ThrowIfNullOrWhiteSpace(user.DisplayName);
        lock (_gate)
        {
            var number = ++_nextUser;
            var id = user.Id ?? string.Create(CultureInfo.InvariantCulture, $"{number:x8}-5e1a-4c0d-9e3b-{number:x12}");
            if (!Guid.TryParse(id, out _))
            {
                throw new ArgumentException("The user id must be a GUID.", nameof(user));
            }

            var upn = user.UserPrincipalName ?? MakeUpn(user.DisplayName, number);
            if (_byId.ContainsKey(id) || _byUpn.ContainsKey(upn))
            {
                throw new ArgumentException($"A user with id '{id}' or user principal name '{upn}' already exists.", nameof(user));
            }

            var record = new UserRecord(id.ToLowerInvariant(), user.DisplayName, upn, user.Mail ?? upn, user.JobTitle, user.Department, [.. user.BusinessPhones]);
            record.Client = new Source(ClientSessionId, _options.InitialPresence.Availability, _options.InitialPresence.Activity, null, 0);
            Recompute(record, notify: false);
            _users.Add(record);
            _byId[record.Id] = record;
            _byUpn[upn] = record;
            return record.Id;
        }
    }

    public UserRecord? FindUser(string idOrUpn)
    {
        lock (_gate)
        {
            return _byId.TryGetValue(idOrUpn, out var user) || _byUpn.TryGetValue(idOrUpn, out user) ? user : null;
        }
    }

    public List<UserRecord> Users(UserQuery.Predicate? predicate)
    {
        lock (_gate)
        {
            return predicate is null ? [.. _users] : _users.FindAll(u => predicate(u.Get));
        }
    }

    public EmulatedPresence GetPresence(UserRecord user)
    {
        var (changed, presence) = Refresh(user);
        if (changed)
        {
            _changed(user, presence);
        }

        return presence;
    }

    public void SetClientPresence(string userId, string availability, string activity) =>
        Mutate(userId, user => user.Client = new Source(ClientSessionId, availability, activity, null, NextStamp()));

    public void SetPreferredPresence(string userId, string availability, string activity, TimeSpan? expiration) =>
        Mutate(userId, user =>
        {
            user.Preferred?.Timer?.Dispose();
            var expires = expiration is { } e ? Now + e : (DateTimeOffset?)null;
            user.Preferred = new Source("preferred", availability, activity, expires, NextStamp()) { Timer = Schedule(user, expiration) };
        });

    public void ClearPreferredPresence(string userId) =>
        Mutate(userId, user =>
        {
            user.Preferred?.Timer?.Dispose();
            user.Preferred = null;
        });

    public void SignOut(string userId) => Mutate(userId, user => user.Client = null);

    /// <summary>Sets or refreshes an application session.</summary>
    public void SetSession(UserRecord user, string sessionId, string availability, string activity, TimeSpan expiration) =>
        Mutate(user.Id, u =>
        {
            if (u.Sessions.Remove(sessionId, out var old))
            {
                old.Timer?.Dispose();
            }

            u.Sessions[sessionId] = new Source(sessionId, availability, activity, Now + expiration, NextStamp()) { Timer = Schedule(u, expiration) };
        });

    /// <summary>Clears an application session; false when there is none.</summary>
    public bool ClearSession(UserRecord user, string sessionId)
    {
        var found = false;
        Mutate(user.Id, u =>
        {
            Expire(u);
            if (u.Sessions.Remove(sessionId, out var old))
            {
                old.Timer?.Dispose();
                found = true;
            }
        });
        return found;
    }

    public List<EmulatedPresenceSession> Sessions(string userId)
    {
        var user = FindUser(userId) ?? throw new ArgumentException($"No user '{userId}'.", nameof(userId));
        lock (_gate)
        {
            Expire(user);
            return [.. user.Sessions.Values.OrderBy(s => s.Stamp).Select(s => new EmulatedPresenceSession(s.Id, s.Availability, s.Activity, s.ExpiresAt!.Value))];
        }
    }

    public SubscriptionRecord AddSubscription(SubscriptionRecord subscription)
    {
        lock (_gate)
        {
            _subscriptions[subscription.Id] = subscription;
            return subscription;
        }
    }

    public SubscriptionRecord? FindSubscription(string id)
    {
        lock (_gate)
        {
            if (_subscriptions.TryGetValue(id, out var subscription) && subscription.ExpiresAt <= Now)
            {
                _subscriptions.Remove(id);
                return null;
            }

            return subscription;
        }
    }

    public bool RemoveSubscription(string id)
    {
        lock (_gate)
        {
            return _subscriptions.Remove(id);
        }
    }

    public bool UpdateSubscription(string id, Action<SubscriptionRecord> change)
    {
        lock (_gate)
        {
            if (!_subscriptions.TryGetValue(id, out var subscription) || subscription.ExpiresAt <= Now)
            {
                _subscriptions.Remove(id);
                return false;
            }

            change(subscription);
            return true;
        }
    }

    public List<SubscriptionRecord> Subscriptions()
    {
        lock (_gate)
        {
            var now = Now;
            foreach (var expired in _subscriptions.Values.Where(s => s.ExpiresAt <= now).ToList())
            {
                _subscriptions.Remove(expired.Id);
            }

            return [.. _subscriptions.Values];
        }
    }

    public List<SubscriptionRecord> SubscriptionsFor(string userId)
    {
        lock (_gate)
        {
            var now = Now;
            return [.. _subscriptions.Values.Where(s => s.ExpiresAt > now && s.UserIds.Contains(userId))];
        }
    }

    private static string MakeUpn(string displayName, long number)
    {
        var local = new string([.. displayName.ToLowerInvariant().Where(char.IsAsciiLetterOrDigit)]);
        return string.Create(CultureInfo.InvariantCulture, $"{(local.Length == 0 ? "user" : local)}.{number}@contoso.example");
    }

    private static int Rank(string availability) =>
        Is(availability, "DoNotDisturb") || Is(availability, "Presenting") || Is(availability, "Focusing") ? 4
        : Is(availability, "Busy") || Is(availability, "BusyIdle") || Is(availability, "InACall") || Is(availability, "InAMeeting") ? 3
        : Is(availability, "Available") || Is(availability, "AvailableIdle") ? 2
        : Is(availability, "Away") || Is(availability, "BeRightBack") ? 1
        : 0;

    private static bool Is(string value, string name) => string.Equals(value, name, StringComparison.OrdinalIgnoreCase);

    private long NextStamp() => ++_sequence;

    private ITimer? Schedule(UserRecord user, TimeSpan? due) =>
        due is { } d ? _time.CreateTimer(static state => ((Action)state!)(), (Action)(() => OnTimer(user)), d, Timeout.InfiniteTimeSpan) : null;

    private void OnTimer(UserRecord user)
    {
        var (changed, presence) = Refresh(user);
        if (changed)
        {
            _changed(user, presence);
        }
    }

    private (bool Changed, EmulatedPresence Presence) Refresh(UserRecord user)
    {
        lock (_gate)
        {
            var changed = Recompute(user, notify: true);
            return (changed, user.Presence);
        }
    }

    private void Mutate(string userId, Action<UserRecord> change)
    {
        var user = FindUser(userId) ?? throw new ArgumentException($"No user '{userId}'.", nameof(userId));
        bool changed;
        EmulatedPresence presence;
        lock (_gate)
        {
            change(user);
            changed = Recompute(user, notify: true);
            presence = user.Presence;
        }

        if (changed)
        {
            _changed(user, presence);
        }
    }

    private void Expire(UserRecord user)
    {
        var now = Now;
        if (user.Preferred is { ExpiresAt: { } p } && p <= now)
        {
            user.Preferred.Timer?.Dispose();
            user.Preferred = null;
        }

        if (user.Sessions.Count == 0)
        {
            return;
        }

        List<Source>? expired = null;
        foreach (var session in user.Sessions.Values)
        {
            if (session.ExpiresAt <= now)
            {
                (expired ??= []).Add(session);
            }
        }

        foreach (var session in expired ?? [])
        {
            session.Timer?.Dispose();
            user.Sessions.Remove(session.Id);
        }
    }

    /// <summary>Microsoft's aggregation: preferred presence first; else the highest-ranked, newest source.</summary>
    private bool Recompute(UserRecord user, bool notify)
    {
        Expire(user);
        var winner = user.Preferred;
        if (winner is null)
        {
            winner = user.Client;
            foreach (var session in user.Sessions.Values)
            {
                if (winner is null || Rank(session.Availability) > Rank(winner.Availability)
                    || (Rank(session.Availability) == Rank(winner.Availability) && session.Stamp > winner.Stamp))
                {
                    winner = session;
                }
            }
        }

        var availability = winner?.Availability ?? "Offline";
        var activity = winner?.Activity ?? "Offline";
        if (user.Sequence != 0 && string.Equals(user.Availability, availability, StringComparison.Ordinal) && string.Equals(user.Activity, activity, StringComparison.Ordinal))
        {
            return false;
        }

        user.Availability = availability;
        user.Activity = activity;
        user.Sequence = NextStamp();
        user.SequenceText = user.Sequence.ToString("X16", CultureInfo.InvariantCulture);
        return notify;
    }

    internal sealed class Source(string id, string availability, string activity, DateTimeOffset? expiresAt, long stamp)
    {
        public string Id { get; } = id;

        public string Availability { get; } = availability;

        public string Activity { get; } = activity;

        public DateTimeOffset? ExpiresAt { get; } = expiresAt;

        public long Stamp { get; } = stamp;

        public ITimer? Timer { get; init; }
    }

    internal sealed class UserRecord(string id, string displayName, string upn, string mail, string? jobTitle, string? department, string[] phones)
    {
        public string Id { get; } = id;

        public string DisplayName { get; } = displayName;

        public string UserPrincipalName { get; } = upn;

        public string Mail { get; } = mail;

        public string? JobTitle { get; } = jobTitle;

        public string? Department { get; } = department;

        public string[] BusinessPhones { get; } = phones;

        public Source? Client { get; set; }

        public Source? Preferred { get; set; }

        public Dictionary<string, Source> Sessions { get; } = new(StringComparer.OrdinalIgnoreCase);

        public string Availability { get; set; } = "Offline";

        public string Activity { get; set; } = "Offline";

        public long Sequence { get; set; }

        public string SequenceText { get; set; } = string.Empty;

        public EmulatedPresence Presence => new(Availability, Activity, SequenceText);

        public string? Get(string field) => field switch
        {
            "id" => Id,
            "displayName" => DisplayName,
            "department" => Department,
            "jobTitle" => JobTitle,
            "mail" => Mail,
            "userPrincipalName" => UserPrincipalName,
            _ => null,
        };
    }

    internal sealed class SubscriptionRecord(string id, HashSet<string> userIds, Uri notificationUrl, Uri? lifecycleUrl, string? clientState)
    {
        public string Id { get; } = id;

        public HashSet<string> UserIds { get; } = userIds;

        public Uri NotificationUrl { get; } = notificationUrl;

        public Uri? LifecycleNotificationUrl { get; } = lifecycleUrl;

        public string? ClientState { get; } = clientState;

        public string Resource { get; init; } = string.Empty;

        public DateTimeOffset ExpiresAt { get; set; }

        public bool IncludeResourceData { get; init; }

        public System.Security.Cryptography.X509Certificates.X509Certificate2? Certificate { get; init; }

        public string? CertificateId { get; init; }

        public bool NeedsReauthorization { get; set; }

        public EmulatedSubscription ToPublic() =>
            new(Id, [.. UserIds.Order(StringComparer.Ordinal)], ExpiresAt, NotificationUrl, LifecycleNotificationUrl, IncludeResourceData, NeedsReauthorization);
    }
}
