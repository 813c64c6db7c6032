using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Webex.TeamsConnector.Graph.Tests;

/// <summary>A loopback HTTP endpoint that hands every request to a delegate (the Graph notification webhook).</summary>
internal sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;

    private WebhookReceiver(WebApplication app, Uri url)
    {
        _app = app;
        Url = url;
    }

    public Uri Url { get; }

    public static async Task<WebhookReceiver> StartAsync(RequestDelegate handler)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.Run(handler);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new WebhookReceiver(app, new Uri(address.TrimEnd('/') + "/graph/notifications"));
    }

    /// <summary>Serves the Graph notification processor, as the ASP.NET Core package will.</summary>
    public static Task<WebhookReceiver> StartAsync(Func<IGraphNotificationProcessor> processor) =>
        StartAsync(async context =>
        {
            var token = context.Request.Query["validationToken"];
            var response = await processor().ProcessAsync(token.Count > 0 ? token.ToString() : null, context.Request.Body, context.RequestAborted);
            context.Response.StatusCode = response.StatusCode;
            if (response.ContentType is not null)
            {
                context.Response.ContentType = response.ContentType;
            }

            if (response.Body is not null)
            {
                await context.Response.WriteAsync(response.Body, context.RequestAborted);
            }
        });

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
