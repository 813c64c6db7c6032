using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;

namespace Webex.TeamsConnector.ContactCenter.Tests.Outbox;

/// <summary>The dispatcher on its own: a real budget and pending writes on fake time, sends that the test completes.</summary>
public sealed class WriteDispatcherTests : IAsyncDisposable
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(20);

    private readonly object _gate = new();
    private readonly PendingWrites _pending = new();
    private readonly FakeTimeProvider _time = new();
    private readonly Channel<PendingWrite> _started = Channel.CreateUnbounded<PendingWrite>();
    private readonly Dictionary<string, TaskCompletionSource> _finish = [];
    private readonly List<string> _log = [];
    private readonly CancellationTokenSource _stop = new();
    private RequestBudget? _budget;
    private WriteDispatcher? _dispatcher;
    private Task? _run;

    [Fact]
    public async Task RunAsync_MaxConcurrentReached_StartsTheNextSendOnlyAfterOneFinished()
    {
        Start(requestsPerMinute: 100, maxConcurrent: 2);
        Enqueue("a", AgentState.Idle("dnd"));
        Enqueue("b", AgentState.Idle("dnd"));
        Enqueue("c", AgentState.Idle("dnd"));

        await NextStartAsync();
        await NextStartAsync();
        Finish("a");
        (await NextStartAsync()).AgentId.Should().Be("c");

        Log().Should().Equal("start a", "start b", "done a", "start c");
    }

    [Fact]
    public async Task RunAsync_ShortBudget_IdleWritesGoFirstOnePerSlot()
    {
        Enqueue("a", AgentState.Available);
        Enqueue("b", AgentState.Idle("dnd"));
        Enqueue("c", AgentState.Idle("call"));
        Start(requestsPerMinute: 1, maxConcurrent: 4);

        (await NextStartAsync()).AgentId.Should().Be("b");
        _time.Advance(TimeSpan.FromSeconds(61));
        (await NextStartAsync()).AgentId.Should().Be("c");
        _time.Advance(TimeSpan.FromSeconds(61));
        (await NextStartAsync()).AgentId.Should().Be("a");
    }

    [Fact]
    public async Task RunAsync_WriteWithdrawnWhileWaitingForTheBudget_GivesTheSlotBack()
    {
        Start(requestsPerMinute: 1, maxConcurrent: 1);
        var other = await _budget!.AcquireAsync(CancellationToken.None);
        var queued = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _budget.Throttled += _ => queued.TrySetResult();
        Enqueue("a", AgentState.Idle("dnd"));
        await queued.Task.WaitAsync(s_wait);
        lock (_gate)
        {
            _pending.Withdraw("a", out _).Should().BeTrue();
        }

        _time.Advance(TimeSpan.FromSeconds(61));
        Enqueue("b", AgentState.Idle("dnd"));

        (await NextStartAsync()).AgentId.Should().Be("b");
        _budget.Granted.Should().Be(2, "the caller's slot and b's: the slot taken for the withdrawn write was given back");
        GC.KeepAlive(other);
    }

    [Fact]
    public async Task RunAsync_IdleWriteReady_WaitsAheadOfOrdinaryCallers()
    {
        Start(requestsPerMinute: 1, maxConcurrent: 1);
        await _budget!.AcquireAsync(CancellationToken.None);
        var ordinary = _budget.AcquireAsync(CancellationToken.None).AsTask();
        var queued = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _budget.Throttled += _ => queued.TrySetResult();
        Enqueue("a", AgentState.Idle("dnd"));
        await queued.Task.WaitAsync(s_wait);

        _time.Advance(TimeSpan.FromSeconds(61));

        (await NextStartAsync()).AgentId.Should().Be("a");
        ordinary.IsCompleted.Should().BeFalse("the Idle write took the freed slot first");
        _time.Advance(TimeSpan.FromSeconds(61));
        await ordinary.WaitAsync(s_wait);
    }

    [Fact]
    public async Task RunAsync_AvailableWriteQueuedBehindReads_HeldBackEveryLaterWrite()
    {
        // At 5,000 agents the start's reads filled the minute; a release queued behind them held the dispatcher (one slot
        // at a time), so the Idle writes after it waited too (13.6 s at p99 in the scale harness).
        Start(requestsPerMinute: 1, maxConcurrent: 1);
        await _budget!.AcquireAsync(CancellationToken.None);
        var read = _budget.AcquireAsync(CancellationToken.None).AsTask();
        var queued = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _budget.Throttled += _ => queued.TrySetResult();
        Enqueue("a", AgentState.Available);
        await queued.Task.WaitAsync(s_wait);

        _time.Advance(TimeSpan.FromSeconds(61));

        (await NextStartAsync()).AgentId.Should().Be("a");
        read.IsCompleted.Should().BeFalse("the write took the freed slot ahead of the read");
        _time.Advance(TimeSpan.FromSeconds(61));
        await read.WaitAsync(s_wait);
    }

    [Fact]
    public async Task RunAsync_DelayedWrite_WaitsForItsDueTimeThenSends()
    {
        Start(requestsPerMinute: 100, maxConcurrent: 2);
        var waiting = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
        _dispatcher!.Waiting += w => waiting.TrySetResult(w);
        Enqueue("a", AgentState.Idle("dnd"));
        var first = await NextStartAsync();
        lock (_gate)
        {
            _pending.Completed(first);
            _pending.Requeue(first, _time.GetUtcNow() + TimeSpan.FromSeconds(5), _time.GetUtcNow());
        }

        _dispatcher.Signal();
        (await waiting.Task.WaitAsync(s_wait)).Should().Be(TimeSpan.FromSeconds(5));
        _time.Advance(TimeSpan.FromSeconds(5));

        var again = await NextStartAsync();
        again.AgentId.Should().Be("a");
        again.Should().NotBeSameAs(first, "the write put back is a new pending write");
    }

    [Fact]
    public async Task RunAsync_Stopped_ReturnsOnlyAfterEveryStartedSendFinished()
    {
        Start(requestsPerMinute: 100, maxConcurrent: 1);
        Enqueue("a", AgentState.Idle("dnd"));
        await NextStartAsync();

        await _stop.CancelAsync();
        Finish("a");
        await _run!.WaitAsync(s_wait);

        Log().Should().Equal("start a", "done a");
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        lock (_log)
        {
            foreach (var finish in _finish.Values)
            {
                finish.TrySetResult();
            }
        }

        if (_run is not null)
        {
            await _run.WaitAsync(s_wait);
        }

        _budget?.Dispose();
        _stop.Dispose();
    }

    private void Start(int requestsPerMinute, int maxConcurrent)
    {
        _budget = new RequestBudget(requestsPerMinute, _time);
        _dispatcher = new WriteDispatcher(_gate, _pending, _budget, maxConcurrent, _time);
        _run = _dispatcher.RunAsync(SendAsync, _stop.Token);
    }

    private void Enqueue(string agent, AgentState state)
    {
        lock (_gate)
        {
            _pending.Enqueue(agent, state, out _);
        }

        _dispatcher?.Signal();
    }

    private async Task SendAsync(PendingWrite write, CancellationToken cancellationToken)
    {
        var finish = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_log)
        {
            _finish[write.AgentId] = finish;
            _log.Add("start " + write.AgentId);
        }

        _started.Writer.TryWrite(write);
        await finish.Task.ConfigureAwait(false);
        lock (_gate)
        {
            _pending.Completed(write);
        }

        _dispatcher!.Signal();
    }

    private void Finish(string agent)
    {
        lock (_log)
        {
            _log.Add("done " + agent);
            _finish[agent].TrySetResult();
        }
    }

    private List<string> Log()
    {
        lock (_log)
        {
            return [.. _log];
        }
    }

    private async Task<PendingWrite> NextStartAsync() => await _started.Reader.ReadAsync().AsTask().WaitAsync(s_wait);
}
