namespace Webex.TeamsConnector.Testing;

/// <summary>The count of the per-client-id budget: every API request that took a permit, for peak checks by benchmarks.</summary>
public sealed partial class ContactCenterEmulator
{
    private readonly List<DateTimeOffset> _admitted = [];

    /// <summary>API requests that counted against <see cref="ContactCenterEmulatorOptions.RequestsPerMinute"/> (refused ones do not).</summary>
    public int BudgetedRequests
    {
        get
        {
            lock (_gate)
            {
                return _admitted.Count;
            }
        }
    }

    /// <summary>
    /// The most API requests that counted against the budget within any sliding window (one minute by default): a
    /// client inside WxCC's limit keeps this at or under <see cref="ContactCenterEmulatorOptions.RequestsPerMinute"/>.
    /// The token endpoint and websocket upgrades do not count.
    /// </summary>
    /// <param name="window">The window; one minute when <see langword="null"/>.</param>
    /// <returns>The peak count.</returns>
    public int PeakBudgetedRequests(TimeSpan? window = null)
    {
        DateTimeOffset[] times;
        lock (_gate)
        {
            times = [.. _admitted];
        }

        Array.Sort(times);
        var length = window ?? TimeSpan.FromMinutes(1);
        var peak = 0;
        var start = 0;
        for (var end = 0; end < times.Length; end++)
        {
            while (times[end] - times[start] >= length)
            {
                start++;
            }

            peak = Math.Max(peak, end - start + 1);
        }

        return peak;
    }
}
