using System.Threading.RateLimiting;

namespace Webex.TeamsConnector.RateLimiting;

/// <summary>The limiter's leases and waiters.</summary>
internal sealed partial class SlidingLogRateLimiter
{
    private static readonly RateLimitLease s_failed = new FailedLease(null);

    /// <summary>
    /// A granted lease. Disposing it keeps its permits held until their time is up. <see cref="Empty"/> stands for every
    /// grant that cannot be given back (zero permits, or the standard <see cref="RateLimiter"/> API).
    /// </summary>
    internal sealed class SlotLease : RateLimitLease
    {
        internal static readonly SlotLease Empty = new(null, 0, 0);

        private readonly SlidingLogRateLimiter? _owner;
        private readonly long _grantedAt;
        private readonly int _permits;
        private int _givenBack;

        internal SlotLease(SlidingLogRateLimiter? owner, long grantedAt, int permits)
        {
            _owner = owner;
            _grantedAt = grantedAt;
            _permits = permits;
        }

        public override bool IsAcquired => true;

        public override IEnumerable<string> MetadataNames => [];

        /// <summary>Gives the permits back unused (at most once), so that a waiter may take them now.</summary>
        public void GiveBack()
        {
            if (_owner is not null && Interlocked.Exchange(ref _givenBack, 1) == 0)
            {
                _owner.GiveBack(_grantedAt, _permits);
            }
        }

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = null;
            return false;
        }
    }

    private sealed class FailedLease(TimeSpan? retryAfter) : RateLimitLease
    {
        public override bool IsAcquired => false;

        public override IEnumerable<string> MetadataNames => retryAfter is null ? [] : [MetadataName.RetryAfter.Name];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = retryAfter is { } r && metadataName == MetadataName.RetryAfter.Name ? r : null;
            return metadata is not null;
        }
    }

    private sealed class Waiter(SlidingLogRateLimiter owner, int permits, bool returnable) : TaskCompletionSource<RateLimitLease>(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        public int Permits { get; } = permits;

        public bool Returnable { get; } = returnable;

        public LinkedListNode<Waiter>? Node { get; set; }

        public CancellationTokenRegistration Registration { get; set; }

        public void Cancel(CancellationToken token) => owner.Cancel(this, token);
    }
}
