namespace Webex.TeamsConnector.Tests.Sync;

/// <summary>
/// The machine's compact forms give the same answers as the rules they replace: the class table against the class
/// rule written out, and the packed presence against the presence it packs.
/// </summary>
public class CompactStateTests
{
    public static TheoryData<AgentStateKind, bool, EngageFrom, AgentSyncClass> Classes()
    {
        var data = new TheoryData<AgentStateKind, bool, EngageFrom, AgentSyncClass>();
        foreach (var engageFrom in new[] { EngageFrom.AnyAvailable, EngageFrom.PresenceSyncOrigin })
        {
            foreach (var bySync in new[] { false, true })
            {
                data.Add(AgentStateKind.LoggedOut, bySync, engageFrom, AgentSyncClass.LoggedOut);
                data.Add(AgentStateKind.Available, bySync, engageFrom, engageFrom == EngageFrom.PresenceSyncOrigin && !bySync ? AgentSyncClass.AvailableByOthers : AgentSyncClass.Available);
                data.Add(AgentStateKind.Idle, bySync, engageFrom, bySync ? AgentSyncClass.IdleBySync : AgentSyncClass.IdleByOthers);
                data.Add(AgentStateKind.Reserved, bySync, engageFrom, AgentSyncClass.OnContact);
                data.Add(AgentStateKind.Engaged, bySync, engageFrom, AgentSyncClass.OnContact);
                data.Add(AgentStateKind.WrapUp, bySync, engageFrom, AgentSyncClass.OnContact);
                data.Add((AgentStateKind)6, bySync, engageFrom, AgentSyncClass.OnContact);
                data.Add((AgentStateKind)(-1), bySync, engageFrom, AgentSyncClass.OnContact);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Classes))]
    public void ClassOf_EveryKindOriginAndSetting_MatchesTheClassRule(AgentStateKind kind, bool bySync, EngageFrom engageFrom, AgentSyncClass expected)
    {
        var state = AgentState.From(kind, kind == AgentStateKind.Idle ? "c-1" : null);
        foreach (var origin in Enum.GetValues<StateOrigin>())
        {
            if ((origin == StateOrigin.PresenceSync) == bySync)
            {
                AgentSyncTable.ClassOf(state, origin, engageFrom).Should().Be(expected, "state {0}, origin {1}, {2}", kind, origin, engageFrom);
            }
        }
    }

    [Fact]
    public void OnPresence_EveryAvailabilityAndActivity_KeepsThePresenceItSaw()
    {
        var rules = new SyncRules { Mapping = IdleCodeMapping.Create(new Dictionary<string, string?> { ["InACall"] = "c-call" }) };
        foreach (var availability in Enum.GetValues<TeamsAvailability>())
        {
            foreach (var activity in Enum.GetValues<TeamsActivity>())
            {
                var machine = new AgentSyncMachine("a1", "t1", rules);
                var presence = new TeamsPresence(availability, activity);

                machine.OnPresence(presence, null, 1).Outcome.Should().Be(SyncOutcome.Applied);

                machine.ObservedPresence.Should().Be(presence);
                machine.EffectivePresence.Should().Be(presence);
                machine.OnPresence(presence, null, 2).Outcome.Should().Be(SyncOutcome.Unchanged, "{0}/{1} repeated", availability, activity);
            }
        }
    }

    [Fact]
    public void OnPresence_AnotherPresenceAfterAny_IsAChange()
    {
        var rules = new SyncRules();
        var all = (from availability in Enum.GetValues<TeamsAvailability>()
                   from activity in Enum.GetValues<TeamsActivity>()
                   select new TeamsPresence(availability, activity)).ToArray();
        var machine = new AgentSyncMachine("a1", "t1", rules);
        var previous = all[^1];
        machine.OnPresence(previous, null, 1);

        // A long walk over every presence, each step different from the one before it.
        for (var round = 0; round < all.Length; round++)
        {
            for (var j = (round * 7) % all.Length; j < all.Length; j++)
            {
                if (all[j] == previous)
                {
                    continue;
                }

                var before = machine.ObservedPresence;
                machine.OnPresence(all[j], null, 2).Outcome.Should().NotBe(SyncOutcome.Unchanged, "{0} after {1}", all[j], before);
                previous = all[j];
            }
        }
    }

    [Theory]
    [InlineData("B000000000000000000001", "C000000000000000000002", "D000000000000000000003")]
    [InlineData("B000000001", "C0000000000000000000002", "D000000003")]
    [InlineData("B0000000000000000000001", "C000000002", "D00000000000000000000000003")]
    public void OnPresence_SequenceNumbersShortAndLongerThanInline_DropsOlderAndRepeated(string first, string second, string third)
    {
        var machine = new AgentSyncMachine("a1", "t1", new SyncRules());
        var call = TeamsPresence.Parse("Busy", "InACall");
        var free = TeamsPresence.Parse("Available", "Available");

        machine.OnPresence(call, second, 1).Outcome.Should().Be(SyncOutcome.Applied);
        machine.OnPresence(free, first, 2).Outcome.Should().Be(SyncOutcome.Stale);
        machine.OnPresence(free, second, 3).Outcome.Should().Be(SyncOutcome.Duplicate);
        machine.OnPresence(free, third, 4).Outcome.Should().Be(SyncOutcome.Applied);
        machine.OnPresence(call, second, 5).Outcome.Should().Be(SyncOutcome.Stale);
        machine.ObservedPresence.Should().Be(free);
    }
}
