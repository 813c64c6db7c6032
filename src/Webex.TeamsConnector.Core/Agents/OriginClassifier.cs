using System.Collections.Frozen;

namespace Webex.TeamsConnector;

/// <summary>
/// Decides who made an agent state change (DESIGN "origin classification"), in this order:
/// the connector's own write (reason marker and a matching pending or recent write) is
/// <see cref="StateOrigin.PresenceSync"/>; the RONA idle code is <see cref="StateOrigin.Rona"/>; another system
/// idle code is <see cref="StateOrigin.System"/>; a change by someone else than the agent is
/// <see cref="StateOrigin.Supervisor"/>; login and logout are <see cref="StateOrigin.System"/>; anything else is
/// <see cref="StateOrigin.Agent"/>.
/// </summary>
internal sealed class OriginClassifier
{
    /// <summary>The default <c>lastStateChangeReason</c> that the connector writes.</summary>
    public const string DefaultReasonMarker = "teams-presence-sync";

    private readonly FrozenSet<string> _ronaCodes;
    private readonly FrozenSet<string> _systemCodes;

    /// <summary>Creates a classifier.</summary>
    /// <param name="reasonMarker">The <c>lastStateChangeReason</c> the connector writes (at most 128 characters).</param>
    /// <param name="ronaIdleCodeIds">The ids of the system RONA idle code(s).</param>
    /// <param name="otherSystemIdleCodeIds">The ids of the other system idle codes.</param>
    /// <exception cref="ArgumentException">The marker is empty or longer than 128 characters.</exception>
    public OriginClassifier(
        string reasonMarker = DefaultReasonMarker,
        IEnumerable<string>? ronaIdleCodeIds = null,
        IEnumerable<string>? otherSystemIdleCodeIds = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reasonMarker);
        if (reasonMarker.Length > 128)
        {
            throw new ArgumentException("The reason marker is longer than the 128 characters WxCC accepts.", nameof(reasonMarker));
        }

        ReasonMarker = reasonMarker;
        _ronaCodes = (ronaIdleCodeIds ?? []).Where(static id => !string.IsNullOrEmpty(id)).ToFrozenSet(StringComparer.Ordinal);
        _systemCodes = (otherSystemIdleCodeIds ?? []).Where(static id => !string.IsNullOrEmpty(id)).ToFrozenSet(StringComparer.Ordinal);
    }

    /// <summary>The <c>lastStateChangeReason</c> the connector writes and recognises.</summary>
    public string ReasonMarker { get; }

    /// <summary>The RONA idle code ids.</summary>
    public IReadOnlySet<string> RonaIdleCodeIds => _ronaCodes;

    /// <summary>The other system idle code ids.</summary>
    public IReadOnlySet<string> SystemIdleCodeIds => _systemCodes;

    /// <summary>Whether an idle code id is a system code (RONA or other).</summary>
    /// <param name="idleCodeId">The id.</param>
    /// <returns><see langword="true"/> for a system code.</returns>
    public bool IsSystemCode(string? idleCodeId) =>
        idleCodeId is not null && (_ronaCodes.Contains(idleCodeId) || _systemCodes.Contains(idleCodeId));

    /// <summary>Classifies an agent event.</summary>
    /// <param name="agentId">The agent the event is about.</param>
    /// <param name="agentEvent">The event.</param>
    /// <param name="ownWrites">The connector's pending and recent writes for this agent.</param>
    /// <param name="hasWriteHistory">
    /// <see langword="false"/> when the connector knows of no write for this agent (for example after a restart):
    /// the reason marker alone then identifies its own write.
    /// </param>
    /// <returns>The origin.</returns>
    public StateOrigin Classify(string? agentId, in AgentEvent agentEvent, ReadOnlySpan<AgentState> ownWrites, bool hasWriteHistory)
    {
        var state = agentEvent.State;
        if (state.Kind is AgentStateKind.Idle or AgentStateKind.Available
            && string.Equals(agentEvent.Reason, ReasonMarker, StringComparison.Ordinal)
            && (!hasWriteHistory || ownWrites.Contains(state)))
        {
            return StateOrigin.PresenceSync;
        }

        if (state.Kind == AgentStateKind.Idle && state.IdleCodeId is { } code)
        {
            if (_ronaCodes.Contains(code))
            {
                return StateOrigin.Rona;
            }

            if (_systemCodes.Contains(code))
            {
                return StateOrigin.System;
            }
        }

        if (!string.IsNullOrEmpty(agentEvent.ChangedById)
            && !string.Equals(agentEvent.ChangedById, agentId, StringComparison.OrdinalIgnoreCase))
        {
            return StateOrigin.Supervisor;
        }

        return agentEvent.Kind is AgentEventKind.Login or AgentEventKind.Logout
            || agentEvent.Kind == AgentEventKind.Reconciliation && state.Kind == AgentStateKind.LoggedOut
            ? StateOrigin.System
            : StateOrigin.Agent;
    }
}
