namespace Webex.TeamsConnector;

/// <summary>From which Available states a mapped Teams state engages the agent (sets the mapped idle code).</summary>
public enum EngageFrom
{
    /// <summary>From any Available, whoever set it: a routable agent who is busy in Teams is protected.</summary>
    AnyAvailable = 0,

    /// <summary>
    /// Only from an Available that presence sync set (its release). An Available set by the agent, a supervisor, RONA
    /// or the system (sign-in, the end of a contact) is left alone until presence sync next sets the state.
    /// </summary>
    PresenceSyncOrigin,
}
