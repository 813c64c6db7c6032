using System.Diagnostics;
using System.Globalization;
using Webex.TeamsConnector.Testing;

namespace Webex.TeamsConnector.Sample;

/// <summary>
/// A contact-center day on the emulators, step by step: each step acts as Teams, the agent, a supervisor or the
/// contact center would, then waits for the state the sync rules give and prints one line.
/// </summary>
internal sealed class ScriptedDay
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan s_leftAlone = TimeSpan.FromSeconds(4);
    private const int Width = 176;

    private readonly DemoWorld _world;
    private readonly IServiceProvider _services;
    private readonly TextWriter _out;
    private int _step;
    private int _passed;
    private readonly List<double> _latencies = [];

    public ScriptedDay(DemoWorld world, IServiceProvider services, TextWriter output)
    {
        _world = world;
        _services = services;
        _out = output;
    }

    private ITeamsConnectorAdmin Admin => (ITeamsConnectorAdmin)_services.GetService(typeof(ITeamsConnectorAdmin))!;

    /// <summary>Plays the day; with <paramref name="keepRunning"/> the connector is left Active instead of deleted.</summary>
    public async Task<bool> RunAsync(bool keepRunning = false)
    {
        var ann = _world.Agents["Ann"];
        var bob = _world.Agents["Bob"];
        var cid = _world.Agents["Cid"];
        var graph = _world.Graph;
        var wxcc = _world.Wxcc;

        _out.WriteLine("Webex.TeamsConnector demo: a scripted contact-center day on the Graph and WxCC emulators.");
        _out.WriteLine();
        await WaitAsync(() => Admin.GetStatus() is { IsSyncing: true, TrackedAgents: 3 }, s_timeout);

        // Wait until the connector has read every agent's WxCC state and Teams presence once.
        await WaitAsync(
            () => Admin.GetAgentsAsync(CancellationToken.None).GetAwaiter().GetResult() is { Count: 3 } agents
                  && agents.All(a => a.ObservedPresence is not null && a.LastEventAt is not null),
            s_timeout);
        _out.WriteLine($"{"#",2}  {"step",-58} {"agent",-5} {"WxCC state",-20} {"origin",-13} {"Teams",-25} {"connector action",-26} {"result",-6} {"latency",8}");
        _out.WriteLine(new string('-', Width));

        // A Teams call makes the agent idle; its end makes them available again.
        await StepAsync("Ann starts a Teams call", ann, () => graph.SetPresence(ann.TeamsUserId, "Busy", "InACall"),
            () => wxcc.GetState(ann.AgentId) == AgentState.Idle(_world.CallCode), teamsToWxcc: true);
        await StepAsync("Ann's Teams call ends", ann, () => graph.SetPresence(ann.TeamsUserId, "Available", "Available"),
            () => wxcc.GetState(ann.AgentId) == AgentState.Available, teamsToWxcc: true);

        // A manual idle code is left alone when the Teams call ends.
        await StepAsync("Bob joins a Teams call", bob, () => graph.SetPresence(bob.TeamsUserId, "Busy", "InACall"),
            () => wxcc.GetState(bob.AgentId) == AgentState.Idle(_world.CallCode), teamsToWxcc: true);
        await StepAsync("Bob starts presenting in the call", bob, () => graph.SetPresence(bob.TeamsUserId, "DoNotDisturb", "Presenting"),
            () => wxcc.GetState(bob.AgentId) == AgentState.Idle(_world.PresentingCode), teamsToWxcc: true);
        await StepAsync("Bob picks Lunch during the call", bob, () => wxcc.SetStateAsAgent(bob.AgentId, AgentState.Idle(_world.LunchCode)),
            () => wxcc.GetState(bob.AgentId) == AgentState.Idle(_world.LunchCode));
        await LeftAloneAsync("Bob's Teams call ends: his Lunch is left alone", bob, () => graph.SetPresence(bob.TeamsUserId, "Available", "Available"),
            AgentState.Idle(_world.LunchCode));

        // A supervisor's change is left alone.
        await StepAsync("Cid joins a Teams call", cid, () => graph.SetPresence(cid.TeamsUserId, "Busy", "InACall"),
            () => wxcc.GetState(cid.AgentId) == AgentState.Idle(_world.CallCode), teamsToWxcc: true);
        await StepAsync("A supervisor puts Cid in Meeting", cid, () => wxcc.SetStateAsSupervisor(cid.AgentId, AgentState.Idle(_world.MeetingCode)),
            () => wxcc.GetState(cid.AgentId) == AgentState.Idle(_world.MeetingCode));
        await LeftAloneAsync("Cid's Teams call ends: the supervisor's Meeting stays", cid, () => graph.SetPresence(cid.TeamsUserId, "Available", "Available"),
            AgentState.Idle(_world.MeetingCode));

        // RONA is left alone.
        await StepAsync("Ann is offered a customer call and lets it ring", ann, () => { wxcc.OfferContact(ann.AgentId); wxcc.RingIntoRona(ann.AgentId); },
            () => wxcc.GetState(ann.AgentId) == AgentState.Idle(wxcc.RonaCodeId));
        await StepAsync("Ann joins a Teams call in RONA", ann, () => graph.SetPresence(ann.TeamsUserId, "Busy", "InACall"),
            () => graph.GetPresence(ann.TeamsUserId).Activity == "InACall");
        await LeftAloneAsync("Ann's Teams call ends: RONA is left alone", ann, () => graph.SetPresence(ann.TeamsUserId, "Available", "Available"),
            AgentState.Idle(wxcc.RonaCodeId));
        await StepAsync("Ann makes herself available", ann, () => wxcc.SetStateAsAgent(ann.AgentId, AgentState.Available),
            () => wxcc.GetState(ann.AgentId) == AgentState.Available);

        // A contact-center call shows the agent busy in Teams, and back.
        await StepAsync("Ann answers a customer call: Teams shows her busy", ann, () => { wxcc.OfferContact(ann.AgentId); wxcc.AssignContact(ann.AgentId); },
            () => graph.GetSessions(ann.TeamsUserId).Any(s => s.Availability == "Busy" && s.Activity == "InACall")
                  && graph.GetPresence(ann.TeamsUserId).Activity == "InACall");
        await StepAsync("The customer call ends after wrap-up: Teams is cleared", ann, () => { wxcc.EndContact(ann.AgentId, wrapUp: true); wxcc.WrapUp(ann.AgentId, AgentState.Available); },
            () => graph.GetSessions(ann.TeamsUserId).Count == 0 && wxcc.GetState(ann.AgentId) == AgentState.Available);
        await LeftAloneAsync("Ann stays available (her busy echo is no Teams call)", ann, () => { }, AgentState.Available);

        await ExpertSearchAsync();
        await AdminAsync(ann, keepRunning);

        _out.WriteLine(new string('-', Width));
        var latencies = _latencies.Order().ToList();
        var p50 = latencies.Count == 0 ? 0 : latencies[latencies.Count / 2];
        var max = latencies.Count == 0 ? 0 : latencies[^1];
        _out.WriteLine($"{_passed} of {_step} steps ended in the expected state. Teams -> WxCC latency over {latencies.Count} changes: median {p50:F0} ms, max {max:F0} ms (polling every 1 s).");
        return _passed == _step;
    }

    private async Task StepAsync(string title, DemoAgent agent, Action act, Func<bool> expected, bool teamsToWxcc = false)
    {
        var before = Observe(agent);
        var clock = Stopwatch.StartNew();
        act();
        var ok = await WaitAsync(expected, s_timeout);
        var latency = clock.Elapsed.TotalMilliseconds;
        if (ok && teamsToWxcc)
        {
            _latencies.Add(latency);
        }

        // Let the connector see the change before printing its view of the agent.
        await WaitAsync(() => ConnectorSees(agent), TimeSpan.FromSeconds(3));

        // Latency is the time until WxCC (or Teams) showed the state the rules give: a Teams change synced by the
        // connector, or an action in the contact center seen by it.
        await ReportAsync(title, agent, ok, Action(agent, before), ok ? latency.ToString("F0", CultureInfo.InvariantCulture) + " ms" : "timeout");
    }

    /// <summary>What the connector wrote so far for the agent: WxCC writes and Teams sessions.</summary>
    private (int Writes, int Sessions) Observe(DemoAgent agent) =>
        (_world.Wxcc.StateWrites.Count(w => w.AgentId == agent.AgentId), _world.Graph.GetSessions(agent.TeamsUserId).Count);

    /// <summary>The connector's action since <paramref name="before"/>, from what the emulators received.</summary>
    private string Action(DemoAgent agent, (int Writes, int Sessions) before)
    {
        var actions = new List<string>();
        var writes = _world.Wxcc.StateWrites.Where(w => w.AgentId == agent.AgentId).ToList();
        if (writes.Count > before.Writes)
        {
            var last = writes[^1];
            actions.Add(last.State == "Available" ? "set Available" : $"set {Describe(AgentState.Idle(last.AuxCodeId!))}");
        }

        var sessions = _world.Graph.GetSessions(agent.TeamsUserId).Count;
        if (sessions > before.Sessions)
        {
            actions.Add("publish Busy/InACall");
        }
        else if (sessions < before.Sessions)
        {
            actions.Add("clear Teams");
        }

        return actions.Count == 0 ? "none" : string.Join(", ", actions);
    }

    private bool ConnectorSees(DemoAgent agent)
    {
        var agents = Admin.GetAgentsAsync(CancellationToken.None).GetAwaiter().GetResult();
        return agents.Any(a => a.AgentId == agent.AgentId && a.State == _world.Wxcc.GetState(agent.AgentId));
    }

    private async Task LeftAloneAsync(string title, DemoAgent agent, Action act, AgentState expected)
    {
        var before = Observe(agent);
        act();

        // Nothing must happen, so there is nothing to wait for but time: four polls of Teams.
        await Task.Delay(s_leftAlone);
        var ok = _world.Wxcc.GetState(agent.AgentId) == expected
                 && _world.Wxcc.StateWrites.Count(w => w.AgentId == agent.AgentId) == before.Writes;
        await ReportAsync(title, agent, ok, Action(agent, before), "-");
    }

    private async Task ExpertSearchAsync()
    {
        // Ann asks: her desktop profile shows Microsoft Teams user details, so she may search.
        var search = (IAgentExpertSearch)_services.GetService(typeof(IAgentExpertSearch))!;
        var result = await search.SearchAsync(_world.Agents["Ann"].AgentId, new ExpertQuery { Department = "Tax", MaxResults = 10 }, CancellationToken.None);
        var experts = result.Experts;
        var ok = result.Allowed && experts.Count == 2
                 && experts.All(e => E164.IsValid(e.BusinessPhone) && e.Presence is not null)
                 && experts.Any(e => e.DisplayName == "Theo Tax" && e.Presence!.Value.Activity == TeamsActivity.InACall);
        _step++;
        if (ok)
        {
            _passed++;
        }

        _out.WriteLine($"{_step,2}  {"Ann finds a Tax expert (E.164 phones, live presence)",-58} {"-",-5} {string.Join("; ", experts.Select(e => $"{e.DisplayName} {e.BusinessPhone} {e.Presence}")),-86} {(ok ? "ok" : "FAILED"),-6}");
    }

    private async Task AdminAsync(DemoAgent agent, bool keepRunning)
    {
        var refused = await Admin.DeleteAsync(CancellationToken.None);
        Report("Delete the connector while Active", !refused.Succeeded, refused.Error ?? "(allowed!)");
        var deactivated = await Admin.DeactivateAsync(CancellationToken.None);
        Report("Deactivate the connector", deactivated.Succeeded && deactivated.Status.State == ConnectorState.Inactive, deactivated.Status.State.ToString());
        await WaitAsync(() => !Admin.GetStatus().IsSyncing, s_timeout);
        await LeftAloneAsync($"While Inactive, {agent.Name} sets Do Not Disturb: no sync", agent,
            () => _world.Graph.SetPresence(agent.TeamsUserId, "DoNotDisturb", "DoNotDisturb"), AgentState.Available);

        var reactivated = await Admin.ReactivateAsync(CancellationToken.None);
        Report("Reactivate the connector", reactivated.Succeeded && reactivated.Status.State == ConnectorState.Active, reactivated.Status.State.ToString());
        await StepAsync($"Active again: {agent.Name}'s Do Not Disturb is synced", agent, () => { },
            () => _world.Wxcc.GetState(agent.AgentId) == AgentState.Idle(_world.DndCode));
        await StepAsync($"{agent.Name} ends Do Not Disturb", agent, () => _world.Graph.SetPresence(agent.TeamsUserId, "Available", "Available"),
            () => _world.Wxcc.GetState(agent.AgentId) == AgentState.Available, teamsToWxcc: true);
        if (keepRunning)
        {
            return;
        }

        deactivated = await Admin.DeactivateAsync(CancellationToken.None);
        Report("Deactivate the connector again", deactivated.Succeeded, deactivated.Status.State.ToString());
        var deleted = await Admin.DeleteAsync(CancellationToken.None);
        Report("Delete the inactive connector", deleted.Succeeded && deleted.Notice is not null, deleted.Notice ?? deleted.Error ?? "");
    }

    private void Report(string title, bool ok, string detail)
    {
        _step++;
        if (ok)
        {
            _passed++;
        }

        _out.WriteLine($"{_step,2}  {title,-58} {"-",-5} {detail,-86} {(ok ? "ok" : "FAILED"),-6}");
    }

    private async Task ReportAsync(string title, DemoAgent agent, bool ok, string action, string latency)
    {
        _step++;
        if (ok)
        {
            _passed++;
        }

        var state = _world.Wxcc.GetState(agent.AgentId);
        var agents = await Admin.GetAgentsAsync(CancellationToken.None);
        var origin = agents.FirstOrDefault(a => a.AgentId == agent.AgentId).Origin;
        var presence = _world.Graph.GetPresence(agent.TeamsUserId);
        _out.WriteLine($"{_step,2}  {title,-58} {agent.Name,-5} {Describe(state),-20} {origin,-13} {presence.Availability + "/" + presence.Activity,-25} {action,-26} {(ok ? "ok" : "FAILED"),-6} {latency,8}");
    }

    internal string Describe(AgentState state)
    {
        if (state.Kind != AgentStateKind.Idle)
        {
            return state.Kind.ToString();
        }

        var code = state.IdleCodeId;
        var name = code == _world.DndCode ? "Teams DND" : code == _world.CallCode ? "Teams call" : code == _world.PresentingCode ? "Presenting"
            : code == _world.LunchCode ? "Lunch" : code == _world.MeetingCode ? "Meeting" : code == _world.Wxcc.RonaCodeId ? "RONA" : code;
        return $"Idle ({name})";
    }

    private static async Task<bool> WaitAsync(Func<bool> condition, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > timeout)
            {
                return false;
            }

            await Task.Delay(20);
        }

        return true;
    }
}
