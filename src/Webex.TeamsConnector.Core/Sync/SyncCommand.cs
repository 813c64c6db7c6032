namespace Webex.TeamsConnector;

/// <summary>What a <see cref="SyncCommand"/> asks the adapters to do.</summary>
internal enum SyncCommandKind
{
    /// <summary>Nothing.</summary>
    None = 0,
    /// <summary>Set the agent's WxCC state to Idle with <see cref="SyncCommand.State"/>'s idle code.</summary>
    SetIdle,
    /// <summary>Set the agent's WxCC state to Available.</summary>
    SetAvailable,
    /// <summary>Publish <see cref="SyncCommand.Presence"/> to Teams with Graph <c>setPresence</c> (also used to refresh it).</summary>
    PublishPresence,
    /// <summary>Remove the application's presence session with Graph <c>clearPresence</c>.</summary>
    ClearPresence,
    /// <summary>
    /// Forget the agent's state write that is queued and not sent yet: someone else changed the agent's state and the
    /// rules no longer want it. A write already on the wire is not recalled, and is not retried.
    /// </summary>
    Withdraw,
    /// <summary>
    /// Read the agent's current state from WxCC (<c>GET /v1/agents/activities</c>) and hand it back as an
    /// <see cref="AgentEventKind.Reconciliation"/> event: the rules write only over a state they have seen.
    /// </summary>
    Verify,
}

/// <summary>
/// Which sync rule produced a command, or, for a decision without a command, why the agent was left alone. One byte, so
/// that a <see cref="SyncDecision"/> carries it for free.
/// </summary>
internal enum SyncRule : byte
{
    /// <summary>No rule.</summary>
    None = 0,
    /// <summary>Available agent, Teams shows a mapped state: set the mapped idle code.</summary>
    Engage,
    /// <summary>Idle by presence sync, Teams now shows a state mapped to another code: set that code.</summary>
    Remap,
    /// <summary>Idle by presence sync, Teams now free: set Available.</summary>
    Release,
    /// <summary>The agent is on a contact: show them busy in Teams.</summary>
    PublishContact,
    /// <summary>The agent chose an idle code configured to be shown in Teams.</summary>
    PublishIdleCode,
    /// <summary>The published presence is about to expire: publish it again.</summary>
    RefreshPublish,
    /// <summary>What was published no longer applies: clear it.</summary>
    ClearPublish,
    /// <summary>Someone else changed the agent's state: the queued write is no longer wanted.</summary>
    Withdraw,
    /// <summary>A write was not confirmed in time: the agent's state is read back before deciding again.</summary>
    ConfirmWrite,
    /// <summary>Teams shows the contact presence before the connector published anything (a session an earlier run may have left): clear it.</summary>
    ClearStaleSession,
    /// <summary>Left alone: Teams and WxCC already agree (Available and Teams free, or Idle by presence sync with the mapped code).</summary>
    NoChange,
    /// <summary>Left alone: the agent, a supervisor, RONA or the system set the idle code, and owns it.</summary>
    AgentOwned,
    /// <summary>Left alone: the agent is signed out.</summary>
    SignedOut,
    /// <summary>Left alone for now: the agent is on a contact; Teams is evaluated again when the contact ends.</summary>
    DeferredOnContact,
    /// <summary>Left alone: Available set by someone else than presence sync, and <see cref="EngageFrom.PresenceSyncOrigin"/> is on (the strict rule).</summary>
    StrictEngage,
    /// <summary>Left alone for now: the agent's state is being read back; its answer decides.</summary>
    AwaitingVerify,
    /// <summary>Left alone: no Teams presence is known for the agent yet.</summary>
    NoTeamsPresence,
    /// <summary>Left alone: the agent's WxCC state (or digital contact) was recorded and nothing else was due.</summary>
    StateRecorded,
    /// <summary>Left alone for now: a state write was refused or failed; the rules decide again after a back-off.</summary>
    WriteBackoff,
}

/// <summary>What made the engine evaluate a rule.</summary>
internal enum SyncTrigger
{
    /// <summary>Teams presence changed.</summary>
    TeamsPresenceChanged = 0,
    /// <summary>The agent's WxCC state changed.</summary>
    AgentStateChanged,
    /// <summary>A contact ended and the agent is back to Available or Idle: Teams presence is evaluated once.</summary>
    ContactEnded,
    /// <summary>The agent signed in (or its state was read for the first time): Teams presence is evaluated once.</summary>
    AgentSignedIn,
    /// <summary>An earlier write of the connector landed after a newer decision: the state is reconciled.</summary>
    OwnWriteLanded,
    /// <summary>The echo grace period after clearing a published presence ended and Teams still shows a mapped state.</summary>
    EchoGraceExpired,
    /// <summary>A write was not confirmed in time: the state is decided again.</summary>
    PendingWriteExpired,
    /// <summary>A published presence is due for refresh.</summary>
    RefreshDue,
    /// <summary>The agent's state read back from WxCC answered a <see cref="SyncCommandKind.Verify"/>.</summary>
    StateVerified,
    /// <summary>A refused or failed write's back-off ended: the state is decided again.</summary>
    WriteRetryDue,
    /// <summary>A <see cref="SyncCommandKind.Verify"/> was not answered in time: it is asked again.</summary>
    VerifyDue,
}

/// <summary>Why a command was produced: the rule and its trigger. Prints as text for logs.</summary>
/// <param name="Rule">The rule.</param>
/// <param name="Trigger">The trigger.</param>
internal readonly record struct SyncReason(SyncRule Rule, SyncTrigger Trigger)
{
    /// <summary>Formats as <c>rule (trigger)</c>, for example <c>Engage (TeamsPresenceChanged)</c>.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => $"{Rule} ({Trigger})";
}

/// <summary>
/// A command produced by the sync rules for the adapters: a WxCC state write or a Teams presence publish or clear.
/// </summary>
internal readonly struct SyncCommand : IEquatable<SyncCommand>
{
    internal SyncCommand(SyncCommandKind kind, string agentId, string? teamsUserId, AgentState state, PublishedPresence presence, TimeSpan expiration, SyncReason reason)
    {
        Kind = kind;
        AgentId = agentId;
        TeamsUserId = teamsUserId;
        State = state;
        Presence = presence;
        Expiration = expiration;
        Reason = reason;
    }

    /// <summary>What to do.</summary>
    public SyncCommandKind Kind { get; }

    /// <summary>The WxCC agent id (<c>ciUserId</c>).</summary>
    public string AgentId { get; }

    /// <summary>The Teams (Entra ID) user object id, when known.</summary>
    public string? TeamsUserId { get; }

    /// <summary>For state writes: the wanted WxCC state (Available, or Idle with the code).</summary>
    public AgentState State { get; }

    /// <summary>For <see cref="SyncCommandKind.PublishPresence"/>: the pair to publish; for clear: the pair being cleared.</summary>
    public PublishedPresence Presence { get; }

    /// <summary>For <see cref="SyncCommandKind.PublishPresence"/>: the <c>expirationDuration</c> to send.</summary>
    public TimeSpan Expiration { get; }

    /// <summary>Why the command was produced.</summary>
    public SyncReason Reason { get; }

    /// <summary>Whether the command writes the agent's WxCC state.</summary>
    public bool IsStateWrite => Kind is SyncCommandKind.SetIdle or SyncCommandKind.SetAvailable;

    /// <inheritdoc />
    public bool Equals(SyncCommand other) =>
        Kind == other.Kind
        && string.Equals(AgentId, other.AgentId, StringComparison.Ordinal)
        && string.Equals(TeamsUserId, other.TeamsUserId, StringComparison.Ordinal)
        && State == other.State
        && Presence == other.Presence
        && Expiration == other.Expiration
        && Reason == other.Reason;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is SyncCommand other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Kind, AgentId, State, Presence, Reason);

    /// <summary>Compares two commands.</summary>
    /// <param name="left">The left command.</param>
    /// <param name="right">The right command.</param>
    /// <returns>Whether they are equal.</returns>
    public static bool operator ==(SyncCommand left, SyncCommand right) => left.Equals(right);

    /// <summary>Compares two commands.</summary>
    /// <param name="left">The left command.</param>
    /// <param name="right">The right command.</param>
    /// <returns>Whether they differ.</returns>
    public static bool operator !=(SyncCommand left, SyncCommand right) => !left.Equals(right);

    /// <summary>Formats the command for logs, for example <c>SetIdle(Idle(c1)) agent a1: Engage (TeamsPresenceChanged)</c>.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => Kind switch
    {
        SyncCommandKind.SetIdle or SyncCommandKind.SetAvailable => $"{Kind} {State} agent {AgentId}: {Reason}",
        SyncCommandKind.PublishPresence => $"{Kind} {Presence.ToPairString()} for {Expiration} agent {AgentId}: {Reason}",
        SyncCommandKind.ClearPresence => $"{Kind} {Presence.ToPairString()} agent {AgentId}: {Reason}",
        SyncCommandKind.Withdraw or SyncCommandKind.Verify => $"{Kind} agent {AgentId}: {Reason}",
        _ => "None",
    };
}
