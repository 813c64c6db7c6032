using System.Runtime.CompilerServices;

namespace Webex.TeamsConnector;

/// <summary>The kind of a Webex Contact Center agent state.</summary>
public enum AgentStateKind
{
    /// <summary>Not signed in to the agent desktop.</summary>
    LoggedOut = 0,
    /// <summary>Available: routable (idle code id <c>"0"</c> on the wire).</summary>
    Available,
    /// <summary>Idle with an idle (auxiliary) code.</summary>
    Idle,
    /// <summary>A contact is being offered (ringing).</summary>
    Reserved,
    /// <summary>On a contact.</summary>
    Engaged,
    /// <summary>In wrap-up after a contact.</summary>
    WrapUp,
}

/// <summary>A Webex Contact Center agent state: its kind and, for <see cref="AgentStateKind.Idle"/>, the idle code id.</summary>
public readonly struct AgentState : IEquatable<AgentState>
{
    /// <summary>The idle code id that means Available on the wire.</summary>
    public const string AvailableCodeId = "0";

    private AgentState(AgentStateKind kind, string? idleCodeId)
    {
        Kind = kind;
        IdleCodeId = idleCodeId;
    }

    /// <summary>The kind of state.</summary>
    public AgentStateKind Kind { get; }

    /// <summary>The idle code id when <see cref="Kind"/> is <see cref="AgentStateKind.Idle"/>; otherwise <see langword="null"/>.</summary>
    public string? IdleCodeId { get; }

    /// <summary>Signed out.</summary>
    public static AgentState LoggedOut => default;

    /// <summary>Available.</summary>
    public static AgentState Available
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => new(AgentStateKind.Available, null);
    }

    /// <summary>A contact is being offered.</summary>
    public static AgentState Reserved => new(AgentStateKind.Reserved, null);

    /// <summary>On a contact.</summary>
    public static AgentState Engaged => new(AgentStateKind.Engaged, null);

    /// <summary>In wrap-up.</summary>
    public static AgentState WrapUp => new(AgentStateKind.WrapUp, null);

    /// <summary>Whether the agent is busy with a contact (offered, engaged or wrapping up).</summary>
    public bool IsOnContact => Kind is AgentStateKind.Reserved or AgentStateKind.Engaged or AgentStateKind.WrapUp;

    /// <summary>Idle with the given code.</summary>
    /// <param name="idleCodeId">The idle code id (not <c>"0"</c>, which means Available).</param>
    /// <returns>The state.</returns>
    /// <exception cref="ArgumentException">The id is null, empty or <c>"0"</c>.</exception>
    public static AgentState Idle(string idleCodeId)
    {
        ArgumentException.ThrowIfNullOrEmpty(idleCodeId);
        if (idleCodeId == AvailableCodeId)
        {
            throw new ArgumentException("Idle code id \"0\" means Available; use AgentState.Available.", nameof(idleCodeId));
        }

        return new(AgentStateKind.Idle, idleCodeId);
    }

    /// <summary>Idle with a code already validated (for example by <see cref="IdleCodeMapping"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static AgentState IdleValidated(string idleCodeId) => new(AgentStateKind.Idle, idleCodeId);

    /// <summary>
    /// The state that a wire pair (state name, idle code id) means: <c>Available</c> or an idle code id of
    /// <c>"0"</c> is Available; <c>Idle</c> with another code is Idle. Never throws.
    /// </summary>
    /// <param name="kind">The state kind.</param>
    /// <param name="idleCodeId">The idle code id, if any.</param>
    /// <returns>The state; Idle with a missing code becomes Idle with an empty code.</returns>
    public static AgentState From(AgentStateKind kind, string? idleCodeId) => kind switch
    {
        AgentStateKind.Idle when idleCodeId == AvailableCodeId => Available,
        AgentStateKind.Idle => new(AgentStateKind.Idle, idleCodeId ?? string.Empty),
        _ => new(kind, null),
    };

    /// <inheritdoc />
    /// <remarks>Ordinal: <c>==</c> on strings compares ordinally and inlines (the same code instance is the common case).</remarks>
    public bool Equals(AgentState other) => Kind == other.Kind && IdleCodeId == other.IdleCodeId;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is AgentState other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Kind, IdleCodeId is null ? 0 : StringComparer.Ordinal.GetHashCode(IdleCodeId));

    /// <summary>Compares two states.</summary>
    /// <param name="left">The left state.</param>
    /// <param name="right">The right state.</param>
    /// <returns>Whether they are equal.</returns>
    public static bool operator ==(AgentState left, AgentState right) => left.Equals(right);

    /// <summary>Compares two states.</summary>
    /// <param name="left">The left state.</param>
    /// <param name="right">The right state.</param>
    /// <returns>Whether they differ.</returns>
    public static bool operator !=(AgentState left, AgentState right) => !left.Equals(right);

    /// <summary>Formats as <c>Available</c>, <c>Idle(code)</c>, and so on.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => Kind == AgentStateKind.Idle ? $"Idle({IdleCodeId})" : Kind.ToString();
}
