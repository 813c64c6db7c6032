using System.Collections.Frozen;

namespace Webex.TeamsConnector;

/// <summary>
/// A Microsoft Teams presence: availability and activity, parsed case-insensitively, with the raw strings
/// kept for logs. Parsing never throws: a missing or unknown value becomes <see cref="TeamsAvailability.Unknown"/>
/// or <see cref="TeamsActivity.Unknown"/>.
/// </summary>
public readonly struct TeamsPresence : IEquatable<TeamsPresence>
{
    private static readonly FrozenDictionary<string, TeamsAvailability>.AlternateLookup<ReadOnlySpan<char>> s_availability =
        BuildLookup<TeamsAvailability>().GetAlternateLookup<ReadOnlySpan<char>>();

    private static readonly FrozenDictionary<string, TeamsActivity>.AlternateLookup<ReadOnlySpan<char>> s_activity =
        BuildLookup<TeamsActivity>().GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>Creates a presence from parsed values (raw strings are their canonical names).</summary>
    /// <param name="availability">The availability.</param>
    /// <param name="activity">The activity.</param>
    public TeamsPresence(TeamsAvailability availability, TeamsActivity activity)
        : this(availability, activity, null, null)
    {
    }

    private TeamsPresence(TeamsAvailability availability, TeamsActivity activity, string? rawAvailability, string? rawActivity)
    {
        Availability = availability;
        Activity = activity;
        RawAvailability = rawAvailability;
        RawActivity = rawActivity;
        State = Classify(availability, activity);
        Packed = Byte((uint)availability) | Byte((uint)activity) << 8 | Byte((uint)State) << 16
            | (InactivityRule.SaysInactive(availability, activity) ? InactiveBit : 0u);
    }

    /// <summary>The bit of <see cref="Packed"/> set when the presence says inactivity by itself.</summary>
    internal const uint InactiveBit = 1u << 24;

    /// <summary>
    /// Availability, activity and state in one byte each (255 for a value built by hand beyond it), and
    /// <see cref="InactiveBit"/>: what the sync machine stores, computed once when the presence is made.
    /// </summary>
    internal uint Packed { get; }

    private static uint Byte(uint value) => Math.Min(value, byte.MaxValue);

    /// <summary>The parsed availability.</summary>
    public TeamsAvailability Availability { get; }

    /// <summary>The parsed activity.</summary>
    public TeamsActivity Activity { get; }

    /// <summary>The availability string as received, or <see langword="null"/> when built from values.</summary>
    public string? RawAvailability { get; }

    /// <summary>The activity string as received, or <see langword="null"/> when built from values.</summary>
    public string? RawActivity { get; }

    /// <summary>The Teams state this presence shows, as used by the idle-code mapping.</summary>
    public TeamsState State { get; }

    /// <summary>Parses Graph's availability and activity strings; never throws.</summary>
    /// <param name="availability">The <c>availability</c> string (any casing; null or unknown gives Unknown).</param>
    /// <param name="activity">The <c>activity</c> string (any casing; null or unknown gives Unknown).</param>
    /// <returns>The presence.</returns>
    public static TeamsPresence Parse(string? availability, string? activity) =>
        new(ParseAvailability(availability), ParseActivity(activity), availability, activity);

    /// <summary>Parses an availability string case-insensitively; unknown, empty or numeric text gives Unknown.</summary>
    /// <param name="value">The text.</param>
    /// <returns>The availability.</returns>
    public static TeamsAvailability ParseAvailability(ReadOnlySpan<char> value) =>
        s_availability.TryGetValue(value.Trim(), out var parsed) ? parsed : TeamsAvailability.Unknown;

    /// <summary>Parses an activity string case-insensitively; unknown, empty or numeric text gives Unknown.</summary>
    /// <param name="value">The text.</param>
    /// <returns>The activity.</returns>
    public static TeamsActivity ParseActivity(ReadOnlySpan<char> value) =>
        s_activity.TryGetValue(value.Trim(), out var parsed) ? parsed : TeamsActivity.Unknown;

    /// <summary>Whether two presences show the same availability and activity (raw text is not compared).</summary>
    /// <param name="other">The other presence.</param>
    /// <returns><see langword="true"/> when both parsed values are equal.</returns>
    public bool Equals(TeamsPresence other) => Availability == other.Availability && Activity == other.Activity;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is TeamsPresence other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => ((int)Availability << 8) | (int)Activity;

    /// <summary>Compares parsed values.</summary>
    /// <param name="left">The left presence.</param>
    /// <param name="right">The right presence.</param>
    /// <returns>Whether they are equal.</returns>
    public static bool operator ==(TeamsPresence left, TeamsPresence right) => left.Equals(right);

    /// <summary>Compares parsed values.</summary>
    /// <param name="left">The left presence.</param>
    /// <param name="right">The right presence.</param>
    /// <returns>Whether they differ.</returns>
    public static bool operator !=(TeamsPresence left, TeamsPresence right) => !left.Equals(right);

    /// <summary>Formats as <c>Availability/Activity</c>, showing the raw text of unknown values.</summary>
    /// <returns>The text.</returns>
    public override string ToString()
    {
        var availability = Availability == TeamsAvailability.Unknown ? $"Unknown({RawAvailability ?? "null"})" : Availability.ToString();
        var activity = Activity == TeamsActivity.Unknown ? $"Unknown({RawActivity ?? "null"})" : Activity.ToString();
        return availability + "/" + activity;
    }

    internal static TeamsState Classify(TeamsAvailability availability, TeamsActivity activity) => activity switch
    {
        TeamsActivity.InACall => TeamsState.InACall,
        TeamsActivity.InAConferenceCall => TeamsState.InAConferenceCall,
        TeamsActivity.Presenting => TeamsState.Presenting,
        TeamsActivity.InAMeeting => TeamsState.InAMeeting,
        TeamsActivity.DoNotDisturb or TeamsActivity.UrgentInterruptionsOnly => TeamsState.DoNotDisturb,
        TeamsActivity.Focusing => TeamsState.Focusing,
        TeamsActivity.Busy => TeamsState.Busy,
        TeamsActivity.Away => TeamsState.Away,
        TeamsActivity.BeRightBack => TeamsState.BeRightBack,
        TeamsActivity.Offline or TeamsActivity.OffWork => TeamsState.Offline,
        TeamsActivity.OutOfOffice => TeamsState.OutOfOffice,
        TeamsActivity.Available or TeamsActivity.AvailableInactive => TeamsState.None,
        _ => availability switch
        {
            TeamsAvailability.DoNotDisturb => TeamsState.DoNotDisturb,
            TeamsAvailability.Busy or TeamsAvailability.BusyIdle => TeamsState.Busy,
            TeamsAvailability.Away => TeamsState.Away,
            TeamsAvailability.BeRightBack => TeamsState.BeRightBack,
            TeamsAvailability.Offline => TeamsState.Offline,
            TeamsAvailability.Focusing => TeamsState.Focusing,
            TeamsAvailability.InACall => TeamsState.InACall,
            TeamsAvailability.InAMeeting => TeamsState.InAMeeting,
            TeamsAvailability.Presenting => TeamsState.Presenting,
            _ => TeamsState.None,
        },
    };

    private static FrozenDictionary<string, TEnum> BuildLookup<TEnum>()
        where TEnum : struct, Enum
    {
        var map = new Dictionary<string, TEnum>(StringComparer.OrdinalIgnoreCase);
        foreach (var value in Enum.GetValues<TEnum>())
        {
            if (!EqualityComparer<TEnum>.Default.Equals(value, default))
            {
                map[value.ToString()] = value;
            }
        }

        return map.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
    }
}
