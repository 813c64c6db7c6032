using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Webex.TeamsConnector.Tests.Audit;

/// <summary>
/// The recorder on the engine loop: it reads the clock once per loop pass (<see cref="AuditRecorder.Tick"/>), and takes a
/// decision's agent from the machine the engine just ran, without a lookup or an id compared.
/// </summary>
public class AuditRecorderTests
{
    private static readonly DateTimeOffset s_start = new(2026, 11, 30, 9, 0, 0, TimeSpan.Zero);

    /// <summary>A record's time is the pass's clock read, or its trigger's arrival when that is later; its latency counts from the arrival.</summary>
    [Fact]
    public async Task Tick_RecordTimes_AreThePassClockOrALaterArrival()
    {
        await using var world = Recording.Start("org-c");
        var (time, recorder, engine) = (world.Time, world.Recorder, world.Engine);
        engine.AddAgent("a1", "t1");

        recorder.Tick();
        Record(engine, recorder, "Away", s_start.AddMilliseconds(-30));
        time.Advance(TimeSpan.FromMilliseconds(50));
        Record(engine, recorder, "Available", s_start.AddMilliseconds(20));
        recorder.Tick();
        Record(engine, recorder, "DoNotDisturb", s_start.AddMilliseconds(10));
        recorder.Flush();
        await world.Trail.WaitForAsync(t => t.Written >= 3, TimeSpan.FromSeconds(20));

        var records = world.Store.Records.Where(r => r.Trigger == "TeamsPresenceChanged").ToList();
        records.Select(r => (r.TeamsAvailability, r.Time, r.Latency)).Should().Equal(
            ("Away", s_start, TimeSpan.FromMilliseconds(30)),
            ("Available", s_start.AddMilliseconds(20), TimeSpan.Zero),
            ("DoNotDisturb", s_start.AddMilliseconds(50), TimeSpan.FromMilliseconds(40)));
    }

    /// <summary>Every decision about a tracked agent, a rejected or clock-skewed event included, is that agent's record with its state.</summary>
    [Fact]
    public async Task OnAgentEvent_RejectedOrClockSkewedRightAfterAnotherAgentsEvent_IsRecordedForItsOwnAgent_AndAnUnknownOneNotAtAll()
    {
        await using var world = Recording.Start("org-r");
        var (recorder, engine) = (world.Recorder, world.Engine);
        engine.AddAgent("a1", "t1");
        engine.AddAgent("a2", "t2");
        var at = s_start.AddMinutes(-10);
        Record(engine, recorder, "a2", AgentEvent.LoggedIn(AgentState.Idle("lunch"), at = at.AddSeconds(1)));
        Record(engine, recorder, "a1", AgentEvent.LoggedIn(AgentState.Available, at = at.AddSeconds(1)));

        Record(engine, recorder, "a2", AgentEvent.StateChanged(AgentState.Available, default, "manual", "a2")).Should().Be(SyncOutcome.Rejected);
        Record(engine, recorder, "a1", AgentEvent.StateChanged(AgentState.Available, at.AddSeconds(1), "manual", "a1")).Should().Be(SyncOutcome.Applied);
        Record(engine, recorder, "a2", AgentEvent.StateChanged(AgentState.Available, s_start.AddHours(1), "manual", "a2")).Should().Be(SyncOutcome.ClockSkew);
        Record(engine, recorder, "a9", AgentEvent.StateChanged(AgentState.Available, at.AddSeconds(2), "manual", "a9")).Should().Be(SyncOutcome.UnknownAgent);
        recorder.Flush();
        await world.Trail.WaitForAsync(t => t.Written >= 5, TimeSpan.FromSeconds(20));

        world.Store.Records.Select(r => (r.AgentId, r.StateAfter, r.Detail)).Should().Equal(
            ("a2", "Idle(lunch)", null),
            ("a1", "Available", null),
            ("a2", "Idle(lunch)", nameof(SyncOutcome.Rejected)),
            ("a1", "Available", null),
            ("a2", "Idle(lunch)", nameof(SyncOutcome.ClockSkew)));
    }

    private static void Record(SyncEngine engine, AuditRecorder recorder, string availability, DateTimeOffset receivedAt)
    {
        var update = new TeamsPresenceUpdate("t1", availability, availability, null, receivedAt);
        var decision = engine.OnPresence(update.TeamsUserId, TeamsPresence.Parse(update.Availability, update.Activity), null);
        recorder.OnPresence(update, decision, engine);
    }

    private static SyncOutcome Record(SyncEngine engine, AuditRecorder recorder, string agentId, AgentEvent agentEvent)
    {
        var feedEvent = new AgentFeedEvent(agentId, agentEvent, null, s_start);
        var decision = engine.OnAgentEvent(feedEvent.AgentId, feedEvent.Event);
        recorder.OnAgentEvent(feedEvent, decision, engine);
        return decision.Outcome;
    }

    /// <summary>A fake clock at <see cref="s_start"/>, an audit trail into a capturing store, one recorder, and an engine with no agent.</summary>
    private sealed record Recording(FakeTimeProvider Time, CapturingAuditStore Store, ServiceProvider Services, AuditTrail Trail, AuditRecorder Recorder, SyncEngine Engine) : IAsyncDisposable
    {
        public static Recording Start(string orgId)
        {
            var time = new FakeTimeProvider(s_start);
            var store = new CapturingAuditStore();
            var services = store.BuildServices(time, orgId);
            var trail = services.GetRequiredService<AuditTrail>();
            var engine = new SyncEngine(new SyncRules { Mapping = IdleCodeMapping.Create(new Dictionary<string, string?> { ["DoNotDisturb"] = "c-dnd" }) }, time);
            return new Recording(time, store, services, trail, trail.CreateRecorder()!, engine);
        }

        public ValueTask DisposeAsync() => Services.DisposeAsync();
    }
}
