using FsCheck;
using FsCheck.Fluent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Webex.TeamsConnector.Tests.Audit;

/// <summary>
/// Random streams of Teams presences (raw strings, repeats and sequence numbers) and agent events (agent, supervisor,
/// RONA, the connector's own confirmations, contacts, sign-out) through the engine and the audit recorder as the
/// engine loop drives them: every engine decision on a tracked agent gives exactly one decision record (none for an
/// unknown Teams user or agent), with the decision's rule, command, outcome, the trigger's raw values, and the state
/// before and after and its origin as the engine held them (the recorder reads them from the machine the engine just
/// ran, without a lookup of its own).
/// </summary>
public class AuditRecordPropertiesTests
{
    private static readonly (string? Availability, string? Activity)[] s_presences =
    [
        ("Available", "Available"), ("Busy", "InACall"), ("DoNotDisturb", "DoNotDisturb"), ("DoNotDisturb", "Presenting"),
        ("Away", "Away"), ("bUsY", "iNaCaLl"), ("Busy", "SomethingNew"), (null, null), ("", "Away"), ("BusyIdle", "Inactive"),
    ];

    private static readonly AgentState[] s_states =
    [
        AgentState.Available, AgentState.Idle("c-dnd"), AgentState.Idle("c-call"), AgentState.Idle("lunch"), AgentState.Idle("rona"),
        AgentState.Reserved, AgentState.Engaged, AgentState.WrapUp, AgentState.LoggedOut,
    ];

    private static readonly string?[] s_reasons = [OriginClassifier.DefaultReasonMarker, "agent", null];

    [FsCheck.Xunit.Property(MaxTest = 60)]
    public Property EveryDecision_GivesOneRecord_WithItsFields() =>
        Prop.ForAll(Gen.ArrayOf(Gen.ArrayOf(Gen.Choose(0, 1_000), 4)).ToArbitrary(), script => Play(script));

    private static bool Play(int[][] script)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 29, 9, 0, 0, TimeSpan.Zero));
        var store = new CapturingAuditStore();
        using var provider = store.BuildServices(time, "org-p");
        var trail = provider.GetRequiredService<AuditTrail>();
        var recorder = trail.CreateRecorder()!;
        var rules = new SyncRules
        {
            Mapping = IdleCodeMapping.Create(new Dictionary<string, string?> { ["DoNotDisturb"] = "c-dnd", ["InACall"] = "c-call" }),
            Classifier = new OriginClassifier(OriginClassifier.DefaultReasonMarker, ["rona"], []),
            VerifyBeforeOverwrite = true,
        };
        var engine = new SyncEngine(rules, time);
        engine.AddAgent("a1", "t1");
        engine.AddAgent("a2", "t2");
        var expected = new List<Expected>();
        var eventClock = 1_000L;
        var sequence = 0;
        foreach (var step in script)
        {
            var agent = step[1] % 3 == 2 ? "a9" : "a" + (1 + (step[1] % 2));
            time.Advance(TimeSpan.FromMilliseconds(step[3] % 50));
            if (step[0] % 2 == 0)
            {
                var (availability, activity) = s_presences[step[2] % s_presences.Length];
                var teams = "t" + agent[1..];
                var sequenceNumber = step[3] % 4 == 0 ? null : (step[3] % 4 == 1 ? sequence : ++sequence).ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
                var update = new TeamsPresenceUpdate(teams, availability, activity, sequenceNumber, time.GetUtcNow());
                recorder.Tick();
                var tracked = engine.TryGetAgentByTeamsUserId(teams, out var before);
                var decision = engine.OnPresence(teams, TeamsPresence.Parse(availability, activity), sequenceNumber);
                recorder.OnPresence(update, decision, engine);
                if (tracked)
                {
                    expected.Add(Expect(agent, "TeamsPresenceChanged", decision, engine, availability, activity, null, time.GetUtcNow()) with { StateBefore = before.State.ToString(), Origin = AuditEntry.Format(before.Origin) });
                }

                Dispatch(recorder, engine, decision);
            }
            else
            {
                var state = s_states[step[2] % s_states.Length];
                var reason = s_reasons[step[3] % s_reasons.Length];
                eventClock += step[3] % 5 == 0 ? -50 : 100;
                var agentEvent = state.Kind == AgentStateKind.LoggedOut
                    ? AgentEvent.LoggedOut(DateTimeOffset.FromUnixTimeMilliseconds(eventClock))
                    : AgentEvent.StateChanged(state, DateTimeOffset.FromUnixTimeMilliseconds(eventClock), reason, agent);
                var feedEvent = new AgentFeedEvent(agent, agentEvent, null, time.GetUtcNow());
                recorder.Tick();
                var tracked = engine.TryGetAgent(agent, out var prior);
                var decision = engine.OnAgentEvent(agent, agentEvent);
                recorder.OnAgentEvent(feedEvent, decision, engine);
                if (tracked)
                {
                    engine.TryGetAgent(agent, out var after);
                    expected.Add(Expect(agent, "AgentStateChanged", decision, engine, null, null, agentEvent.Kind.ToString(), time.GetUtcNow()) with { StateBefore = prior.State.ToString(), Origin = AuditEntry.Format(after.Origin) });
                }

                Dispatch(recorder, engine, decision);
            }
        }

        recorder.Flush();
        var posted = expected.Count;
        trail.WaitForAsync(t => t.Written + t.Dropped >= posted && store.Records.Count(r => AuditReportTally.IsDecision(r.Outcome)) >= posted, TimeSpan.FromSeconds(20)).GetAwaiter().GetResult();
        trail.Dropped.Should().Be(0);

        var decisions = store.Records.Where(r => AuditReportTally.IsDecision(r.Outcome)).ToList();
        decisions.Should().HaveCount(expected.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            var record = decisions[i];
            var want = expected[i];
            record.OrgId.Should().Be("org-p");
            record.AgentId.Should().Be(want.AgentId);
            record.Trigger.Should().Be(want.Trigger);
            record.TeamsAvailability.Should().Be(want.Availability);
            record.TeamsActivity.Should().Be(want.Activity);
            record.AgentEvent.Should().Be(want.AgentEvent);
            record.Rule.Should().Be(want.Rule);
            record.Outcome.Should().Be(want.Outcome);
            record.Command.Should().Be(want.Command);
            record.StateAfter.Should().Be(want.StateAfter);
            record.StateBefore.Should().Be(want.StateBefore);
            record.Origin.Should().Be(want.Origin);
            record.Time.Should().Be(want.Time);
        }

        store.Records.Where(r => !AuditReportTally.IsDecision(r.Outcome)).Should().NotContain(r => r.Outcome != AuditOutcome.Coalesced, "no write result was reported");
        return true;
    }

    private static void Dispatch(AuditRecorder recorder, SyncEngine engine, in SyncDecision decision)
    {
        for (var i = 0; i < decision.Count; i++)
        {
            recorder.OnCommand(decision[i], fromTimer: false, engine, withdrawn: false);
        }
    }

    private static Expected Expect(string agentId, string trigger, SyncDecision decision, SyncEngine engine, string? availability, string? activity, string? agentEvent, DateTimeOffset now)
    {
        var commands = decision.ToList();
        var dropped = decision.Outcome != SyncOutcome.Applied && commands.Count == 0;
        engine.TryGetAgent(agentId, out var after);
        var write = commands.FirstOrDefault(c => c.IsStateWrite);
        return new Expected(
            agentId,
            trigger,
            availability,
            activity,
            agentEvent,
            dropped ? decision.Outcome.ToString() : decision.Rule.ToString(),
            dropped ? AuditOutcome.Dropped : commands.Count > 0 ? AuditOutcome.Sent : decision.Rule == SyncRule.DeferredOnContact ? AuditOutcome.Deferred : AuditOutcome.LeftAlone,
            commands.Count == 0 ? null : string.Join("; ", commands.Select(c => AuditEntry.Format(c))),
            (write.IsStateWrite ? write.State : after.State).ToString(),
            now);
    }

    private sealed record Expected(string AgentId, string Trigger, string? Availability, string? Activity, string? AgentEvent, string Rule, AuditOutcome Outcome, string? Command, string StateAfter, DateTimeOffset Time)
    {
        public string? StateBefore { get; init; }

        public string? Origin { get; init; }
    }
}
