using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Graph;
using Microsoft.Kiota.Abstractions.Authentication;
using Microsoft.Kiota.Http.HttpClientLibrary.Middleware;

namespace Webex.TeamsConnector.Testing.Tests.Graph;

/// <summary>Clients for the emulator: the real Graph SDK (without its retry handler, so faults are visible) and raw HTTP.</summary>
internal static class GraphClients
{
    public const string AppId = "11111111-2222-4333-8444-555555555555";

    public static GraphServiceClient Sdk(GraphEmulator emulator)
    {
        var handlers = GraphClientFactory.CreateDefaultHandlers();
        handlers.Remove(handlers.First(h => h is RetryHandler));
        var http = GraphClientFactory.Create(handlers);
        return new GraphServiceClient(http, new AnonymousAuthenticationProvider(), emulator.BaseUrl.ToString());
    }

    public static HttpClient Raw(GraphEmulator emulator) => new() { BaseAddress = new Uri(emulator.BaseUrl + "/") };
}

/// <summary>A loopback subscriber endpoint: answers the handshake as configured and records notification bodies.</summary>
public sealed class Subscriber : IAsyncDisposable
{
    private readonly WebApplication _app;
    private TaskCompletionSource _received = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private Subscriber(WebApplication app, Uri url)
    {
        _app = app;
        Url = url;
    }

    public Uri Url { get; }

    /// <summary>How the handshake is answered: echo (default), wrong body, wrong content type, an error, or never.</summary>
    public Handshake Answer { get; set; } = Handshake.Echo;

    public ConcurrentQueue<string> Notifications { get; } = new();

    public ConcurrentQueue<string> ValidationTokens { get; } = new();

    public enum Handshake
    {
        Echo,
        WrongBody,
        WrongContentType,
        ServerError,
        Never,
    }

    public static async Task<Subscriber> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        Subscriber? subscriber = null;
        app.Run(context => subscriber!.HandleAsync(context));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        subscriber = new Subscriber(app, new Uri(address.TrimEnd('/') + "/notify"));
        return subscriber;
    }

    /// <summary>Waits (wall-clock guard only) until <paramref name="count"/> notification requests arrived.</summary>
    public async Task WaitForAsync(int count)
    {
        while (Notifications.Count < count)
        {
            var received = _received.Task;
            if (Notifications.Count >= count)
            {
                return;
            }

            await received.WaitAsync(TimeSpan.FromSeconds(15));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        if (context.Request.Query.TryGetValue("validationToken", out var token))
        {
            ValidationTokens.Enqueue(token.ToString());
            switch (Answer)
            {
                case Handshake.Never:
                    await new TaskCompletionSource().Task.WaitAsync(context.RequestAborted);
                    return;
                case Handshake.ServerError:
                    context.Response.StatusCode = 500;
                    return;
                case Handshake.WrongContentType:
                    context.Response.ContentType = "application/json";
                    await context.Response.WriteAsync(token.ToString());
                    return;
                case Handshake.WrongBody:
                    context.Response.ContentType = "text/plain";
                    await context.Response.WriteAsync("not the token");
                    return;
                default:
                    context.Response.ContentType = "text/plain";
                    await context.Response.WriteAsync(token.ToString());
                    return;
            }
        }

        using var reader = new StreamReader(context.Request.Body);
        Notifications.Enqueue(await reader.ReadToEndAsync());
        context.Response.StatusCode = 202;
        var received = Interlocked.Exchange(ref _received, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        received.TrySetResult();
    }
}
