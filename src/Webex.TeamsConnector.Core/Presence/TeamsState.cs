namespace Webex.TeamsConnector;

/// <summary>
/// A Teams state that an administrator can map to a Webex Contact Center idle code
/// (configuration keys <c>TeamsConnector:StateSync:IdleCodes:&lt;TeamsState&gt;</c>).
/// </summary>
/// <remarks>
/// Cisco's own connector maps <see cref="DoNotDisturb"/>, <see cref="InACall"/> and <see cref="Presenting"/>;
/// the others are extensions of this library. A presence whose state is not mapped leaves the agent free.
/// Matching is exact: an unmapped <see cref="InACall"/> does not fall back to a mapped <see cref="Busy"/>.
/// </remarks>
public enum TeamsState
{
    /// <summary>Free in Teams (Available, or nothing known): never mapped.</summary>
    None = 0,
    /// <summary>Do not disturb (<c>DoNotDisturb/DoNotDisturb</c>, also <c>UrgentInterruptionsOnly</c>).</summary>
    DoNotDisturb,
    /// <summary>In a call (<c>Busy/InACall</c>).</summary>
    InACall,
    /// <summary>Presenting (<c>DoNotDisturb/Presenting</c>).</summary>
    Presenting,
    /// <summary>In a conference call (<c>Busy/InAConferenceCall</c>).</summary>
    InAConferenceCall,
    /// <summary>In a meeting (<c>Busy/InAMeeting</c>).</summary>
    InAMeeting,
    /// <summary>Busy (<c>Busy/Busy</c>).</summary>
    Busy,
    /// <summary>Away (<c>Away/Away</c>).</summary>
    Away,
    /// <summary>Be right back (<c>BeRightBack/BeRightBack</c>).</summary>
    BeRightBack,
    /// <summary>Offline or appear offline (<c>Offline/Offline</c>, <c>Offline/OffWork</c>).</summary>
    Offline,
    /// <summary>Out of office (<c>OutOfOffice</c> activity).</summary>
    OutOfOffice,
    /// <summary>Focusing (<c>Focusing</c>).</summary>
    Focusing,
}
