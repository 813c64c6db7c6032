using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Webex.TeamsConnector.Tests.Audit;

/// <summary>
/// The recorder takes a decision's agent from the machine the engine just ran, without a lookup or an id compared: every
/// decision about a tracked agent, a rejected or clock-skewed event included, is that agent's record with its state.
/// </summary>
public class AuditRecorderAgentTests
{
    private static readonly DateTimeOffset s_start = new(2026, 11, 30, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task OnAgentEvent_RejectedOrClockSkewedRightAfterAnotherAgentsEvent_IsRecordedForItsOwnAgent_AndAnUnknownOneNotAtAll()
    {
        var time = new FakeTimeProvider(s_start);
        var store = new CapturingAuditStore();
        await using var provider = store.BuildServices(time, "org-r");
        var trail = provider.GetRequiredService<AuditTrail>();
        var recorder = trail.CreateRecorder()!;
        var engine = new SyncEngine(new SyncRules { Mapping = IdleCodeMapping.Create(new Dictionary<string, string?> { ["DoNotDisturb"] = "c-dnd" }) }, time);
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
        await trail.WaitForAsync(t => t.Written >= 5, TimeSpan.FromSeconds(20));

        store.Records.Select(r => (r.AgentId, r.StateAfter, r.Detail)).Should().Equal(
            ("a2", "Idle(lunch)", null),
            ("a1", "Available", null),
            ("a2", "Idle(lunch)", nameof(SyncOutcome.Rejected)),
            ("a1", "Available", null),
            ("a2", "Idle(lunch)", nameof(SyncOutcome.ClockSkew)));
    }

    private static SyncOutcome Record(SyncEngine engine, AuditRecorder recorder, string agentId, AgentEvent agentEvent)
    {
        var feedEvent = new AgentFeedEvent(agentId, agentEvent, null, s_start);
        var decision = engine.OnAgentEvent(feedEvent.AgentId, feedEvent.Event);
        recorder.OnAgentEvent(feedEvent, decision, engine);
        return decision.Outcome;
    }
}
