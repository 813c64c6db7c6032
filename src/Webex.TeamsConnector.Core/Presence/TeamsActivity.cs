namespace Webex.TeamsConnector;

/// <summary>The <c>activity</c> half of a Microsoft Teams presence, as Microsoft Graph reports it.</summary>
/// <remarks>Parsing is case-insensitive; any value not listed here becomes <see cref="Unknown"/>.</remarks>
public enum TeamsActivity
{
    /// <summary>A value that is missing, empty or not known to this library.</summary>
    Unknown = 0,
    /// <summary><c>Available</c>.</summary>
    Available,
    /// <summary><c>AvailableInactive</c>.</summary>
    AvailableInactive,
    /// <summary><c>Away</c>.</summary>
    Away,
    /// <summary><c>BeRightBack</c>.</summary>
    BeRightBack,
    /// <summary><c>Busy</c>.</summary>
    Busy,
    /// <summary><c>DoNotDisturb</c>.</summary>
    DoNotDisturb,
    /// <summary><c>InACall</c>: on a Teams call.</summary>
    InACall,
    /// <summary><c>InAConferenceCall</c>.</summary>
    InAConferenceCall,
    /// <summary><c>Inactive</c>.</summary>
    Inactive,
    /// <summary><c>InAMeeting</c>.</summary>
    InAMeeting,
    /// <summary><c>Offline</c>.</summary>
    Offline,
    /// <summary><c>OffWork</c> (shown as "Appear offline").</summary>
    OffWork,
    /// <summary><c>OutOfOffice</c>.</summary>
    OutOfOffice,
    /// <summary><c>PresenceUnknown</c>.</summary>
    PresenceUnknown,
    /// <summary><c>Presenting</c>: sharing the screen in a Teams meeting.</summary>
    Presenting,
    /// <summary><c>UrgentInterruptionsOnly</c>: a Do Not Disturb that lets urgent messages through.</summary>
    UrgentInterruptionsOnly,
    /// <summary><c>Focusing</c>.</summary>
    Focusing,
}
