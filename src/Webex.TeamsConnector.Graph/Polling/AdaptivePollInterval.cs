namespace Webex.TeamsConnector.Graph;

/// <summary>
/// The length of a polling cycle. The target is the shortest interval at which reading the watched users (one
/// <c>getPresencesByUserId</c> request per <see cref="GraphOptions.PollBatchSize"/> ids) keeps polling at or under
/// <see cref="GraphOptions.PollBudgetShare"/> of <see cref="GraphOptions.RequestsPerWindow"/> per
/// <see cref="GraphOptions.RequestWindow"/>, after what expert search and user resolution used in the last window
/// (they come first), and never shorter than <see cref="GraphOptions.MinPollInterval"/> (or the fixed
/// <see cref="GraphOptions.PollInterval"/>):
/// <code>
/// batches  = ceil(watched / PollBatchSize)
/// allowed  = max(PollBudgetShare * RequestsPerWindow - others, PollBudgetShare * RequestsPerWindow / 10)
/// target   = max(MinPollInterval or PollInterval, RequestWindow * batches / allowed)
/// interval = target / rate
/// </code>
/// where <c>rate</c> (1/8 to 1) is set by additive increase, multiplicative decrease: halved (the interval doubles)
/// after a cycle in which Graph answered 429, raised by 1/20 after each cycle without one, so the interval lengthens at
/// once and shortens back over about ten cycles. Not thread-safe: the polling loop alone uses it.
/// </summary>
internal sealed class AdaptivePollInterval
{
    /// <summary>What a 429 multiplies the rate by.</summary>
    internal const double Decrease = 0.5;

    /// <summary>What a cycle without a 429 adds to the rate (a share of the target rate).</summary>
    internal const double Increase = 0.05;

    /// <summary>The lowest rate (the longest back-off: 8 times the target; the Retry-After itself is always waited out).</summary>
    internal const double MinimumRate = 1.0 / 8;

    private readonly TimeSpan _minimum;
    private readonly double _pollBudget;
    private readonly TimeSpan _window;
    private readonly int _batchSize;
    private long _throttlesSeen;

    public AdaptivePollInterval(GraphOptions options, int batchSize)
    {
        ArgumentNullException.ThrowIfNull(options);
        IsAuto = options.PollInterval is null;
        _minimum = options.PollInterval ?? options.MinPollInterval;
        _pollBudget = options.PollBudgetShare * options.RequestsPerWindow;
        _window = options.RequestWindow;
        _batchSize = Math.Max(1, batchSize);
    }

    /// <summary>Whether the interval is <c>Auto</c> (else the fixed <see cref="GraphOptions.PollInterval"/> is the shortest).</summary>
    public bool IsAuto { get; }

    /// <summary>The shortest interval: <see cref="GraphOptions.MinPollInterval"/>, or the fixed poll interval.</summary>
    public TimeSpan Minimum => _minimum;

    /// <summary>The requests polling may make per window (<see cref="GraphOptions.PollBudgetShare"/> of the budget).</summary>
    public double PollBudget => _pollBudget;

    /// <summary>The share of the target rate allowed now (1 without back-off).</summary>
    public double Rate { get; private set; } = 1.0;

    /// <summary>The requests one cycle over <paramref name="watched"/> users takes.</summary>
    public int Batches(int watched) => (Math.Max(0, watched) + _batchSize - 1) / _batchSize;

    /// <summary>The interval the budget allows for <paramref name="watched"/> users, before any back-off.</summary>
    /// <param name="watched">The watched users.</param>
    /// <param name="others">Requests of expert search and user resolution in the last window.</param>
    public TimeSpan Target(int watched, int others)
    {
        var batches = Batches(watched);
        if (batches == 0)
        {
            return _minimum;
        }

        var allowed = Math.Max(_pollBudget - Math.Max(0, others), _pollBudget / 10);
        var needed = TimeSpan.FromTicks((long)Math.Ceiling(_window.Ticks * (double)batches / allowed));
        return needed > _minimum ? needed : _minimum;
    }

    /// <summary>The interval of the next cycle: the target lengthened by the back-off.</summary>
    public TimeSpan Next(int watched, int others) => TimeSpan.FromTicks((long)Math.Ceiling(Target(watched, others).Ticks / Rate));

    /// <summary>
    /// Called after each cycle with the budget's count of 429 answers so far: halves the rate when it grew, else adds
    /// <see cref="Increase"/> (up to 1).
    /// </summary>
    /// <returns><see langword="true"/> when the cycle was throttled.</returns>
    public bool Observe(long throttles)
    {
        if (throttles > _throttlesSeen)
        {
            _throttlesSeen = throttles;
            Rate = Math.Max(MinimumRate, Rate * Decrease);
            return true;
        }

        // Rounded so that ten steps from a half come back to exactly 1 (no interval a tick longer than the target).
        Rate = Rate + Increase >= 1.0 - 1e-9 ? 1.0 : Rate + Increase;
        return false;
    }
}
