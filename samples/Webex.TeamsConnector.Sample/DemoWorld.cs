using Webex.TeamsConnector.Testing;

namespace Webex.TeamsConnector.Sample;

/// <summary>The emulated Microsoft Graph and Webex Contact Center of the demo, seeded with a small contact center.</summary>
internal sealed class DemoWorld : IAsyncDisposable
{
    public const string ProfileId = "profile-agents";

    private DemoWorld(GraphEmulator graph, ContactCenterEmulator wxcc)
    {
        Graph = graph;
        Wxcc = wxcc;
    }

    public GraphEmulator Graph { get; }

    public ContactCenterEmulator Wxcc { get; }

    public string DndCode { get; private set; } = "";

    public string CallCode { get; private set; } = "";

    public string PresentingCode { get; private set; } = "";

    public string LunchCode { get; private set; } = "";

    public string MeetingCode { get; private set; } = "";

    public Dictionary<string, DemoAgent> Agents { get; } = new(StringComparer.Ordinal);

    public static async Task<DemoWorld> StartAsync()
    {
        // The demo shows every agent's WxCC changes at once, so its emulator sends every agent's events on the connector's
        // websocket; a real WxCC socket carries only the signed-in user's, and the others come with reconciliation.
        var wxcc = await ContactCenterEmulator.StartAsync(new ContactCenterEmulatorOptions { WebSocketScope = ContactCenterWebSocketScope.Organization });
        var world = new DemoWorld(await GraphEmulator.StartAsync(), wxcc);
        world.Seed();
        return world;
    }

    public Dictionary<string, string?> Settings()
    {
        var settings = EmulatorSettings.For(Graph, Wxcc);
        settings["TeamsConnector:StateSync:IdleCodes:DoNotDisturb"] = DndCode;
        settings["TeamsConnector:StateSync:IdleCodes:InACall"] = CallCode;
        settings["TeamsConnector:StateSync:IdleCodes:Presenting"] = PresentingCode;
        settings["TeamsConnector:StateSync:TimerResolution"] = "00:00:00.250";
        return settings;
    }

    public async ValueTask DisposeAsync()
    {
        await Graph.DisposeAsync();
        await Wxcc.DisposeAsync();
    }

    private void Seed()
    {
        DndCode = Wxcc.AddIdleCode("Teams - Do not disturb");
        CallCode = Wxcc.AddIdleCode("Teams - In a call");
        PresentingCode = Wxcc.AddIdleCode("Teams - Presenting");
        LunchCode = Wxcc.AddIdleCode("Lunch");
        MeetingCode = Wxcc.AddIdleCode("Meeting");
        Wxcc.SetDesktopProfile(new DesktopProfile(ProfileId, StateSynchronizationMS: true, ShowUserDetailsMS: true) { Name = "Agents" });

        foreach (var name in new[] { "Ann", "Bob", "Cid" })
        {
            var email = name.ToLowerInvariant() + "@contoso.example";
            var agentId = Wxcc.AddAgent(email: email, desktopProfileId: ProfileId);
            var teamsId = Graph.AddUser(name + " Agent", "Customer Care", "Agent", null, email);
            Graph.SetPresence(teamsId, "Available", "Available");
            Wxcc.SignIn(agentId, AgentState.Available);
            Agents[name] = new DemoAgent(name, agentId, teamsId);
        }

        Graph.SetPresence(Graph.AddUser("Tara Tax", "Tax", "Senior Tax Advisor", "+1 (425) 555-0100", "tara@contoso.example"), "Available", "Available");
        Graph.SetPresence(Graph.AddUser("Theo Tax", "Tax", "Tax Advisor", "+44 20 7946 0958", "theo@contoso.example"), "Busy", "InACall");
        Graph.AddUser("Tim Tax", "Tax", "Tax Intern", "555-0199", "tim@contoso.example");
        Graph.AddUser("Tess Tax", "Tax", "Tax Advisor", null, "tess@contoso.example");
    }
}

/// <summary>One agent of the demo: WxCC agent id and Teams user id.</summary>
internal sealed record DemoAgent(string Name, string AgentId, string TeamsUserId);
