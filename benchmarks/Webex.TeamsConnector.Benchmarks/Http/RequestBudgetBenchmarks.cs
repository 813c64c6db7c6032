using System.Threading.RateLimiting;
using BenchmarkDotNet.Attributes;

namespace Webex.TeamsConnector.Benchmarks.Http;

/// <summary>
/// The request budgets' fast path (a slot is free, nobody waits) on the shared sliding-log limiter. The clock moves
/// one millisecond per operation and a slot is held one second, so in steady state every acquire also expires one
/// old slot: the limiter's real per-request work. <c>Limiter_AttemptAcquire</c> is the standard
/// <see cref="RateLimiter"/> API; <c>Graph_AcquireAsync</c> is Graph's budget (no give-back, no lease kept);
/// <c>ContactCenter_AcquireAndGiveBack</c> takes a returnable slot and gives it back, as the outbox does when no
/// write was ready.
/// </summary>
[MemoryDiagnoser]
public class RequestBudgetBenchmarks
{
    private static readonly TimeSpan s_tick = TimeSpan.FromMilliseconds(1);

    private readonly FixedTimeProvider _time = new(new DateTimeOffset(2026, 11, 29, 8, 0, 0, TimeSpan.Zero));
    private Webex.TeamsConnector.Graph.RequestBudget _graph = null!;
    private Webex.TeamsConnector.ContactCenter.RequestBudget _wxcc = null!;
    private RateLimiter _limiter = null!;

    [GlobalSetup]
    public void Setup()
    {
        _graph = new Webex.TeamsConnector.Graph.RequestBudget(1_000, TimeSpan.FromSeconds(1), _time);
        _limiter = new Webex.TeamsConnector.Graph.RequestBudget(1_000, TimeSpan.FromSeconds(1), _time).Limiter;
        _wxcc = new Webex.TeamsConnector.ContactCenter.RequestBudget(100_000, _time);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _graph.Dispose();
        _limiter.Dispose();
        _wxcc.Dispose();
    }

    [Benchmark]
    public bool Limiter_AttemptAcquire()
    {
        _time.Now += s_tick;
        using var lease = _limiter.AttemptAcquire();
        return lease.IsAcquired;
    }

    [Benchmark]
    public ValueTask Graph_AcquireAsync()
    {
        _time.Now += s_tick;
        return _graph.AcquireAsync(CancellationToken.None);
    }

    [Benchmark]
    public async ValueTask ContactCenter_AcquireAndGiveBack()
    {
        _time.Now += s_tick;
        var lease = await _wxcc.AcquireAsync(CancellationToken.None).ConfigureAwait(false);
        lease.Return();
    }
}
