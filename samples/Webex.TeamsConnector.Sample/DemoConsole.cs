using Webex.TeamsConnector.Testing;

namespace Webex.TeamsConnector.Sample;

/// <summary>
/// The <c>--interactive</c> prompt: drive Teams and the contact center of the demo by hand and watch the connector
/// follow. One command a line; unknown input prints the help.
/// </summary>
internal sealed class DemoConsole
{
    private readonly DemoWorld _world;
    private readonly IServiceProvider _services;
    private readonly ScriptedDay _day;
    private readonly TextWriter _out;

    public DemoConsole(DemoWorld world, IServiceProvider services, ScriptedDay day, TextWriter output)
    {
        _world = world;
        _services = services;
        _day = day;
        _out = output;
    }

    private ITeamsConnectorAdmin Admin => (ITeamsConnectorAdmin)_services.GetService(typeof(ITeamsConnectorAdmin))!;

    public void PrintHelp(IEnumerable<string> addresses)
    {
        _out.WriteLine();
        _out.WriteLine("Interactive: the connector keeps running on the emulators.");
        _out.WriteLine($"  connector endpoints: {string.Join(", ", addresses)} (/teams-connector/..., /health)");
        _out.WriteLine($"  Graph emulator:      {_world.Graph.BaseUrl}");
        _out.WriteLine($"  WxCC emulator:       {_world.Wxcc.BaseUrl}");
        _out.WriteLine("Commands (agents: ann, bob, cid):");
        _out.WriteLine("  teams <agent> <availability> <activity>   as the Teams client, e.g. teams ann Busy InACall");
        _out.WriteLine("  idle <agent> lunch|meeting                 the agent picks an idle code");
        _out.WriteLine("  supervisor <agent> lunch|meeting           a supervisor sets an idle code");
        _out.WriteLine("  available <agent>                          the agent makes themselves available");
        _out.WriteLine("  call <agent> | end <agent> | rona <agent>  a customer call is answered / ends / rings into RONA");
        _out.WriteLine("  status | deactivate | reactivate | quit");
    }

    public async Task RunAsync(TextReader input, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            _out.Write("> ");
            string? line;
            try
            {
                line = await input.ReadLineAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            if (line is null)
            {
                // No console (input redirected and ended): keep running until stopped.
                await Task.Delay(Timeout.Infinite, cancellationToken).ContinueWith(static _ => { }, TaskScheduler.Default);
                return;
            }

            var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (words.Length == 0)
            {
                continue;
            }

            if (words[0].Equals("quit", StringComparison.OrdinalIgnoreCase))
            {
                return;
            }

            try
            {
                await ExecuteAsync(words, cancellationToken);
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or KeyNotFoundException)
            {
                _out.WriteLine($"  {ex.Message}");
            }
        }
    }

    private async Task ExecuteAsync(string[] words, CancellationToken cancellationToken)
    {
        var command = words[0].ToLowerInvariant();
        switch (command)
        {
            case "status":
                await PrintStatusAsync(cancellationToken);
                return;
            case "deactivate":
                _out.WriteLine("  " + Describe(await Admin.DeactivateAsync(cancellationToken)));
                return;
            case "reactivate":
                _out.WriteLine("  " + Describe(await Admin.ReactivateAsync(cancellationToken)));
                return;
        }

        if (words.Length < 2)
        {
            PrintHelp([]);
            return;
        }

        var agent = Agent(words[1]);
        var wxcc = _world.Wxcc;
        switch (command)
        {
            case "teams" when words.Length == 4:
                _world.Graph.SetPresence(agent.TeamsUserId, words[2], words[3]);
                break;
            case "idle" when words.Length == 3:
                wxcc.SetStateAsAgent(agent.AgentId, AgentState.Idle(Code(words[2])));
                break;
            case "supervisor" when words.Length == 3:
                wxcc.SetStateAsSupervisor(agent.AgentId, AgentState.Idle(Code(words[2])));
                break;
            case "available":
                wxcc.SetStateAsAgent(agent.AgentId, AgentState.Available);
                break;
            case "call":
                wxcc.OfferContact(agent.AgentId);
                wxcc.AssignContact(agent.AgentId);
                break;
            case "end":
                wxcc.EndContact(agent.AgentId, wrapUp: true);
                wxcc.WrapUp(agent.AgentId, AgentState.Available);
                break;
            case "rona":
                wxcc.OfferContact(agent.AgentId);
                wxcc.RingIntoRona(agent.AgentId);
                break;
            default:
                PrintHelp([]);
                return;
        }

        _out.WriteLine("  done; type 'status' to see what the connector made of it.");
    }

    private async Task PrintStatusAsync(CancellationToken cancellationToken)
    {
        var status = Admin.GetStatus();
        _out.WriteLine($"  connector: {status.Status.State}, syncing: {status.IsSyncing}, agents: {status.TrackedAgents}");
        var agents = await Admin.GetAgentsAsync(cancellationToken);
        foreach (var demo in _world.Agents.Values)
        {
            var seen = agents.FirstOrDefault(a => a.AgentId == demo.AgentId);
            var presence = _world.Graph.GetPresence(demo.TeamsUserId);
            _out.WriteLine($"  {demo.Name,-4} WxCC {_day.Describe(_world.Wxcc.GetState(demo.AgentId)),-20} origin {seen.Origin,-13} Teams {presence.Availability}/{presence.Activity}");
        }
    }

    private DemoAgent Agent(string name) =>
        _world.Agents.FirstOrDefault(a => a.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Value
        ?? throw new KeyNotFoundException($"No agent '{name}': use ann, bob or cid.");

    private string Code(string name) => name.ToLowerInvariant() switch
    {
        "lunch" => _world.LunchCode,
        "meeting" => _world.MeetingCode,
        _ => throw new ArgumentException($"No idle code '{name}': use lunch or meeting."),
    };

    private static string Describe(LifecycleResult result) =>
        result.Succeeded ? $"now {result.Status.State}" : result.Error ?? "refused";
}
