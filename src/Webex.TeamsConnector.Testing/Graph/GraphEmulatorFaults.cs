namespace Webex.TeamsConnector.Testing;

/// <summary>
/// Faults a test switches on in a <see cref="GraphEmulator"/>: 429 bursts, 5xx answers, dropped connections,
/// added latency, duplicate, reordered or tampered notifications, and subscriptions that silently stop firing.
/// All members are thread-safe.
/// </summary>
public sealed class GraphEmulatorFaults
{
    private readonly Lock _gate = new();
    private readonly List<PlannedFault> _planned = [];
    private readonly HashSet<string> _silenced = new(StringComparer.OrdinalIgnoreCase);
    private int _tamper;

    internal GraphEmulatorFaults()
    {
    }

    internal enum FaultKind
    {
        Throttle,
        Fail,
        Drop,
    }

    /// <summary>Delay added before every API request is answered (waited on the emulator's clock).</summary>
    /// <value>The default value is <see cref="TimeSpan.Zero"/>.</value>
    public TimeSpan Latency { get; set; }

    /// <summary>Every change notification is delivered twice.</summary>
    public bool DuplicateNotifications { get; set; }

    /// <summary>
    /// Change notifications are held back until <see cref="GraphEmulator.FlushNotificationsAsync"/>, which delivers
    /// them newest first in one request.
    /// </summary>
    public bool ReorderNotifications { get; set; }

    /// <summary>Every subscription silently stops firing (it stays listed and can be renewed).</summary>
    public bool SilenceAllSubscriptions { get; set; }

    /// <summary>Answers the next <paramref name="requests"/> API requests with 429 Too Many Requests.</summary>
    /// <param name="requests">How many requests.</param>
    /// <param name="retryAfter">The <c>Retry-After</c> to send (whole seconds), or <see langword="null"/> for none.</param>
    /// <param name="operation">Only requests of this operation, or any when <see langword="null"/>.</param>
    public void ThrottleNext(int requests, TimeSpan? retryAfter = null, GraphEmulatorOperation? operation = null) =>
        Plan(FaultKind.Throttle, requests, operation, 429, retryAfter);

    /// <summary>Answers the next <paramref name="requests"/> API requests with an error status.</summary>
    /// <param name="requests">How many requests.</param>
    /// <param name="statusCode">The status (503 by default).</param>
    /// <param name="operation">Only requests of this operation, or any when <see langword="null"/>.</param>
    public void FailNext(int requests, int statusCode = 503, GraphEmulatorOperation? operation = null) =>
        Plan(FaultKind.Fail, requests, operation, statusCode, null);

    /// <summary>Drops the connection of the next <paramref name="requests"/> API requests without an answer.</summary>
    /// <param name="requests">How many requests.</param>
    /// <param name="operation">Only requests of this operation, or any when <see langword="null"/>.</param>
    public void DropNextConnections(int requests, GraphEmulatorOperation? operation = null) =>
        Plan(FaultKind.Drop, requests, operation, 0, null);

    /// <summary>Tampers with the encrypted data of the next <paramref name="notifications"/> rich notifications after signing.</summary>
    /// <param name="notifications">How many notifications.</param>
    public void TamperNextRichNotifications(int notifications)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(notifications);
        Interlocked.Exchange(ref _tamper, notifications);
    }

    /// <summary>Makes one subscription silently stop firing.</summary>
    /// <param name="subscriptionId">The subscription id.</param>
    public void SilenceSubscription(string subscriptionId)
    {
        ArgumentException.ThrowIfNullOrEmpty(subscriptionId);
        lock (_gate)
        {
            _silenced.Add(subscriptionId);
        }
    }

    /// <summary>Switches every fault off.</summary>
    public void Reset()
    {
        lock (_gate)
        {
            _planned.Clear();
            _silenced.Clear();
        }

        Latency = TimeSpan.Zero;
        DuplicateNotifications = false;
        ReorderNotifications = false;
        SilenceAllSubscriptions = false;
        Interlocked.Exchange(ref _tamper, 0);
    }

    internal bool IsSilenced(string subscriptionId)
    {
        if (SilenceAllSubscriptions)
        {
            return true;
        }

        lock (_gate)
        {
            return _silenced.Contains(subscriptionId);
        }
    }

    internal bool TakeTamper()
    {
        while (true)
        {
            var current = Volatile.Read(ref _tamper);
            if (current <= 0)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _tamper, current - 1, current) == current)
            {
                return true;
            }
        }
    }

    internal PlannedFault? Take(GraphEmulatorOperation operation)
    {
        lock (_gate)
        {
            for (var i = 0; i < _planned.Count; i++)
            {
                var fault = _planned[i];
                if (fault.Operation is { } only && only != operation)
                {
                    continue;
                }

                fault.Remaining--;
                if (fault.Remaining == 0)
                {
                    _planned.RemoveAt(i);
                }

                return fault;
            }
        }

        return null;
    }

    private void Plan(FaultKind kind, int requests, GraphEmulatorOperation? operation, int statusCode, TimeSpan? retryAfter)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(requests);
        if (retryAfter is { } delay)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero, nameof(retryAfter));
        }

        lock (_gate)
        {
            _planned.Add(new PlannedFault(kind, operation, statusCode, retryAfter) { Remaining = requests });
        }
    }

    internal sealed class PlannedFault(FaultKind kind, GraphEmulatorOperation? operation, int statusCode, TimeSpan? retryAfter)
    {
        public FaultKind Kind { get; } = kind;

        public GraphEmulatorOperation? Operation { get; } = operation;

        public int StatusCode { get; } = statusCode;

        public TimeSpan? RetryAfter { get; } = retryAfter;

        public int Remaining { get; set; }
    }
}
