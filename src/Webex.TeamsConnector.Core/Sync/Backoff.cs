namespace Webex.TeamsConnector;

/// <summary>The one doubling back-off of the connector's retries (write retries, read-backs, reconciliations, reconnects, Graph batches).</summary>
internal static class Backoff
{
    /// <summary>
    /// The wait before attempt <paramref name="attempt"/> again: <paramref name="first"/> for the first, doubled for each
    /// one after, never more than <paramref name="max"/> (or <paramref name="first"/>, if that is longer), without overflow.
    /// </summary>
    /// <param name="first">The first wait.</param>
    /// <param name="attempt">Which retry, from 1 (values below 1 count as 1).</param>
    /// <param name="max">The cap.</param>
    /// <returns>The wait.</returns>
    public static TimeSpan Doubling(TimeSpan first, int attempt, TimeSpan max)
    {
        var cap = Math.Max(first.Ticks, max.Ticks);
        var shift = Math.Clamp(attempt - 1, 0, 30);
        var ticks = first.Ticks << shift;

        // Bits shifted out, or past the sign, mean the doubled wait would be longer than any cap.
        var overflowed = ticks <= 0 || ticks >> shift != first.Ticks;
        return TimeSpan.FromTicks(overflowed || ticks > cap ? cap : ticks);
    }
}
