using System.Diagnostics.Metrics;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Webex.TeamsConnector.ContactCenter.Tests.Http;

/// <summary>The adapter's one resilience pipeline, proven at the emulator on fake time.</summary>
public sealed class ResiliencePipelineTests
{
    [Fact]
    public async Task Read_TooManyRequestsWithHttpDateRetryAfter_WaitsTheFullTimeOnTheConnectorsClock()
    {
        await using var h = await Harness.StartAsync();
        await h.Directory.GetPresenceSyncSettingAsync(CancellationToken.None);
        var start = h.Time.GetUtcNow();
        var earlier = h.Wxcc.RequestLog.Count;
        var waiting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        h.Budget.Throttled += _ => waiting.TrySetResult();
        h.Wxcc.Faults.TooManyRequests = 1;
        h.Wxcc.Faults.RetryAfter = TimeSpan.FromSeconds(30);
        h.Wxcc.Faults.RetryAfterAsHttpDate = true;

        var codes = h.Directory.GetIdleCodesAsync(CancellationToken.None);
        await waiting.Task.WaitAsync(Harness.Wait);
        h.Time.Advance(TimeSpan.FromSeconds(29));
        var beforeRetryAfter = h.Wxcc.RequestLog.Count - earlier;
        h.Time.Advance(TimeSpan.FromSeconds(2));
        await codes.WaitAsync(Harness.Wait);

        beforeRetryAfter.Should().Be(1, "the retry waits until the HTTP date, measured on the connector's clock (the server's Date header is on another)");
        h.Wxcc.RequestLog.Skip(earlier).Should().HaveCount(2).And.Subject.Last().ReceivedAt.Should().BeOnOrAfter(start + TimeSpan.FromSeconds(30));
        h.Wxcc.ThrottledRequests.Should().Be(1);
    }

    [Fact]
    public async Task Read_ServiceUnavailable_IsRetriedWithExponentialBackOff_UntilItSucceeds()
    {
        await using var h = await Harness.StartAsync();
        await h.Directory.GetPresenceSyncSettingAsync(CancellationToken.None);
        var earlier = h.Wxcc.RequestLog.Count;
        var backOffs = System.Threading.Channels.Channel.CreateUnbounded<TimeSpan>();
        h.Services.GetRequiredService<WxccResilience>().BackingOff += d => backOffs.Writer.TryWrite(d);
        h.Wxcc.Faults.ServiceUnavailable = 2;

        var codes = h.Directory.GetIdleCodesAsync(CancellationToken.None);
        var first = await backOffs.Reader.ReadAsync().AsTask().WaitAsync(Harness.Wait);
        h.Time.Advance(first - TimeSpan.FromMilliseconds(1));
        var beforeBackOff = h.Wxcc.RequestLog.Count - earlier;
        h.Time.Advance(TimeSpan.FromMilliseconds(1));
        var second = await backOffs.Reader.ReadAsync().AsTask().WaitAsync(Harness.Wait);
        h.Time.Advance(second);

        (await codes.WaitAsync(Harness.Wait)).Should().Contain(c => c.Id == h.Wxcc.RonaCodeId);
        beforeBackOff.Should().Be(1, "nothing is sent again before the back-off has passed");
        (first, second).Should().Be((TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(1)));
        h.Wxcc.RequestLog.Skip(earlier).Should().HaveCount(3);
    }

    [Fact]
    public async Task Read_TransientFailures_StopAfterFourAttempts()
    {
        await using var h = await Harness.StartAsync();
        await h.Directory.GetPresenceSyncSettingAsync(CancellationToken.None);
        var earlier = h.Wxcc.RequestLog.Count;
        h.Services.GetRequiredService<WxccResilience>().BackingOff += h.Time.Advance;
        h.Wxcc.Faults.ServiceUnavailable = 10;

        var act = () => h.Directory.GetIdleCodesAsync(CancellationToken.None).WaitAsync(Harness.Wait);

        (await act.Should().ThrowAsync<ContactCenterException>()).Which.Message.Should().Contain("HTTP 503");
        h.Wxcc.RequestLog.Count.Should().Be(earlier + WxccResilience.MaxTransientAttempts);
    }

    [Fact]
    public async Task Read_TooManyRequests_IsCountedOnTheApplicationsMeterFactory()
    {
        await using var h = await Harness.StartAsync(services: static s => s.AddMetrics());
        await h.Directory.GetPresenceSyncSettingAsync(CancellationToken.None);
        using var throttled = new MetricCollector<long>(h.Services.GetRequiredService<IMeterFactory>(), TeamsConnectorDiagnostics.Name, "webex.teamsconnector.wxcc.throttled");
        var waiting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        h.Budget.Throttled += _ => waiting.TrySetResult();
        h.Wxcc.Faults.TooManyRequests = 1;

        var codes = h.Directory.GetIdleCodesAsync(CancellationToken.None);
        await waiting.Task.WaitAsync(Harness.Wait);
        h.Time.Advance(h.Wxcc.Faults.RetryAfter);
        await codes.WaitAsync(Harness.Wait);

        throttled.GetMeasurementSnapshot().Should().ContainSingle().Which.Value.Should().Be(1);
    }
}
