using System.Diagnostics;
using Webex.TeamsConnector;
using Webex.TeamsConnector.AspNetCore;
using Webex.TeamsConnector.Testing;

// A user's app, built from the packages: the connector on the emulators makes an agent idle during a Teams call.
await using var graph = await GraphEmulator.StartAsync();
await using var wxcc = await ContactCenterEmulator.StartAsync();
var callCode = wxcc.AddIdleCode("Teams - In a call");
wxcc.SetDesktopProfile(new DesktopProfile("agents", StateSynchronizationMS: true));
var agent = wxcc.AddAgent(email: "ann@contoso.example", desktopProfileId: "agents");
var teams = graph.AddUser("Ann Agent", null, null, null, "ann@contoso.example");
graph.SetPresence(teams, "Available", "Available");
wxcc.SignIn(agent, AgentState.Available);

var builder = WebApplication.CreateBuilder(args);
builder.WebHost.UseUrls("http://127.0.0.1:0");
builder.Logging.SetMinimumLevel(LogLevel.Warning);
var settings = EmulatorSettings.For(graph, wxcc, TimeSpan.FromMilliseconds(200));
settings["TeamsConnector:StateSync:IdleCodes:InACall"] = callCode;
builder.Configuration.AddInMemoryCollection(settings);
builder.Services.AddTeamsConnector(builder.Configuration.GetSection("TeamsConnector"))
    .AddGraphPresence()
    .AddWebexContactCenter();

await using var app = builder.Build();
app.MapTeamsConnector();
app.MapHealthChecks("/health");
await app.StartAsync();

var admin = app.Services.GetRequiredService<ITeamsConnectorAdmin>();
var clock = Stopwatch.StartNew();
async Task<bool> Until(Func<Task<bool>> condition)
{
    while (!await condition())
    {
        if (clock.Elapsed > TimeSpan.FromSeconds(60))
        {
            return false;
        }

        await Task.Delay(50);
    }

    return true;
}

var ok = await Until(async () => (await admin.GetAgentsAsync(CancellationToken.None)) is { Count: 1 } agents && agents[0].ObservedPresence is not null && agents[0].LastEventAt is not null);
graph.SetPresence(teams, "Busy", "InACall");
ok = ok && await Until(() => Task.FromResult(wxcc.GetState(agent) == AgentState.Idle(callCode)));
await app.StopAsync();
Console.WriteLine(ok ? "package smoke test: ok" : "package smoke test: FAILED");
return ok ? 0 : 1;
