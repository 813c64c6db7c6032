namespace Webex.TeamsConnector.Tests.Sync;

/// <summary>Each documented WxCC-side transition (the diagram's edges) is what the machine does.</summary>
public class AgentTransitionsTableTests
{
    public static TheoryData<int> Rows()
    {
        var rows = new TheoryData<int>();
        for (var i = 0; i < AgentSyncTable.AgentTransitions.Count; i++)
        {
            rows.Add(i);
        }

        return rows;
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public void DocumentedTransition_IsWhatTheMachineDoes(int row)
    {
        var transition = AgentSyncTable.AgentTransitions[row];
        var strict = transition.Trigger.EndsWith(AgentSyncTable.StrictSuffix, StringComparison.Ordinal);
        var trigger = strict ? transition.Trigger[..^AgentSyncTable.StrictSuffix.Length] : transition.Trigger;
        var h = new Harness(strict ? Harness.DefaultRules() with { EngageFrom = EngageFrom.PresenceSyncOrigin } : null);
        Enter(h, transition.From, trigger);
        h.Snapshot.Class.Should().Be(transition.From);

        var decision = Fire(h, trigger);

        h.Snapshot.Class.Should().Be(transition.To, transition.Trigger);
        var kinds = decision.ToList().Select(c => c.Kind).ToList();
        if (transition.Effect.StartsWith("clear", StringComparison.Ordinal))
        {
            kinds.Should().Contain(SyncCommandKind.ClearPresence);
        }
        else if (transition.Effect.StartsWith("publish", StringComparison.Ordinal))
        {
            kinds.Should().Contain(SyncCommandKind.PublishPresence);
        }
        else
        {
            kinds.Should().NotContain([SyncCommandKind.PublishPresence, SyncCommandKind.ClearPresence]);
        }
    }

    private static void Enter(Harness h, AgentSyncClass cls, string trigger)
    {
        switch (cls)
        {
            case AgentSyncClass.LoggedOut: break;
            case AgentSyncClass.Available: h.Available(); break;
            case AgentSyncClass.IdleBySync when h.Rules.EngageFrom == EngageFrom.PresenceSyncOrigin:
                // Strict: only an Available that presence sync set engages; the marker tells a fresh connector so.
                h.Confirm(AgentState.Available);
                h.TeamsCall();
                h.Confirm(AgentState.Idle(Harness.CallCode));
                break;
            case AgentSyncClass.IdleBySync: h.IdleBySync(() => h.TeamsCall(), Harness.CallCode); break;
            case AgentSyncClass.IdleByOthers: h.Available(); h.AgentSets(AgentState.Idle(Harness.MeetingCode)); break;
            case AgentSyncClass.AvailableByOthers: h.Available(); break;
            default:
                h.Available();
                h.Offer();
                if (trigger.StartsWith("contact ends", StringComparison.Ordinal))
                {
                    h.Answer();
                }

                break;
        }
    }

    private static SyncDecision Fire(Harness h, string trigger) => trigger switch
    {
        "login into Available" => h.LogIn(AgentState.Available),
        "login into a system idle code" => h.LogIn(AgentState.Idle(Harness.SystemCode)),
        "agent, supervisor or system sets an idle code" => h.AgentSets(AgentState.Idle(Harness.MeetingCode)),
        "contact offered" => h.Offer(),
        "agent, supervisor, RONA or system sets an idle code" => h.SupervisorSets(AgentState.Idle(Harness.LunchCode)),
        "agent or supervisor sets Available" => h.AgentSets(AgentState.Available),
        "contact engaged" => h.Answer(),
        "offer not answered (RONA)" => h.Rona(),
        "contact ends into Available" => h.AgentSets(AgentState.Available),
        "contact ends into an idle code" => h.AgentSets(AgentState.Idle(Harness.LunchCode)),
        "logout" => h.LogOut(),
        _ => throw new InvalidOperationException("No driver for transition: " + trigger),
    };
}
