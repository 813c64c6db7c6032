using FsCheck;
using FsCheck.Fluent;

namespace Webex.TeamsConnector.ContactCenter.Tests.Outbox;

/// <summary>
/// Random sequences of wanted states, takes, completions, requeues and withdrawals against a plain model of the
/// outbox's pending writes: the newest wanted state wins, Idle goes before Available, one write per agent in flight.
/// </summary>
public sealed class PendingWritesPropertiesTests
{
    private static readonly string[] s_agents = ["a0", "a1", "a2", "a3"];
    private static readonly AgentState[] s_states = [AgentState.Available, AgentState.Idle("dnd"), AgentState.Idle("call")];
    private static readonly DateTimeOffset s_start = new(2026, 11, 29, 8, 0, 0, TimeSpan.Zero);

    private static Arbitrary<int[][]> Scripts() => Gen.ArrayOf(Gen.ArrayOf(Gen.Choose(0, 1_000), 3)).ToArbitrary();

    [FsCheck.Xunit.Property(MaxTest = 500)]
    public Property PendingWrites_AnySequence_NewestWinsIdleFirstOneInFlightPerAgent() =>
        Prop.ForAll(Scripts(), Play);

    [Fact]
    public void Take_ShortBudget_IdleWritesGoFirstOldestFirst()
    {
        var pending = new PendingWrites();
        pending.Enqueue("a", AgentState.Available, out _);
        pending.Enqueue("b", AgentState.Idle("dnd"), out _);
        pending.Enqueue("c", AgentState.Idle("call"), out _);

        pending.Take(s_start)!.AgentId.Should().Be("b");
        pending.Take(s_start)!.AgentId.Should().Be("c");
        pending.Take(s_start)!.AgentId.Should().Be("a");
        pending.Take(s_start).Should().BeNull();
    }

    private static bool Play(int[][] script)
    {
        var pending = new PendingWrites();
        var wanted = new Dictionary<string, AgentState>();
        var flying = new Dictionary<string, PendingWrite>();
        var withdrawn = new HashSet<string>();
        var delayedUntil = new Dictionary<string, DateTimeOffset>();
        var now = s_start;
        foreach (var step in script)
        {
            if (step.Length < 3)
            {
                continue;
            }

            var agent = s_agents[step[1] % s_agents.Length];
            switch (step[0] % 6)
            {
                case 0 or 1:
                {
                    var state = s_states[step[2] % s_states.Length];
                    pending.Enqueue(agent, state, out _);
                    if (flying.TryGetValue(agent, out var inFlight) && inFlight.State == state)
                    {
                        // The state being sent is wanted again: no second write, and it is retried if it fails.
                        wanted.Remove(agent);
                        withdrawn.Remove(agent);
                    }
                    else
                    {
                        if (!wanted.TryGetValue(agent, out var old) || old != state)
                        {
                            delayedUntil.Remove(agent);
                        }

                        wanted[agent] = state;
                    }

                    break;
                }

                case 2:
                {
                    var ready = wanted.Where(w => !flying.ContainsKey(w.Key) && (!delayedUntil.TryGetValue(w.Key, out var at) || at <= now)).ToList();
                    var taken = pending.Take(now);
                    if (ready.Count == 0)
                    {
                        taken.Should().BeNull();
                        break;
                    }

                    taken.Should().NotBeNull();
                    flying.Should().NotContainKey(taken!.AgentId, "one write per agent in flight");
                    taken.State.Should().Be(wanted[taken.AgentId], "the newest wanted state is the one sent");
                    if (ready.Any(r => r.Value.Kind == AgentStateKind.Idle))
                    {
                        taken.State.Kind.Should().Be(AgentStateKind.Idle, "Idle writes go before Available ones");
                    }

                    wanted.Remove(taken.AgentId);
                    delayedUntil.Remove(taken.AgentId);
                    flying[taken.AgentId] = taken;
                    withdrawn.Remove(taken.AgentId);
                    break;
                }

                case 3 when flying.TryGetValue(agent, out var done):
                {
                    // The send ends: accepted or refused (2), or failed transiently and put back (now or later).
                    pending.Completed(done);
                    flying.Remove(agent);
                    if (step[2] % 3 != 0)
                    {
                        var notBefore = step[2] % 3 == 1 ? now : now.AddSeconds(5);
                        var requeued = pending.Requeue(done, notBefore, now);
                        var expected = !wanted.ContainsKey(agent) && !withdrawn.Contains(agent);
                        requeued.Should().Be(expected, "a failed write is put back unless superseded or withdrawn");
                        if (expected)
                        {
                            wanted[agent] = done.State;
                            if (notBefore > now)
                            {
                                delayedUntil[agent] = notBefore;
                            }
                        }
                    }

                    withdrawn.Remove(agent);
                    break;
                }

                case 4:
                    pending.Withdraw(agent, out _).Should().Be(wanted.Remove(agent));
                    delayedUntil.Remove(agent);
                    if (flying.ContainsKey(agent))
                    {
                        withdrawn.Add(agent);
                    }

                    break;
                default:
                    now = now.AddSeconds(step[2] % 7);
                    break;
            }

            pending.Count.Should().Be(wanted.Count, "one wanted state per agent (coalescing)");
            pending.InFlight.Should().Be(flying.Count);
        }

        pending.DrainUnsent().Select(w => (w.AgentId, w.State)).Should().BeEquivalentTo(wanted.Select(w => (w.Key, w.Value)));
        return true;
    }
}
