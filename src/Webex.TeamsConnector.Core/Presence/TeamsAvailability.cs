namespace Webex.TeamsConnector;

/// <summary>The <c>availability</c> half of a Microsoft Teams presence, as Microsoft Graph reports it.</summary>
/// <remarks>Graph documentation lists differ between versions and casing; parsing is case-insensitive and any
/// value not listed here becomes <see cref="Unknown"/> (the raw text is kept by <see cref="TeamsPresence"/>).</remarks>
public enum TeamsAvailability
{
    /// <summary>A value that is missing, empty or not known to this library.</summary>
    Unknown = 0,
    /// <summary><c>Available</c>.</summary>
    Available,
    /// <summary><c>AvailableIdle</c>.</summary>
    AvailableIdle,
    /// <summary><c>Away</c>.</summary>
    Away,
    /// <summary><c>BeRightBack</c>.</summary>
    BeRightBack,
    /// <summary><c>Busy</c>.</summary>
    Busy,
    /// <summary><c>BusyIdle</c>.</summary>
    BusyIdle,
    /// <summary><c>DoNotDisturb</c>.</summary>
    DoNotDisturb,
    /// <summary><c>Offline</c>.</summary>
    Offline,
    /// <summary><c>PresenceUnknown</c>: Graph itself does not know.</summary>
    PresenceUnknown,
    /// <summary><c>Focusing</c> (newer documentation).</summary>
    Focusing,
    /// <summary><c>InACall</c> (newer documentation lists it as an availability too).</summary>
    InACall,
    /// <summary><c>InAMeeting</c> (newer documentation).</summary>
    InAMeeting,
    /// <summary><c>Presenting</c> (newer documentation).</summary>
    Presenting,
}
