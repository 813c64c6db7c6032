using BenchmarkDotNet.Attributes;
using Stateless;

namespace Webex.TeamsConnector.Benchmarks.Core;

/// <summary>
/// One Teams presence change through one agent's sync machine (Available -> engage -> release, alternating), against
/// the same rules table written with the Stateless library.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkDotNet.Configs.BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class TransitionBenchmarks
{
    private static readonly TeamsPresence s_call = TeamsPresence.Parse("Busy", "InACall");
    private static readonly TeamsPresence s_free = TeamsPresence.Parse("Available", "Available");

    private SyncRules _rules = null!;
    private AgentSyncMachine _machine = null!;
    private AgentSyncMachine _ownedMachine = null!;
    private StatelessRules _stateless = null!;
    private StatelessRules _ownedStateless = null!;
    private long _now;
    private bool _toggle;

    [GlobalSetup]
    public void Setup()
    {
        _rules = new SyncRules
        {
            Mapping = IdleCodeMapping.Create(new Dictionary<string, string?> { ["InACall"] = "c-call", ["DoNotDisturb"] = "c-dnd", ["Presenting"] = "c-present" }),
        };
        _machine = new AgentSyncMachine("agent-1", "teams-1", _rules);
        _now = new DateTimeOffset(2026, 11, 24, 9, 0, 0, TimeSpan.Zero).UtcTicks;
        _machine.OnAgentEvent(AgentEvent.StateChanged(AgentState.Available, new DateTimeOffset(_now, TimeSpan.Zero), "agent", "agent-1"), _now);
        _stateless = new StatelessRules(_rules.Mapping, AgentSyncClass.Available);

        // An agent whose idle code the agent set: every Teams change is evaluated and leads to no command.
        _ownedMachine = new AgentSyncMachine("agent-2", "teams-2", _rules);
        _ownedMachine.OnAgentEvent(AgentEvent.StateChanged(AgentState.Idle("lunch"), new DateTimeOffset(_now, TimeSpan.Zero), "agent", "agent-2"), _now);
        _ownedStateless = new StatelessRules(_rules.Mapping, AgentSyncClass.IdleByOthers);
    }

    /// <summary>Available agent, Teams alternates call / free: engage, release, engage... (one command each).</summary>
    [Benchmark(Baseline = true, Description = "Stateless library")]
    [BenchmarkCategory("Engage and release")]
    public int Stateless()
    {
        _toggle = !_toggle;
        return _stateless.OnPresence(_toggle ? s_call : s_free);
    }

    [Benchmark(Description = "AgentSyncMachine")]
    [BenchmarkCategory("Engage and release")]
    public int Machine()
    {
        _toggle = !_toggle;
        return _machine.OnPresence(_toggle ? s_call : s_free, null, _now).Count;
    }

    /// <summary>Idle set by the agent, Teams alternates call / free: evaluated, no command.</summary>
    [Benchmark(Baseline = true, Description = "Stateless library, agent-owned idle")]
    [BenchmarkCategory("Agent-owned idle")]
    public int StatelessOwned()
    {
        _toggle = !_toggle;
        return _ownedStateless.OnPresence(_toggle ? s_call : s_free);
    }

    [Benchmark(Description = "AgentSyncMachine, agent-owned idle")]
    [BenchmarkCategory("Agent-owned idle")]
    public int MachineOwned()
    {
        _toggle = !_toggle;
        return _ownedMachine.OnPresence(_toggle ? s_call : s_free, null, _now).Count;
    }

    /// <summary>The Teams -> WxCC rules of DESIGN.md, written the way the Stateless library is meant to be used.</summary>
    private sealed class StatelessRules
    {
        private readonly IdleCodeMapping _mapping;
        private readonly StateMachine<AgentSyncClass, Trigger> _machine;
        private readonly StateMachine<AgentSyncClass, Trigger>.TriggerWithParameters<string> _mapped;
        private string? _idleCode;
        private int _commands;

        public StatelessRules(IdleCodeMapping mapping, AgentSyncClass initial)
        {
            _mapping = mapping;
            _machine = new StateMachine<AgentSyncClass, Trigger>(initial);
            _mapped = _machine.SetTriggerParameters<string>(Trigger.TeamsMapped);

            _machine.Configure(AgentSyncClass.LoggedOut).Ignore(Trigger.TeamsMapped).Ignore(Trigger.TeamsFree);
            _machine.Configure(AgentSyncClass.IdleByOthers).Ignore(Trigger.TeamsMapped).Ignore(Trigger.TeamsFree);
            _machine.Configure(AgentSyncClass.OnContact).Ignore(Trigger.TeamsMapped).Ignore(Trigger.TeamsFree);
            _machine.Configure(AgentSyncClass.Available)
                .Permit(Trigger.TeamsMapped, AgentSyncClass.IdleBySync)
                .Ignore(Trigger.TeamsFree);
            _machine.Configure(AgentSyncClass.IdleBySync)
                .OnEntryFrom(_mapped, code => { _idleCode = code; _commands++; })
                .PermitReentryIf(_mapped, code => code != _idleCode)
                .IgnoreIf(_mapped, code => code == _idleCode)
                .Permit(Trigger.TeamsFree, AgentSyncClass.Available)
                .OnExit(() => _idleCode = null);
            _machine.Configure(AgentSyncClass.Available).OnEntryFrom(Trigger.TeamsFree, () => _commands++);
        }

        private enum Trigger
        {
            TeamsMapped,
            TeamsFree,
        }

        public int OnPresence(in TeamsPresence presence)
        {
            var before = _commands;
            var code = _mapping.Resolve(presence);
            if (code is null)
            {
                _machine.Fire(Trigger.TeamsFree);
            }
            else
            {
                _machine.Fire(_mapped, code);
            }

            return _commands - before;
        }
    }
}
