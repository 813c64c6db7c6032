namespace Webex.TeamsConnector;

/// <summary>
/// The settings of the sync rules shared by every agent's machine: the idle-code mapping, the origin classifier and
/// the Teams publishing policy. Immutable once given to a <see cref="SyncEngine"/>.
/// </summary>
internal sealed record SyncRules
{
    /// <summary>The shortest <c>expirationDuration</c> Graph <c>setPresence</c> accepts.</summary>
    public static readonly TimeSpan MinPublishExpiration = TimeSpan.FromMinutes(5);

    /// <summary>The longest <c>expirationDuration</c> Graph <c>setPresence</c> accepts.</summary>
    public static readonly TimeSpan MaxPublishExpiration = TimeSpan.FromHours(4);

    /// <summary>Teams states mapped to WxCC idle codes.</summary>
    /// <value>The default value is <see cref="IdleCodeMapping.Empty"/>: nothing is mapped.</value>
    public IdleCodeMapping Mapping { get; init; } = IdleCodeMapping.Empty;

    /// <summary>Recognises who made an agent state change.</summary>
    /// <value>The default value is a classifier with the marker <c>teams-presence-sync</c> and no system codes.</value>
    public OriginClassifier Classifier { get; init; } = new();

    /// <summary>From which Available states a mapped Teams state engages the agent.</summary>
    /// <value>The default value is <see cref="EngageFrom.AnyAvailable"/>.</value>
    public EngageFrom EngageFrom { get; init; } = EngageFrom.AnyAvailable;

    /// <summary>
    /// Whether Teams inactivity never engages: <c>AvailableIdle</c>, <c>BusyIdle</c>, an <c>Inactive</c> activity, and an
    /// <c>Away</c> that follows them with nothing else seen in between count as free, whatever is mapped.
    /// </summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool IgnoreInactivity { get; init; } = true;

    /// <summary>What to show in Teams while the agent is on a contact; <see cref="PublishedPresence.None"/> turns it off.</summary>
    /// <value>The default value is <see cref="PublishedPresence.InACall"/> (<c>Busy/InACall</c>).</value>
    public PublishedPresence ContactPresence { get; init; } = PublishedPresence.InACall;

    /// <summary>What to show in Teams while the agent has a chat contact; <see cref="PublishedPresence.None"/> (the default) shows nothing.</summary>
    /// <value>The default value is <see cref="PublishedPresence.None"/>.</value>
    public PublishedPresence ChatContactPresence { get; init; } = PublishedPresence.None;

    /// <summary>What to show in Teams while the agent has an e-mail contact; <see cref="PublishedPresence.None"/> (the default) shows nothing.</summary>
    /// <value>The default value is <see cref="PublishedPresence.None"/>.</value>
    public PublishedPresence EmailContactPresence { get; init; } = PublishedPresence.None;

    /// <summary>What to show in Teams while the agent has a social contact; <see cref="PublishedPresence.None"/> (the default) shows nothing.</summary>
    /// <value>The default value is <see cref="PublishedPresence.None"/>.</value>
    public PublishedPresence SocialContactPresence { get; init; } = PublishedPresence.None;

    /// <summary>Whether Teams keeps showing <see cref="ContactPresence"/> during wrap-up (cleared when wrap-up ends).</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool KeepContactPresenceDuringWrapUp { get; init; } = true;

    /// <summary>Idle codes that, when set by the agent (not a supervisor, RONA, the system or presence sync), are shown in Teams as the given pair.</summary>
    /// <value>The default value is empty: idle codes are not published.</value>
    public IReadOnlyDictionary<string, PublishedPresence> IdleCodePresences { get; init; } = new Dictionary<string, PublishedPresence>(StringComparer.Ordinal);

    /// <summary>The <c>expirationDuration</c> sent with <c>setPresence</c> (PT5M..PT4H).</summary>
    /// <value>The default value is one hour.</value>
    public TimeSpan PublishExpiration { get; init; } = TimeSpan.FromHours(1);

    /// <summary>How long before expiry a published presence is published again while still wanted.</summary>
    /// <value>The default value is five minutes.</value>
    public TimeSpan PublishRefreshMargin { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// After clearing a published presence, how long Teams may still show it (a stale echo) before it is taken as a
    /// real Teams state.
    /// </summary>
    /// <value>The default value is ten seconds.</value>
    public TimeSpan EchoGracePeriod { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a state write may wait for its confirming event before the state is decided again.</summary>
    /// <value>The default value is one minute.</value>
    public TimeSpan PendingWriteTimeout { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Whether a release or remap over a state WxCC confirmed, and a write not confirmed in time, first read the agent's
    /// state back (<see cref="SyncCommandKind.Verify"/>), so that the connector never writes over a state it has not
    /// seen. The connector's host turns it on.
    /// </summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool VerifyBeforeOverwrite { get; init; }

    /// <summary>
    /// Whether a first Teams presence equal to <see cref="ContactPresence"/>, shown before anything was published, is
    /// cleared as a session an earlier run may have left and taken as an echo for one <see cref="EchoGracePeriod"/>.
    /// The connector's host turns it on.
    /// </summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool ClearStaleSessionAtStart { get; init; }

    /// <summary>How far ahead of the connector's clock an agent event may be dated; later ones are dropped as <see cref="SyncOutcome.ClockSkew"/>.</summary>
    /// <value>The default value is five minutes.</value>
    public TimeSpan MaxEventClockSkew { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How long a <see cref="SyncCommandKind.Verify"/> may go unanswered before it is asked again (doubling, up to <see cref="WriteRetryMaxDelay"/>).</summary>
    /// <value>The default value is ten seconds.</value>
    public TimeSpan VerifyTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The first back-off after a write was refused or failed; it doubles with each failure in a row.</summary>
    /// <value>The default value is five seconds.</value>
    public TimeSpan WriteRetryDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The longest back-off between attempts of a refused or failed write.</summary>
    /// <value>The default value is five minutes.</value>
    public TimeSpan WriteRetryMaxDelay { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Lists every problem with these settings.</summary>
    /// <returns>The errors; empty when valid.</returns>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Mapping is null)
        {
            errors.Add("Mapping is required.");
        }

        if (Classifier is null)
        {
            errors.Add("Classifier is required.");
        }

        if (!Enum.IsDefined(EngageFrom))
        {
            errors.Add($"EngageFrom {EngageFrom} must be AnyAvailable or PresenceSyncOrigin.");
        }

        if (!Enum.IsDefined(ContactPresence))
        {
            errors.Add($"ContactPresence {ContactPresence} is not a pair that setPresence accepts.");
        }

        foreach (var (name, presence) in (ReadOnlySpan<(string, PublishedPresence)>)[("ChatContactPresence", ChatContactPresence), ("EmailContactPresence", EmailContactPresence), ("SocialContactPresence", SocialContactPresence)])
        {
            if (!Enum.IsDefined(presence))
            {
                errors.Add($"{name} {presence} is not a pair that setPresence accepts.");
            }
        }

        if (IdleCodePresences is null)
        {
            errors.Add("IdleCodePresences is required.");
        }
        else
        {
            foreach (var (code, presence) in IdleCodePresences)
            {
                if (string.IsNullOrEmpty(code) || code == AgentState.AvailableCodeId)
                {
                    errors.Add($"IdleCodePresences has an invalid idle code id '{code}'.");
                }
                else if (presence == PublishedPresence.None || !Enum.IsDefined(presence))
                {
                    errors.Add($"IdleCodePresences:{code} must be one of the pairs setPresence accepts: Available/Available, Busy/InACall, Busy/InAConferenceCall, Away/Away, DoNotDisturb/Presenting.");
                }
            }
        }

        if (PublishExpiration < MinPublishExpiration || PublishExpiration > MaxPublishExpiration)
        {
            errors.Add($"PublishExpiration {PublishExpiration} is outside the {MinPublishExpiration}..{MaxPublishExpiration} that setPresence accepts.");
        }

        if (PublishRefreshMargin <= TimeSpan.Zero || PublishRefreshMargin >= PublishExpiration)
        {
            errors.Add($"PublishRefreshMargin {PublishRefreshMargin} must be positive and shorter than PublishExpiration.");
        }

        if (EchoGracePeriod < TimeSpan.Zero)
        {
            errors.Add("EchoGracePeriod must not be negative.");
        }

        if (PendingWriteTimeout <= TimeSpan.Zero)
        {
            errors.Add("PendingWriteTimeout must be positive.");
        }

        if (MaxEventClockSkew <= TimeSpan.Zero)
        {
            errors.Add("MaxEventClockSkew must be positive.");
        }

        if (VerifyTimeout <= TimeSpan.Zero)
        {
            errors.Add("VerifyTimeout must be positive.");
        }

        if (WriteRetryDelay <= TimeSpan.Zero || WriteRetryMaxDelay < WriteRetryDelay)
        {
            errors.Add($"WriteRetryDelay {WriteRetryDelay} must be positive and at most WriteRetryMaxDelay {WriteRetryMaxDelay}.");
        }

        return errors;
    }

    /// <summary>The back-off after <paramref name="failures"/> failures in a row: <paramref name="first"/> doubled each time, capped.</summary>
    internal long BackoffTicks(TimeSpan first, int failures) => Backoff.Doubling(first, failures, WriteRetryMaxDelay).Ticks;

    internal void EnsureValid()
    {
        var errors = Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid sync rules: " + string.Join(" ", errors));
        }
    }
}
