using System.Threading.Channels;

namespace Webex.TeamsConnector;

/// <summary>An agent event from WxCC (webhook, websocket or reconciliation), reduced for the sync rules.</summary>
/// <param name="AgentId">The agent id (<c>ciUserId</c>).</param>
/// <param name="Event">The event.</param>
/// <param name="TrackingId">The WxCC tracking id, when given.</param>
/// <param name="ReceivedAt">When the connector received it.</param>
public readonly record struct AgentFeedEvent(string AgentId, AgentEvent Event, string? TrackingId, DateTimeOffset ReceivedAt);

/// <summary>The outcome of a state write sent by the outbox.</summary>
/// <param name="AgentId">The agent.</param>
/// <param name="State">The state that was to be written.</param>
/// <param name="Succeeded">
/// <see langword="true"/> when WxCC accepted the request (202; confirmation comes later as an event);
/// <see langword="false"/> when it was refused or failed for good (a 4xx, retries exhausted). A write that WxCC
/// accepts and then reports failed (<c>AgentStateChangeFailed</c>) comes as an agent event of kind
/// <see cref="AgentEventKind.StateChangeFailed"/> instead.
/// </param>
/// <param name="Reason">Why it failed, for logs (never a secret).</param>
/// <param name="TrackingId">The <c>TrackingId</c> sent with the request.</param>
public readonly record struct AgentWriteResult(string AgentId, AgentState State, bool Succeeded, string? Reason, string? TrackingId);

/// <summary>The source of WxCC agent events (implemented by the Contact Center adapter: webhooks or websocket).</summary>
public interface IAgentEventFeed
{
    /// <summary>
    /// Runs until cancelled, writing agent events to <paramref name="events"/>. Each run starts with the current state
    /// of every agent (a reconciliation), so that a new consumer knows every agent's state.
    /// </summary>
    /// <param name="events">Where to write events.</param>
    /// <param name="cancellationToken">Stops the feed.</param>
    /// <returns>A task that ends when the feed stops.</returns>
    Task RunAsync(ChannelWriter<AgentFeedEvent> events, CancellationToken cancellationToken);
}

/// <summary>
/// Sends wanted agent states to WxCC within the organization's request budget: per agent only the newest wanted
/// state is sent, Idle writes go before Available writes when the budget is short, 429 and transient failures are
/// retried without duplicates (implemented by the Contact Center adapter).
/// </summary>
public interface IAgentStateOutbox
{
    /// <summary>The number of agents with a wanted state not yet sent.</summary>
    int Depth { get; }

    /// <summary>
    /// The <c>lastStateChangeReason</c> written with every state change, by which the sync rules recognise the
    /// connector's own writes. The connector sets it from its <c>StateSync:ReasonMarker</c> before it runs the outbox.
    /// </summary>
    /// <value>The default value is <see cref="OriginClassifier.DefaultReasonMarker"/>.</value>
    string ReasonMarker { get; set; }

    /// <summary>Wants the agent in this state; replaces any not-yet-sent wanted state of the same agent.</summary>
    /// <param name="agentId">The agent (<c>ciUserId</c>).</param>
    /// <param name="state">Available, or Idle with the code.</param>
    void Enqueue(string agentId, AgentState state);

    /// <summary>
    /// Forgets the agent's wanted state that is not sent yet, because someone else (the agent, a supervisor, RONA, a
    /// contact) changed the agent's state meanwhile and the rules no longer want it. A write already on the wire is not
    /// recalled, but it is not retried after a 429 or a transient failure either.
    /// </summary>
    /// <param name="agentId">The agent (<c>ciUserId</c>).</param>
    /// <returns><see langword="true"/> if a wanted state was forgotten.</returns>
    bool Withdraw(string agentId);

    /// <summary>Runs until cancelled, sending writes and reporting each outcome to <paramref name="results"/>.</summary>
    /// <param name="results">Where to report outcomes (failures must be reported; nothing is dropped silently).</param>
    /// <param name="cancellationToken">Stops the outbox; unsent writes are reported as failed.</param>
    /// <returns>A task that ends when the outbox stops.</returns>
    Task RunAsync(ChannelWriter<AgentWriteResult> results, CancellationToken cancellationToken);
}

/// <summary>A WxCC auxiliary (idle or wrap-up) code.</summary>
/// <param name="Id">The code id.</param>
/// <param name="Name">The name, for example <c>RONA</c>.</param>
/// <param name="IsSystemCode">Whether WxCC marks it as a system code.</param>
/// <param name="Active">Whether the code is active.</param>
/// <param name="IsIdleCode">Whether it is an idle code (<c>workTypeCode</c> <c>IDLE_CODE</c>), not a wrap-up code.</param>
public sealed record IdleCode(string Id, string Name, bool IsSystemCode, bool Active, bool IsIdleCode)
{
    /// <summary>Whether this is the system RONA code (see <see cref="IdleCodeCatalog.IsRona"/>).</summary>
    public bool IsRona => IdleCodeCatalog.IsRona(this);
}

/// <summary>A WxCC user.</summary>
/// <param name="Id">The user's configuration id.</param>
/// <param name="AgentId">The <c>ciUserId</c>, which the agent APIs use.</param>
/// <param name="Email">The e-mail address.</param>
/// <param name="DesktopProfileId">The <c>agentProfileId</c>.</param>
/// <param name="ContactCenterEnabled">Whether the user is a contact-center user.</param>
/// <param name="Active">Whether the user is active.</param>
public sealed record ContactCenterUser(string Id, string AgentId, string? Email, string? DesktopProfileId, bool ContactCenterEnabled, bool Active);

/// <summary>WxCC configuration reads and reconciliation (implemented by the Contact Center adapter).</summary>
public interface IContactCenterDirectory
{
    /// <summary>Every auxiliary code of the organization (all pages).</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The codes.</returns>
    Task<IReadOnlyList<IdleCode>> GetIdleCodesAsync(CancellationToken cancellationToken);

    /// <summary>Every user of the organization (all pages).</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The users.</returns>
    Task<IReadOnlyList<ContactCenterUser>> GetUsersAsync(CancellationToken cancellationToken);

    /// <summary>
    /// One user by agent id (<c>ciUserId</c>), for an agent who signs in before the next roster refresh. The default
    /// reads every user; adapters override it with one filtered request.
    /// </summary>
    /// <param name="agentId">The agent id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The user, or <see langword="null"/> when there is none.</returns>
    async Task<ContactCenterUser?> GetUserByAgentIdAsync(string agentId, CancellationToken cancellationToken) =>
        (await GetUsersAsync(cancellationToken).ConfigureAwait(false)).FirstOrDefault(u => string.Equals(u.AgentId, agentId, StringComparison.Ordinal));

    /// <summary>A desktop profile's collaboration toggles; <see langword="null"/> when not found.</summary>
    /// <param name="desktopProfileId">The profile id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The profile.</returns>
    Task<DesktopProfile?> GetDesktopProfileAsync(string desktopProfileId, CancellationToken cancellationToken);

    /// <summary>The organization's presence-sync setting (Webex Calling <c>PRESENCE_SYNC</c>).</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Whether presence sync is on.</returns>
    Task<bool> GetPresenceSyncSettingAsync(CancellationToken cancellationToken);

    /// <summary>
    /// The current state of each agent (reconciliation, <c>GET /v1/agents/activities</c>), as events carrying the
    /// time the state started and its reason; agents with no activity in the window are left out.
    /// </summary>
    /// <param name="agentIds">The agents (any number; batched by the adapter).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>One event per agent with a known state.</returns>
    Task<IReadOnlyList<AgentFeedEvent>> GetCurrentStatesAsync(IReadOnlyCollection<string> agentIds, CancellationToken cancellationToken);
}

/// <summary>
/// Turns the organization's presence-sync setting (Webex Calling <c>PRESENCE_SYNC</c>) on or off; authorizing the
/// connector turns it on (implemented by the Contact Center adapter).
/// </summary>
public interface IPresenceSyncSettingWriter
{
    /// <summary>Sets the organization's presence-sync setting.</summary>
    /// <param name="enabled">The wanted value.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when WxCC stored it.</returns>
    Task SetPresenceSyncSettingAsync(bool enabled, CancellationToken cancellationToken);
}
