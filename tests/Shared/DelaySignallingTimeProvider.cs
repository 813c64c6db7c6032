using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;

namespace Webex.TeamsConnector.TestFixtures;

/// <summary>
/// A fake clock that reports the due time of each timer the code under test creates (a delay it waits out; a token's
/// cancel-after is left out), so that a test runs a delay out once its timer exists instead of racing it.
/// </summary>
internal sealed class DelaySignallingTimeProvider(DateTimeOffset start) : FakeTimeProvider(start)
{
    /// <summary>The due time of each timer created, in order.</summary>
    public Channel<TimeSpan> Delays { get; } = Channel.CreateUnbounded<TimeSpan>();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        if (state is not CancellationTokenSource && dueTime > TimeSpan.Zero && dueTime != Timeout.InfiniteTimeSpan)
        {
            Delays.Writer.TryWrite(dueTime);
        }

        return timer;
    }

    /// <summary>Waits until a timer of <paramref name="delay"/> exists (other timers are passed over), then runs it out.</summary>
    /// <param name="delay">The delay to run out.</param>
    /// <param name="timeout">How long to wait for the timer.</param>
    public async Task AdvanceOnceWaitingAsync(TimeSpan delay, TimeSpan timeout)
    {
        while (await Delays.Reader.ReadAsync().AsTask().WaitAsync(timeout) != delay)
        {
        }

        Advance(delay);
    }
}
