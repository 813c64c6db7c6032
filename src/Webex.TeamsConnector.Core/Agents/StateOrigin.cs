namespace Webex.TeamsConnector;

/// <summary>Who made an agent's last state change.</summary>
public enum StateOrigin
{
    /// <summary>Not known (for example before the first event).</summary>
    Unknown = 0,
    /// <summary>This connector's presence sync.</summary>
    PresenceSync,
    /// <summary>The agent.</summary>
    Agent,
    /// <summary>A supervisor (or anyone else than the agent).</summary>
    Supervisor,
    /// <summary>Redirection on no answer: an offered contact was not answered.</summary>
    Rona,
    /// <summary>The system: login, logout, or a system idle code other than RONA.</summary>
    System,
}
