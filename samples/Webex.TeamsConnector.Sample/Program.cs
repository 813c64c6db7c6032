using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Webex.TeamsConnector;
using Webex.TeamsConnector.AspNetCore;
using Webex.TeamsConnector.Sample;

// With no TeamsConnector settings, the sample starts the Graph and Webex Contact Center emulators in-process and
// plays a scripted day against them; with real settings it runs the connector until stopped.
var interactive = args.Contains("--interactive", StringComparer.OrdinalIgnoreCase);
var (cluster, hostArgs, clusterErrors) = ClusterMode.Parse(args);
if (clusterErrors.Count > 0)
{
    await Console.Error.WriteLineAsync("The --cluster option is not valid:");
    clusterErrors.ForEach(e => Console.Error.WriteLine("  - " + e));
    return 2;
}

var builder = WebApplication.CreateBuilder(hostArgs.Where(a => !a.Equals("--interactive", StringComparison.OrdinalIgnoreCase)).ToArray());
var section = builder.Configuration.GetSection("TeamsConnector");
var demoMode = !section.GetChildren().Any();

DemoWorld? world = null;
if (demoMode)
{
    world = await DemoWorld.StartAsync();
    builder.Configuration.AddInMemoryCollection(world.Settings());
    builder.Logging.AddFilter("Webex.TeamsConnector", LogLevel.Error);
    if (string.IsNullOrEmpty(builder.Configuration[WebHostDefaults.ServerUrlsKey]))
    {
        // The demo needs no fixed port: take a free one on loopback unless --urls says otherwise.
        builder.WebHost.UseUrls("http://127.0.0.1:0");
    }
}

var connector = builder.Services.AddTeamsConnector(builder.Configuration.GetSection("TeamsConnector"))
    .AddGraphPresence()
    .AddWebexContactCenter();
if (demoMode)
{
    // Demo only: the admin API and dashboard behind a policy that lets loopback callers in. A real host names a policy
    // over its own sign-in (for example an Entra ID role) instead.
    connector.AddAdminApi();
    // Demo only: the audit trail in a SQLite file of this run (the dashboard's timelines read it), deleted at the end.
    connector.AddSqliteAuditStore(o => o.Path = DemoAuditPath);
    builder.Services.AddAuthorization(o => o.AddPolicy(DemoAdminPolicy, p => p.RequireAssertion(
        c => c.Resource is HttpContext { Connection.RemoteIpAddress: { } ip } && System.Net.IPAddress.IsLoopback(ip))));
}
builder.Services.AddSingleton(TimeProvider.System);
cluster?.Configure(builder); // --cluster redis=host:port: one silo of a cluster that runs each org once.

var app = builder.Build();

// Bad settings end the process with the listed errors and exit code 2, not with an unhandled exception.
if (!TeamsConnectorStartup.TryValidate(app.Services, out var configurationErrors))
{
    await Console.Error.WriteLineAsync("The TeamsConnector configuration is not valid:");
    foreach (var error in configurationErrors)
    {
        await Console.Error.WriteLineAsync("  - " + error);
    }

    return 2;
}

app.MapTeamsConnector();
app.MapHealthChecks("/health");

if (world is null)
{
    Console.WriteLine("Webex.TeamsConnector is running against the configured services. Press Ctrl+C to stop.");
    await app.RunAsync();
    return 0;
}

app.MapTeamsConnectorAdmin(DemoAdminPolicy);

await using (world)
{
    await app.StartAsync();
    foreach (var address in app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [])
    {
        Console.WriteLine($"Dashboard: {address.TrimEnd('/')}{TeamsConnectorEndpointRouteBuilderExtensions.DefaultPrefix}{TeamsConnectorAdminEndpointRouteBuilderExtensions.DashboardPath}");
    }

    var day = new ScriptedDay(world, app.Services, Console.Out);
    var passed = await day.RunAsync(keepRunning: interactive);
    if (interactive)
    {
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        var console = new DemoConsole(world, app.Services, day, Console.Out);
        console.PrintHelp(addresses);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(app.Lifetime.ApplicationStopping);
        await console.RunAsync(Console.In, stop.Token);
    }

    await app.StopAsync();
    await app.DisposeAsync();
    File.Delete(DemoAuditPath);
    return passed ? 0 : 1;
}

internal static partial class Program
{
    private const string DemoAdminPolicy = "TeamsConnectorDemoAdmin";

    private static readonly string DemoAuditPath = Path.Combine(Path.GetTempPath(), $"teams-connector-demo-audit-{Environment.ProcessId}.db");
}
