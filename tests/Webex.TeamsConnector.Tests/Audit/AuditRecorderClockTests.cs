using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Webex.TeamsConnector.Tests.Audit;

/// <summary>
/// The recorder reads the clock once per loop pass (<see cref="AuditRecorder.Tick"/>): a record's time is that clock
/// read, or its trigger's arrival when that is later, and its latency is counted from the arrival.
/// </summary>
public class AuditRecorderClockTests
{
    private static readonly DateTimeOffset s_start = new(2026, 11, 30, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Tick_RecordTimes_AreThePassClockOrALaterArrival()
    {
        var time = new FakeTimeProvider(s_start);
        var store = new CapturingAuditStore();
        await using var provider = store.BuildServices(time, "org-c");
        var trail = provider.GetRequiredService<AuditTrail>();
        var recorder = trail.CreateRecorder()!;
        var engine = new SyncEngine(new SyncRules { Mapping = IdleCodeMapping.Create(new Dictionary<string, string?> { ["DoNotDisturb"] = "c-dnd" }) }, time);
        engine.AddAgent("a1", "t1");

        recorder.Tick();
        Record(engine, recorder, "Away", s_start.AddMilliseconds(-30));
        time.Advance(TimeSpan.FromMilliseconds(50));
        Record(engine, recorder, "Available", s_start.AddMilliseconds(20));
        recorder.Tick();
        Record(engine, recorder, "DoNotDisturb", s_start.AddMilliseconds(10));
        recorder.Flush();
        await trail.WaitForAsync(t => t.Written >= 3, TimeSpan.FromSeconds(20));

        var records = store.Records.Where(r => r.Trigger == "TeamsPresenceChanged").ToList();
        records.Select(r => (r.TeamsAvailability, r.Time, r.Latency)).Should().Equal(
            ("Away", s_start, TimeSpan.FromMilliseconds(30)),
            ("Available", s_start.AddMilliseconds(20), TimeSpan.Zero),
            ("DoNotDisturb", s_start.AddMilliseconds(50), TimeSpan.FromMilliseconds(40)));
    }

    private static void Record(SyncEngine engine, AuditRecorder recorder, string availability, DateTimeOffset receivedAt)
    {
        var update = new TeamsPresenceUpdate("t1", availability, availability, null, receivedAt);
        var decision = engine.OnPresence(update.TeamsUserId, TeamsPresence.Parse(update.Availability, update.Activity), null);
        recorder.OnPresence(update, decision, engine);
    }
}
