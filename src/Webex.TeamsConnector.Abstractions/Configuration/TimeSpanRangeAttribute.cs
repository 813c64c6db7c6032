using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace Webex.TeamsConnector;

/// <summary>
/// A <see cref="TimeSpan"/> setting must lie between two bounds (inclusive). Unlike
/// <see cref="RangeAttribute"/> with a type argument it needs no reflection, so it stays trimming-safe. Used by the
/// options of every package of the connector.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field, AllowMultiple = false)]
public sealed class TimeSpanRangeAttribute : ValidationAttribute
{
    /// <param name="minimum">The smallest value allowed, in the invariant <c>c</c> format (for example <c>00:00:01</c>).</param>
    /// <param name="maximum">The largest value allowed, or <see langword="null"/> for no upper bound.</param>
    public TimeSpanRangeAttribute(string minimum, string? maximum)
    {
        Minimum = TimeSpan.Parse(minimum, CultureInfo.InvariantCulture);
        Maximum = maximum is null ? TimeSpan.MaxValue : TimeSpan.Parse(maximum, CultureInfo.InvariantCulture);
    }

    /// <summary>The smallest value allowed.</summary>
    public TimeSpan Minimum { get; }

    /// <summary>The largest value allowed (<see cref="TimeSpan.MaxValue"/> when unbounded).</summary>
    public TimeSpan Maximum { get; }

    /// <inheritdoc/>
    public override bool IsValid(object? value) => value is not TimeSpan span || (span >= Minimum && span <= Maximum);

    /// <inheritdoc/>
    public override string FormatErrorMessage(string name) =>
        string.Format(CultureInfo.InvariantCulture, ErrorMessageString, name, Minimum.ToString("c", CultureInfo.InvariantCulture), Maximum.ToString("c", CultureInfo.InvariantCulture));
}
