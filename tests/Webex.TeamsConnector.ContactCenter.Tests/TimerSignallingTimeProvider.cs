using Microsoft.Extensions.Time.Testing;

namespace Webex.TeamsConnector.ContactCenter.Tests;

/// <summary>A fake clock that tells when someone starts waiting on it (a timer is created), so a test advances it only then.</summary>
internal sealed class TimerSignallingTimeProvider : FakeTimeProvider
{
    private readonly Lock _gate = new();
    private TaskCompletionSource _created = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _timers;

    public TimerSignallingTimeProvider()
        : base(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero))
    {
    }

    /// <summary>The timers created so far.</summary>
    public int TimersCreated => Volatile.Read(ref _timers);

    /// <summary>Completes once more than <paramref name="count"/> timers have been created.</summary>
    public async Task TimerCreatedAfterAsync(int count)
    {
        while (true)
        {
            Task created;
            lock (_gate)
            {
                if (_timers > count)
                {
                    return;
                }

                created = _created.Task;
            }

            await created;
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        TaskCompletionSource created;
        lock (_gate)
        {
            _timers++;
            created = _created;
            _created = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        created.TrySetResult();
        return timer;
    }
}
