namespace Webex.TeamsConnector;

/// <summary>The idle-code mapping in effect, with the catalogue an administrator picks from.</summary>
/// <param name="Mapping">Teams state name (for example <c>InACall</c>) to idle code id.</param>
/// <param name="FromAdmin">
/// <see langword="true"/> when the mapping was set through the admin API (and replaces <c>StateSync:IdleCodes</c>);
/// <see langword="false"/> while the configured mapping applies.
/// </param>
/// <param name="MappableStates">The Teams states that may be mapped.</param>
/// <param name="IdleCodes">The organization's auxiliary codes, each with whether it may be mapped.</param>
public sealed record IdleCodeMappingView(
    IReadOnlyDictionary<string, string> Mapping,
    bool FromAdmin,
    IReadOnlyList<string> MappableStates,
    IReadOnlyList<MappableIdleCode> IdleCodes);

/// <summary>An auxiliary code of the catalogue, and whether the mapping may name it.</summary>
/// <param name="Code">The code.</param>
/// <param name="Selectable">Whether it may be mapped: active, an idle code and not a system code.</param>
/// <param name="Reason">Why it may not be mapped, when it may not.</param>
public sealed record MappableIdleCode(IdleCode Code, bool Selectable, string? Reason);

/// <summary>The result of changing the idle-code mapping.</summary>
/// <param name="Succeeded">Whether the mapping was stored and applied.</param>
/// <param name="Mapping">The mapping in effect afterwards (unchanged when refused).</param>
/// <param name="Errors">Why it was refused, each naming the Teams state; empty on success.</param>
public sealed record IdleCodeMappingChange(bool Succeeded, IReadOnlyDictionary<string, string> Mapping, IReadOnlyList<string> Errors);

/// <summary>The run-time settings of the admin API: the idle-code mapping, per-agent pause and the desktop profiles.</summary>
public partial interface ITeamsConnectorAdmin
{
    /// <summary>The idle-code mapping in effect and the catalogue it is checked against.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The mapping and the organization's idle codes.</returns>
    Task<IdleCodeMappingView> GetIdleCodeMappingAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Replaces the idle-code mapping after checking it against the idle-code catalogue (each code exists, is active,
    /// is an idle code and is not a system code). It is stored with the connector's state and applies at once: the next
    /// Teams change of every agent is decided with it, without a restart.
    /// </summary>
    /// <param name="mapping">Teams state name (for example <c>InACall</c>) to idle code id; a state left out is not mapped.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The result; refused, with every error, when any entry is invalid.</returns>
    Task<IdleCodeMappingChange> SetIdleCodeMappingAsync(IReadOnlyDictionary<string, string> mapping, CancellationToken cancellationToken);

    /// <summary>The agents paused through the admin API.</summary>
    /// <returns>Their WxCC agent ids.</returns>
    IReadOnlyList<string> GetPausedAgents();

    /// <summary>
    /// Pauses an agent: the connector leaves the agent alone (no state write; what it published to Teams for the agent
    /// is cleared) until resumed. Kept with the connector's state.
    /// </summary>
    /// <param name="agentId">The WxCC agent id (<c>ciUserId</c>), at most 36 characters.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="true"/> when the agent was not paused before.</returns>
    /// <exception cref="ArgumentException">The agent id is empty or too long.</exception>
    Task<bool> PauseAgentAsync(string agentId, CancellationToken cancellationToken);

    /// <summary>Resumes a paused agent: it is synced again from the next roster refresh, which this starts.</summary>
    /// <param name="agentId">The WxCC agent id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="true"/> when the agent was paused.</returns>
    /// <exception cref="ArgumentException">The agent id is empty or too long.</exception>
    Task<bool> ResumeAgentAsync(string agentId, CancellationToken cancellationToken);

    /// <summary>The desktop profiles the organization's users have, with their collaboration toggles.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The profiles, by id.</returns>
    Task<IReadOnlyList<DesktopProfile>> GetDesktopProfilesAsync(CancellationToken cancellationToken);
}
