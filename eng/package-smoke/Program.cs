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
builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
{
    ["TeamsConnector:Graph:BaseUrl"] = graph.BaseUrl.ToString(),
    ["TeamsConnector:Graph:TenantId"] = graph.TenantId,
    ["TeamsConnector:Graph:ClientId"] = "0f5f3a58-4c1e-4a0f-9d1b-5e6c7d8e9f00",
    ["TeamsConnector:Graph:ClientSecret"] = "smoke-secret",
    ["TeamsConnector:Graph:PollInterval"] = "00:00:00.200",
    ["TeamsConnector:ContactCenter:BaseUrl"] = wxcc.BaseUrl.ToString(),
    ["TeamsConnector:ContactCenter:TokenUrl"] = wxcc.TokenUrl.ToString(),
    ["TeamsConnector:ContactCenter:WebexApiBaseUrl"] = wxcc.WebexApiBaseUrl.ToString(),
    ["TeamsConnector:ContactCenter:OrgId"] = wxcc.OrgId,
    ["TeamsConnector:ContactCenter:ClientId"] = wxcc.ClientId,
    ["TeamsConnector:ContactCenter:ClientSecret"] = wxcc.ClientSecret,
    ["TeamsConnector:ContactCenter:RefreshToken"] = wxcc.RefreshToken,
    ["TeamsConnector:ContactCenter:EventSource"] = "WebSocket",
    ["TeamsConnector:StateSync:IdleCodes:InACall"] = callCode,
});
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
