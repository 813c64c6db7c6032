namespace Webex.TeamsConnector;

/// <summary>What kind of Webex Contact Center agent event a <see cref="AgentEvent"/> is.</summary>
public enum AgentEventKind
{
    /// <summary>A state change (including contact offers, assignment, wrap-up and contact end).</summary>
    StateChange = 0,
    /// <summary>The agent signed in (station login or re-login).</summary>
    Login,
    /// <summary>The agent signed out.</summary>
    Logout,
    /// <summary>
    /// The agent's current state read from WxCC (<c>GET /v1/agents/activities</c>), with the time it started: the
    /// answer to a <see cref="SyncCommandKind.Verify"/> or a periodic reconciliation.
    /// </summary>
    Reconciliation,
    /// <summary>
    /// WxCC reported that a state change failed after accepting it (<c>AgentStateChangeFailed</c>); the state is
    /// not meaningful.
    /// </summary>
    StateChangeFailed,
    /// <summary>
    /// A contact on a digital channel (chat, email, social) was offered, assigned, wrapped up or ended: tracked apart
    /// from the agent's voice state (see <see cref="AgentEvent.DigitalContactChanged"/>); it never changes
    /// <see cref="AgentEvent.State"/> for the rules.
    /// </summary>
    DigitalContact,
}

/// <summary>
/// A Webex Contact Center agent event, reduced to what the sync rules need: the resulting state, when it happened
/// (<c>lastStateChangeTimestamp</c>), the reason text and who changed it.
/// </summary>
/// <param name="Kind">The kind of event.</param>
/// <param name="State">The agent's state after the event.</param>
/// <param name="Timestamp">When WxCC applied the state (<c>lastStateChangeTimestamp</c>).</param>
/// <param name="Reason">The <c>lastStateChangeReason</c>, if any.</param>
/// <param name="ChangedById">The id of who changed the state (<c>changedById</c>), if any.</param>
public readonly record struct AgentEvent(
    AgentEventKind Kind,
    AgentState State,
    DateTimeOffset Timestamp,
    string? Reason = null,
    string? ChangedById = null)
{
    /// <summary>For <see cref="AgentEventKind.DigitalContact"/>: the contact's channel.</summary>
    public ContactChannel Channel { get; init; }

    /// <summary>For <see cref="AgentEventKind.DigitalContact"/>: the contact (<c>interactionId</c>, or one key per channel for a channel-wide state).</summary>
    public string? ContactId { get; init; }

    /// <summary>
    /// A digital contact event. <paramref name="state"/> says where the contact is: <see cref="AgentStateKind.Reserved"/>
    /// (offered), <see cref="AgentStateKind.Engaged"/> (assigned), <see cref="AgentStateKind.WrapUp"/>, or
    /// <see cref="AgentStateKind.Available"/> (ended).
    /// </summary>
    /// <param name="channel">The channel: chat, email or social.</param>
    /// <param name="contactId">The contact id.</param>
    /// <param name="state">Where the contact is.</param>
    /// <param name="timestamp">When it happened.</param>
    /// <returns>The event.</returns>
    public static AgentEvent DigitalContactChanged(ContactChannel channel, string contactId, AgentState state, DateTimeOffset timestamp) =>
        new(AgentEventKind.DigitalContact, state, timestamp) { Channel = channel, ContactId = contactId };

    /// <summary>A state change event.</summary>
    /// <param name="state">The new state.</param>
    /// <param name="timestamp">When it happened.</param>
    /// <param name="reason">The reason text.</param>
    /// <param name="changedById">Who changed it.</param>
    /// <returns>The event.</returns>
    public static AgentEvent StateChanged(AgentState state, DateTimeOffset timestamp, string? reason = null, string? changedById = null) =>
        new(AgentEventKind.StateChange, state, timestamp, reason, changedById);

    /// <summary>A login event.</summary>
    /// <param name="state">The state after login.</param>
    /// <param name="timestamp">When it happened.</param>
    /// <returns>The event.</returns>
    public static AgentEvent LoggedIn(AgentState state, DateTimeOffset timestamp) => new(AgentEventKind.Login, state, timestamp);

    /// <summary>A logout event.</summary>
    /// <param name="timestamp">When it happened.</param>
    /// <returns>The event.</returns>
    public static AgentEvent LoggedOut(DateTimeOffset timestamp) => new(AgentEventKind.Logout, AgentState.LoggedOut, timestamp);

    /// <summary>A state read from WxCC (reconciliation).</summary>
    /// <param name="state">The agent's current state.</param>
    /// <param name="timestamp">When that state started.</param>
    /// <param name="reason">The reason text.</param>
    /// <param name="changedById">Who changed it.</param>
    /// <returns>The event.</returns>
    public static AgentEvent Reconciled(AgentState state, DateTimeOffset timestamp, string? reason = null, string? changedById = null) =>
        new(AgentEventKind.Reconciliation, state, timestamp, reason, changedById);

    /// <summary>A state change that WxCC accepted and then reported failed.</summary>
    /// <param name="timestamp">When the failure was received.</param>
    /// <param name="reason">WxCC's reason, if any.</param>
    /// <returns>The event.</returns>
    public static AgentEvent ChangeFailed(DateTimeOffset timestamp, string? reason = null) =>
        new(AgentEventKind.StateChangeFailed, AgentState.LoggedOut, timestamp, reason);
}
