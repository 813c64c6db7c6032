using FsCheck;
using FsCheck.Fluent;
using Microsoft.Extensions.Time.Testing;

namespace Webex.TeamsConnector.Tests.Sync.Properties;

/// <summary>
/// Random interleavings of Teams presence changes, agent events (agent, supervisor, RONA, login/logout, contacts),
/// confirmations of the connector's writes, time, duplicates and reorderings. The engine must produce exactly the
/// reference model's commands, and the invariants must hold at every step.
/// </summary>
public class SyncPropertiesTests
{
    private static readonly (string? Availability, string? Activity)[] s_presences =
    [
        ("Available", "Available"),
        ("Busy", "InACall"),
        ("DoNotDisturb", "DoNotDisturb"),
        ("DoNotDisturb", "Presenting"),
        ("Away", "Away"),
        ("Busy", "InAConferenceCall"),
        ("bUsY", "iNaCaLl"),
        ("Busy", "SomethingNew"),
        (null, null),
        ("", "Away"),
        ("Offline", "OffWork"),
        ("Busy", "InAMeeting"),
        ("AvailableIdle", "Inactive"),
        ("BusyIdle", "Inactive"),
        ("Available", "AvailableInactive"),
    ];

    private static readonly TimeSpan[] s_advances =
    [
        TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(11), TimeSpan.FromSeconds(61), TimeSpan.FromMinutes(55),
    ];

    private static Arbitrary<int[][]> Scripts() =>
        Gen.ArrayOf(Gen.ArrayOf(Gen.Choose(0, 10_000), 4)).ToArbitrary();

    [FsCheck.Xunit.Property(MaxTest = 400)]
    public Property Engine_MatchesReferenceModel_AndInvariantsHold() =>
        Prop.ForAll(Scripts(), script => new Run(withDuplicates: true).Play(script));

    [FsCheck.Xunit.Property(MaxTest = 200)]
    public Property Engine_MatchesReferenceModel_WithExtendedMappingAndPublishing() =>
        Prop.ForAll(Scripts(), script => new Run(withDuplicates: false, extended: true).Play(script));

    [FsCheck.Xunit.Property(MaxTest = 300)]
    public Property Engine_WithReadBackBeforeOverwriteAndStaleSessions_MatchesReferenceModel() =>
        Prop.ForAll(Scripts(), script => new Run(withDuplicates: true, verifying: true).Play(script));

    [FsCheck.Xunit.Property(MaxTest = 200)]
    public Property Engine_MatchesReferenceModel_WithStrictEngageAndInactivityMapped() =>
        Prop.ForAll(Scripts(), script => new Run(withDuplicates: true, extended: true, strict: true).Play(script));

    [FsCheck.Xunit.Property(MaxTest = 200)]
    public Property Engine_DrivenByHandlesTakenAtTheEdge_MatchesReferenceModel() =>
        Prop.ForAll(Scripts(), script => new Run(withDuplicates: true, verifying: true, byHandle: true).Play(script));

    [Fact]
    public void LongRandomDay_MatchesReferenceModel()
    {
        var random = new Random(20261124);
        for (var run = 0; run < 20; run++)
        {
            var script = Enumerable.Range(0, 2_000).Select(_ => new[] { random.Next(10_001), random.Next(10_001), random.Next(10_001), random.Next(10_001) }).ToArray();
            new Run(withDuplicates: true, extended: run % 2 == 0, verifying: run % 3 == 0, strict: run % 4 == 1).Play(script);
        }
    }

    private sealed class Run
    {
        private static readonly string[] s_agents = ["a0", "a1", "a2"];

        private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 24, 8, 0, 0, TimeSpan.Zero));
        private readonly SyncEngine _engine;
        private readonly ReferenceModel _model;
        private readonly bool _withDuplicates;
        private readonly bool _verifying;
        private readonly EngageFrom _engageFrom;
        private readonly Dictionary<string, AgentEvent> _newest = [];
        private readonly List<Action> _history = [];
        private readonly Dictionary<string, List<AgentState>> _writes = [];
        private readonly Dictionary<string, AgentEvent?> _delayed = [];
        private readonly Dictionary<string, string?> _lastSequence = [];
        private readonly Dictionary<(string Agent, AgentEvent Event), Owner> _owners = [];
        private readonly HashSet<(string Agent, AgentEvent Event)> _delivered = [];
        private readonly Dictionary<string, Truth> _truth = [];
        private long _clock = 1_740_000_000_000;
        private bool _clockReused;
        private int _sequence;
        private readonly bool _byHandle;

        public Run(bool withDuplicates, bool extended = false, bool verifying = false, bool strict = false, bool byHandle = false)
        {
            _withDuplicates = withDuplicates;
            _byHandle = byHandle;
            _verifying = verifying;
            var rules = Harness.DefaultRules() with
            {
                VerifyBeforeOverwrite = verifying,
                ClearStaleSessionAtStart = verifying,
                ChatContactPresence = PublishedPresence.InAConferenceCall,
                EmailContactPresence = extended ? PublishedPresence.Away : PublishedPresence.None,
            };
            if (strict)
            {
                // Both settings away from their defaults: engage only from presence sync's Available, and let
                // inactivity engage when Away or Busy is mapped.
                rules = rules with { EngageFrom = EngageFrom.PresenceSyncOrigin, IgnoreInactivity = false };
            }

            if (extended)
            {
                rules = rules with
                {
                    Mapping = IdleCodeMapping.Create(new Dictionary<string, string?>
                    {
                        ["DoNotDisturb"] = Harness.DndCode,
                        ["InACall"] = Harness.CallCode,
                        ["Presenting"] = Harness.DndCode,
                        ["Away"] = "c-away",
                        ["InAConferenceCall"] = Harness.CallCode,
                        ["Offline"] = "c-off",
                        ["Busy"] = "c-busy",
                    }),
                    IdleCodePresences = new Dictionary<string, PublishedPresence>
                    {
                        [Harness.MeetingCode] = PublishedPresence.InAConferenceCall,
                        [Harness.LunchCode] = PublishedPresence.Away,
                    },
                    KeepContactPresenceDuringWrapUp = false,
                };
            }

            _engageFrom = rules.EngageFrom;

            // No slack: the timer queue is compacted as often as it can be, so the properties cover compaction too.
            _engine = new SyncEngine(rules, _time) { TimerSlack = 0 };
            _model = new ReferenceModel(rules);
            foreach (var agent in s_agents)
            {
                _engine.AddAgent(agent, "t-" + agent);
                _model.Add(agent, "t-" + agent);
                _writes[agent] = [];
                _delayed[agent] = null;
                _lastSequence[agent] = null;
            }
        }

        // As the host does when byHandle: the handle is taken from the edge index as the event is read, and may be stale.
        private SyncDecision OnPresence(string teamsUserId, string? availability, string? activity, string? sequence) => _byHandle
            ? _engine.OnPresence(_engine.EdgeIndex.ByTeamsUserId(teamsUserId), teamsUserId, TeamsPresence.Parse(availability, activity), sequence)
            : _engine.OnPresence(teamsUserId, availability, activity, sequence);

        private SyncDecision OnAgentEvent(string agent, in AgentEvent e) => _byHandle
            ? _engine.OnAgentEvent(_engine.EdgeIndex.ByAgentId(agent), agent, e)
            : _engine.OnAgentEvent(agent, e);

        public bool Play(int[][] script)
        {
            foreach (var step in script)
            {
                if (step.Length < 4)
                {
                    continue;
                }

                var agent = s_agents[step[1] % s_agents.Length];
                switch (step[0] % 22)
                {
                    case 0 or 1 or 2 or 3 or 4 or 5:
                        var (availability, activity) = s_presences[step[2] % s_presences.Length];
                        string? sequence = step[3] % 4 == 0 ? null : (++_sequence).ToString("D9", System.Globalization.CultureInfo.InvariantCulture);
                        Deliver(() => Presence(agent, availability, activity, sequence));
                        break;
                    case 6 or 7 or 8 or 9 or 10 or 11:
                        var fresh = NewEvent(agent, step[2], sameTimestamp: step[3] % 4 == 0);
                        Deliver(() => AgentEvent(agent, fresh));
                        break;
                    case 12 or 13:
                        ConfirmWrite(agent, step[2]);
                        break;
                    case 14:
                        Advance(s_advances[step[2] % s_advances.Length]);
                        break;
                    case 15:
                        _delayed[agent] = NewEvent(agent, step[2], sameTimestamp: step[3] % 4 == 0);
                        break;
                    case 16 when _delayed[agent] is { } late:
                        _delayed[agent] = null;
                        Deliver(() => AgentEvent(agent, late));
                        break;
                    case 17 when _history.Count > 0:
                        _history[step[2] % _history.Count]();
                        break;
                    case 18 when _writes[agent].Count > 0:
                        var failed = step[3] % 2 == 0 ? _writes[agent][^1] : _writes[agent][step[2] % _writes[agent].Count];
                        _engine.OnWriteFailed(agent, failed);
                        _model.WriteFailed(agent, failed, _time.GetUtcNow());
                        break;
                    case 19 when _verifying && step[3] % 2 == 0 && _newest.TryGetValue(agent, out var newest):
                        // WxCC answers a read of the agent's state (a Verify, or a periodic reconciliation).
                        var record = newest with { Kind = AgentEventKind.Reconciliation };
                        _owners.TryAdd((agent, record), _owners[(agent, newest)]);
                        Deliver(() => AgentEvent(agent, record));
                        break;
                    case 20 or 21:
                        var contact = DigitalEvent(step[2], step[3]);
                        Deliver(() => DigitalContact(agent, contact));
                        break;
                    default:
                        // Time passes before the host's next timer tick.
                        _time.Advance(s_advances[step[2] % 3]);
                        break;
                }

                CheckSameState();
            }

            return true;
        }

        /// <summary>
        /// A new agent event, and who truly made it (the ground truth the invariants are checked against). Sometimes
        /// it has the same timestamp as the event made just before it (at most two events share one).
        /// </summary>
        private AgentEvent NewEvent(string agent, int choice, bool sameTimestamp)
        {
            var reuse = sameTimestamp && !_clockReused;
            _clockReused = reuse;
            var at = DateTimeOffset.FromUnixTimeMilliseconds(reuse ? _clock : _clock += 100);
            var e = MakeEvent(agent, choice, at);
            _owners.TryAdd((agent, e), (choice % 14) switch
            {
                0 or 1 or 2 or 13 => Owner.Agent,
                3 or 4 => Owner.Supervisor,
                5 => Owner.Rona,
                6 or 7 or 8 or 9 => Owner.System,
                _ => Owner.Contact,
            });
            return e;
        }

        private static AgentEvent MakeEvent(string agent, int choice, DateTimeOffset at)
        {
            return (choice % 14) switch
            {
                0 => Webex.TeamsConnector.AgentEvent.StateChanged(AgentState.Available, at, "agent", agent),
                1 => Webex.TeamsConnector.AgentEvent.StateChanged(AgentState.Idle(Harness.LunchCode), at, "agent", agent),
                2 => Webex.TeamsConnector.AgentEvent.StateChanged(AgentState.Idle(Harness.MeetingCode), at, null, null),
                3 => Webex.TeamsConnector.AgentEvent.StateChanged(AgentState.Available, at, "supervisor", Harness.Supervisor),
                4 => Webex.TeamsConnector.AgentEvent.StateChanged(AgentState.Idle(Harness.LunchCode), at, "supervisor", Harness.Supervisor),
                5 => Webex.TeamsConnector.AgentEvent.StateChanged(AgentState.Idle(Harness.RonaCode), at),
                6 => Webex.TeamsConnector.AgentEvent.StateChanged(AgentState.Idle(Harness.SystemCode), at),
                7 => Webex.TeamsConnector.AgentEvent.LoggedIn(AgentState.Available, at),
                8 => Webex.TeamsConnector.AgentEvent.LoggedIn(AgentState.Idle(Harness.SystemCode), at),
                9 => Webex.TeamsConnector.AgentEvent.LoggedOut(at),
                10 => Webex.TeamsConnector.AgentEvent.StateChanged(AgentState.Reserved, at),
                11 => Webex.TeamsConnector.AgentEvent.StateChanged(AgentState.Engaged, at),
                12 => Webex.TeamsConnector.AgentEvent.StateChanged(AgentState.WrapUp, at),
                _ => Webex.TeamsConnector.AgentEvent.StateChanged(AgentState.Idle(Harness.CallCode), at, "agent", agent),
            };
        }

        /// <summary>WxCC confirms one of the connector's writes (usually the latest; sometimes an older one lands late).</summary>
        private void ConfirmWrite(string agent, int choice)
        {
            var writes = _writes[agent];
            if (writes.Count == 0)
            {
                return;
            }

            var state = choice % 3 == 0 ? writes[choice % writes.Count] : writes[^1];
            _clockReused = false;
            var e = Webex.TeamsConnector.AgentEvent.StateChanged(state, DateTimeOffset.FromUnixTimeMilliseconds(_clock += 100), Harness.Marker, agent);
            _owners.TryAdd((agent, e), Owner.Connector);
            Deliver(() => AgentEvent(agent, e));
        }

        private void Deliver(Action input)
        {
            _history.Add(input);
            input();
        }

        private void Presence(string agent, string? availability, string? activity, string? sequence)
        {
            var before = Snapshot(agent);
            var isOlder = sequence is not null && _lastSequence[agent] is { } last && string.CompareOrdinal(sequence, last) <= 0;
            var now = _time.GetUtcNow();

            var actual = OnPresence("t-" + agent, availability, activity, sequence).ToList();
            var expected = _model.Presence("t-" + agent, TeamsPresence.Parse(availability, activity), sequence, now);

            actual.Should().Equal(expected, "presence {0}/{1} seq {2} for {3}", availability, activity, sequence, agent);
            Record(agent, actual);
            if (isOlder)
            {
                actual.Should().BeEmpty("an older or repeated presence never overrides a newer one");
                Snapshot(agent).Should().Be(before);
            }
            else if (sequence is not null)
            {
                _lastSequence[agent] = sequence;
            }

            if (_withDuplicates)
            {
                // Delivered twice: the second delivery changes nothing.
                var after = Snapshot(agent);
                OnPresence("t-" + agent, availability, activity, sequence).ToList().Should().BeEmpty("a duplicate presence yields no second command");
                Snapshot(agent).Should().Be(after);
            }
        }

        private void AgentEvent(string agent, AgentEvent e)
        {
            var before = Snapshot(agent);
            // A read-back may answer an open Verify whatever its date: it is exempt from the older/replay checks.
            var isRecord = e.Kind == AgentEventKind.Reconciliation;
            var isOlder = !isRecord && before.LastEventAt is { } last && e.Timestamp < last;
            var isReplay = !_delivered.Add((agent, e)) && !isRecord;
            if (!isRecord && (!_newest.TryGetValue(agent, out var newest) || e.Timestamp >= newest.Timestamp))
            {
                _newest[agent] = e;
            }

            var now = _time.GetUtcNow();
            UpdateTruth(agent, e);

            var actual = OnAgentEvent(agent, e).ToList();
            var expected = _model.AgentEvent(agent, e, now);

            actual.Should().Equal(expected, "event {0} for {1}", e, agent);
            Record(agent, actual);
            if (isOlder)
            {
                actual.Should().BeEmpty("an older agent event never overrides a newer one");
                Snapshot(agent).Should().Be(before);
            }

            if (isReplay)
            {
                actual.Should().BeEmpty("a replayed agent event ({0}) yields no command", e);
                Snapshot(agent).Should().Be(before, "a replayed agent event ({0}) changes nothing, even at a shared timestamp", e);
            }

            if (_withDuplicates)
            {
                var after = Snapshot(agent);
                OnAgentEvent(agent, e).ToList().Should().BeEmpty("a duplicate agent event yields no second command");
                Snapshot(agent).Should().Be(after);
            }
        }

        private void Advance(TimeSpan by)
        {
            _time.Advance(by);
            var sink = new Harness.ListSink();
            _engine.AdvanceTime(sink);
            var expected = _model.Tick(_time.GetUtcNow());
            foreach (var agent in s_agents)
            {
                var mine = sink.Commands.Where(c => c.AgentId == agent).ToList();
                mine.Should().Equal(expected.Where(c => c.AgentId == agent), "timers of {0} at {1}", agent, _time.GetUtcNow());
                Record(agent, mine);
            }
        }

        private void Record(string agent, IReadOnlyList<SyncCommand> commands)
        {
            foreach (var command in commands)
            {
                command.AgentId.Should().Be(agent);
                if (command.IsStateWrite)
                {
                    _writes[agent].Add(command.State);
                    var snapshot = Snapshot(agent);
                    if (_truth.TryGetValue(agent, out var truth) && truth.State.Kind == AgentStateKind.Idle)
                    {
                        truth.Owner.Should().Be(
                            Owner.Connector,
                            "an Idle state that {0} set ({1}) is never changed by presence sync until another owner changes it ({2})",
                            truth.Owner,
                            truth.State,
                            command);
                    }
                    snapshot.State.IsOnContact.Should().BeFalse("nothing is written while the agent is on a contact");
                    if (_verifying && command.Reason.Rule is SyncRule.Release or SyncRule.Remap)
                    {
                        command.Reason.Trigger.Should().BeOneOf(
                            [SyncTrigger.StateVerified, SyncTrigger.ContactEnded, SyncTrigger.AgentSignedIn, SyncTrigger.OwnWriteLanded],
                            "a release or remap is written only over a state just read back or just reported ({0})",
                            command);
                    }

                    snapshot.State.Kind.Should().NotBe(AgentStateKind.LoggedOut);
                }
            }
        }

        private void CheckSameState()
        {
            foreach (var agent in s_agents)
            {
                var actual = Snapshot(agent);
                var expected = _model.Agent(agent);
                actual.State.Should().Be(expected.State);
                actual.Origin.Should().Be(expected.Origin);
                actual.PendingWrite.Should().Be(expected.Pending);
                actual.Published.Should().Be(expected.Published);

                // The machine keeps its class in a field: it must always be the class of what the rules see now.
                actual.Class.Should().Be(expected.Pending is { } pending
                    ? AgentSyncTable.ClassOf(pending, StateOrigin.PresenceSync, _engageFrom)
                    : AgentSyncTable.ClassOf(expected.State, expected.Origin, _engageFrom));

                // What Teams is shown is always the highest-priority presence wanted (voice, then chat, email,
                // social), or none.
                actual.Published.Should().Be(_model.Wanted(expected));
            }
        }

        /// <summary>A digital contact event: one of three contacts per channel, offered, assigned, wrapped up or ended.</summary>
        private AgentEvent DigitalEvent(int what, int which)
        {
            var channel = (ContactChannel)(1 + what % 3);
            var state = ((what / 3) % 4) switch
            {
                0 => AgentState.Reserved,
                1 => AgentState.Engaged,
                2 => AgentState.WrapUp,
                _ => AgentState.Available,
            };
            return Webex.TeamsConnector.AgentEvent.DigitalContactChanged(channel, "d" + (which % 3), state, _time.GetUtcNow());
        }

        private void DigitalContact(string agent, AgentEvent e)
        {
            var now = _time.GetUtcNow();
            var actual = OnAgentEvent(agent, e).ToList();
            var expected = _model.DigitalContact(agent, e, now);
            actual.Should().Equal(expected, "digital contact {0} {1} {2} of {3}", e.Channel, e.ContactId, e.State, agent);
            actual.Should().NotContain(c => c.IsStateWrite, "a digital contact never writes the agent's state");
        }

        /// <summary>
        /// Who truly owns the agent's WxCC state: the maker of the newest event delivered (by timestamp). An event with
        /// the same timestamp and a state already delivered at that timestamp is the same change, not a new owner.
        /// </summary>
        private void UpdateTruth(string agent, AgentEvent e)
        {
            var owner = _owners[(agent, e)];
            if (!_truth.TryGetValue(agent, out var truth) || e.Timestamp > truth.At)
            {
                _truth[agent] = new Truth(e.State, owner, e.Timestamp, [e.State]);
            }
            else if (e.Timestamp == truth.At && !truth.StatesAt.Contains(e.State))
            {
                truth.StatesAt.Add(e.State);
                _truth[agent] = truth with { State = e.State, Owner = owner };
            }
        }

        private AgentSyncSnapshot Snapshot(string agent) => _engine.TryGetAgent(agent, out var s) ? s : throw new InvalidOperationException();

        private enum Owner
        {
            Connector,
            Agent,
            Supervisor,
            Rona,
            System,
            Contact,
        }

        private readonly record struct Truth(AgentState State, Owner Owner, DateTimeOffset At, List<AgentState> StatesAt);
    }
}
