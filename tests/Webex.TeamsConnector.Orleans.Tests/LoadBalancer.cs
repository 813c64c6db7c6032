using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Webex.TeamsConnector.Orleans.Tests;

/// <summary>
/// One public URL in front of the silos, as in production: each request goes to the next live silo's endpoints
/// (round robin), path, query and body unchanged.
/// </summary>
internal sealed class LoadBalancer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly HttpClient _client = new();
    private int _next;

    private LoadBalancer(WebApplication app, Uri url)
    {
        _app = app;
        Url = url;
    }

    /// <summary>The public base URL (the endpoints' prefix included).</summary>
    public Uri Url { get; }

    public static async Task<LoadBalancer> StartAsync(Func<IReadOnlyList<Uri>> backends)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var balancer = new LoadBalancer(app, new Uri($"http://127.0.0.1:{port}/teams-connector"));
        app.Run(context => balancer.ForwardAsync(context, backends()));
        await app.StartAsync();
        return balancer;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _client.Dispose();
    }

    private async Task ForwardAsync(HttpContext context, IReadOnlyList<Uri> backends)
    {
        if (backends.Count == 0)
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return;
        }

        var backend = backends[(int)((uint)Interlocked.Increment(ref _next) % backends.Count)];
        var target = new Uri(new Uri(backend.GetLeftPart(UriPartial.Authority)), context.Request.Path + context.Request.QueryString);
        using var request = new HttpRequestMessage(new HttpMethod(context.Request.Method), target);
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        request.Content = new ByteArrayContent(body.ToArray());
        foreach (var header in context.Request.Headers)
        {
            if (!request.Headers.TryAddWithoutValidation(header.Key, (IEnumerable<string?>)header.Value))
            {
                request.Content.Headers.TryAddWithoutValidation(header.Key, (IEnumerable<string?>)header.Value);
            }
        }

        request.Headers.Host = null;
        using var response = await _client.SendAsync(request, context.RequestAborted);
        context.Response.StatusCode = (int)response.StatusCode;
        if (response.Content.Headers.ContentType is { } type)
        {
            context.Response.ContentType = type.ToString();
        }

        await response.Content.CopyToAsync(context.Response.Body, context.RequestAborted);
    }
}
