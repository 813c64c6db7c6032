using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Webex.TeamsConnector.AspNetCore;

namespace Webex.TeamsConnector.Orleans.Tests;

/// <summary>
/// Gives each in-process silo its own HTTP endpoint with <c>MapTeamsConnector()</c>, answering from the silo's own
/// services (as a silo that is also the web host does), so that a webhook can be delivered to a chosen silo.
/// </summary>
internal sealed class SiloWebhooks(IServiceProvider silo, ILocalSiloDetails details) : IHostedService
{
    /// <summary>The base URL of each silo's endpoints, by silo address.</summary>
    public static ConcurrentDictionary<SiloAddress, Uri> Urls { get; } = new();

    /// <summary>The admin API's policy on the silos' endpoints (open: the tests are the only callers).</summary>
    public const string AdminPolicy = "cluster-admins";

    private WebApplication? _app;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var port = FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        builder.Services.AddRouting();
        builder.Services.AddAuthorization(o => o.AddPolicy(AdminPolicy, p => p.RequireAssertion(_ => true)));
        new WebBuilder(builder.Services).AddAdminApi();
        _app = builder.Build();
        _app.Use((context, next) =>
        {
            context.RequestServices = silo;
            return next(context);
        });
        _app.MapTeamsConnector();
        _app.MapTeamsConnectorAdmin(AdminPolicy);
        await _app.StartAsync(cancellationToken);
        Urls[details.SiloAddress] = new Uri($"http://127.0.0.1:{port}{TeamsConnectorEndpointRouteBuilderExtensions.DefaultPrefix}");
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is not null)
        {
            await _app.StopAsync(cancellationToken);
            await _app.DisposeAsync();
        }
    }

    /// <summary>The web host's own builder for <c>AddAdminApi()</c> (the connector itself is registered in the silo).</summary>
    private sealed class WebBuilder(IServiceCollection services) : ITeamsConnectorBuilder
    {
        public IServiceCollection Services => services;

        public Microsoft.Extensions.Configuration.IConfiguration? Configuration => null;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
