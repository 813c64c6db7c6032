using FsCheck;
using FsCheck.Fluent;

namespace Webex.TeamsConnector.Graph.Tests;

public sealed class PresenceTrackerTests
{
    private const string Ann = "fa8bf3dc-eca7-46b7-bad1-db199b62afc3";
    private static readonly DateTimeOffset s_now = new(2026, 11, 24, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Observe_FirstPresence_IsAChange()
    {
        var tracker = Watching(Ann);

        tracker.Observe(Ann, "Available", "Available", "0001", s_now, out var update).Should().Be(PresenceOutcome.Changed);

        update.Should().Be(new TeamsPresenceUpdate(Ann, "Available", "Available", "0001", s_now));
    }

    [Fact]
    public void Observe_OlderSequenceNumber_IsDroppedAsStale()
    {
        var tracker = Watching(Ann);
        tracker.Observe(Ann, "Busy", "InACall", "0002", s_now, out _);

        tracker.Observe(Ann, "Available", "Available", "0001", s_now, out _).Should().Be(PresenceOutcome.Stale);
        tracker.Observe(Ann, "DoNotDisturb", "Presenting", "0003", s_now, out var update).Should().Be(PresenceOutcome.Changed);
        update.Activity.Should().Be("Presenting");
    }

    [Fact]
    public void Observe_SameSequenceNumber_IsADuplicate()
    {
        var tracker = Watching(Ann);
        tracker.Observe(Ann, "Busy", "InACall", "0002", s_now, out _);

        tracker.Observe(Ann, "Busy", "InACall", "0002", s_now, out _).Should().Be(PresenceOutcome.Unchanged);
    }

    [Fact]
    public void Observe_SamePresenceInOtherCasing_IsNoChange()
    {
        var tracker = Watching(Ann);
        tracker.Observe(Ann, "Busy", "InACall", null, s_now, out _);

        tracker.Observe(Ann, "busy", "inACall", null, s_now, out _).Should().Be(PresenceOutcome.Unchanged);
    }

    [Fact]
    public void Observe_UnwatchedUser_IsIgnored()
    {
        var tracker = Watching(Ann);

        tracker.Observe("0a8bf3dc-eca7-46b7-bad1-db199b62afc3", "Busy", "InACall", null, s_now, out _).Should().Be(PresenceOutcome.Unwatched);
    }

    [Fact]
    public void Watch_UserRemovedAndAddedAgain_StartsAfresh()
    {
        var tracker = Watching(Ann);
        tracker.Observe(Ann, "Busy", "InACall", "0005", s_now, out _);

        tracker.Watch([]);
        tracker.Watch([Ann]).Should().Equal(Ann);

        tracker.Observe(Ann, "Busy", "InACall", "0005", s_now, out _).Should().Be(PresenceOutcome.Changed);
    }

    [Fact]
    public void Observe_AnyDeliveryOrder_EmitsOnlyNewerChangesAndEndsAtTheNewest()
    {
        // Whatever the order and duplication of deliveries, each emitted event is newer than the one before and
        // differs from it, and the newest presence is the last one emitted.
        var states = new[] { ("Available", "Available"), ("Busy", "InACall"), ("DoNotDisturb", "Presenting"), ("Away", "Away") };
        Prop.ForAll(
            Gen.ArrayOf(Gen.Choose(0, 40)).Where(l => l.Length > 0).ToArbitrary(),
            deliveries =>
            {
                var tracker = Watching(Ann);
                var emitted = new List<TeamsPresenceUpdate>();
                foreach (var version in deliveries)
                {
                    var (availability, activity) = states[version % states.Length];
                    if (tracker.Observe(Ann, availability, activity, version.ToString("X8", System.Globalization.CultureInfo.InvariantCulture), s_now, out var update) == PresenceOutcome.Changed)
                    {
                        emitted.Add(update);
                    }
                }

                var newest = deliveries.Max();
                var ordered = emitted.Zip(emitted.Skip(1)).All(p => string.CompareOrdinal(p.First.SequenceNumber, p.Second.SequenceNumber) < 0 && p.First.Activity != p.Second.Activity);
                return ordered && emitted[^1].Activity == states[newest % states.Length].Item2;
            }).QuickCheckThrowOnFailure();
    }

    private static PresenceTracker Watching(params string[] users)
    {
        var tracker = new PresenceTracker();
        tracker.Watch(users);
        return tracker;
    }
}
