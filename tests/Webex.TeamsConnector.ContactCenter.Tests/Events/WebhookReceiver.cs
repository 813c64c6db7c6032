using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Webex.TeamsConnector.ContactCenter.Tests.Events;

/// <summary>A loopback HTTP endpoint that hands WxCC webhook deliveries to a <see cref="WxccWebhookProcessor"/>, as the ASP.NET Core package will.</summary>
internal sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;

    private WebhookReceiver(WebApplication app, Uri url)
    {
        _app = app;
        Url = url;
    }

    public Uri Url { get; }

    public WxccWebhookProcessor? Processor { get; set; }

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Services.AddLogging();
        builder.WebHost.UseKestrelCore().ConfigureKestrel(static k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        WebhookReceiver? receiver = null;
        app.Run(async context =>
        {
            var processor = receiver!.Processor;
            if (processor is null)
            {
                context.Response.StatusCode = 503;
                return;
            }

            using var body = new MemoryStream();
            var buffer = new byte[8192];
            int read;
            while ((read = await context.Request.Body.ReadAsync(buffer)) > 0 && body.Length <= processor.MaxBodyBytes)
            {
                body.Write(buffer, 0, read);
            }

            var headers = context.Request.Headers.Select(static h => KeyValuePair.Create(h.Key, (string?)h.Value.ToString()));
            context.Response.StatusCode = await processor.ProcessAsync(body.ToArray(), headers, context.RequestAborted);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver = new WebhookReceiver(app, new Uri(address.TrimEnd('/') + "/webhooks/wxcc"));
        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
