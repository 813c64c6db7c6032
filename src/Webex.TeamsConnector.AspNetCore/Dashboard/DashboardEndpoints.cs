using System.Collections.Frozen;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Webex.TeamsConnector.AspNetCore;

/// <summary>
/// The dashboard page: HTML, CSS and vanilla JavaScript embedded in the assembly, served under <c>{prefix}/dashboard</c>
/// with a strict Content-Security-Policy (no inline script, nothing from another origin).
/// </summary>
internal static class DashboardEndpoints
{
    private const string ResourcePrefix = "Webex.TeamsConnector.AspNetCore.Dashboard.";

    private const string SecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

    private static readonly FrozenDictionary<string, string> s_assets = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["dashboard.css"] = "text/css; charset=utf-8",
        ["dashboard.js"] = "text/javascript; charset=utf-8",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly Lazy<FrozenDictionary<string, byte[]>> s_content = new(static () =>
        s_assets.Keys.Append("index.html").ToFrozenDictionary(static name => name, Read, StringComparer.Ordinal));

    public static void Map(RouteGroupBuilder root, string authorizationPolicy)
    {
        var dashboard = root.MapGroup(TeamsConnectorAdminEndpointRouteBuilderExtensions.DashboardPath).RequireAuthorization(authorizationPolicy);
        dashboard.MapGet(string.Empty, PageAsync).WithName("TeamsConnector.Dashboard").ExcludeFromDescription();
        dashboard.MapGet("/assets/{name}", AssetAsync).WithName("TeamsConnector.DashboardAsset").ExcludeFromDescription();
    }

    private static Task PageAsync(HttpContext context)
    {
        // The page finds the API relative to where it was mapped: the prefix is written into it, HTML-encoded.
        var page = context.Request.PathBase + context.Request.Path.Value![..^TeamsConnectorAdminEndpointRouteBuilderExtensions.DashboardPath.Length];
        var html = System.Text.Encoding.UTF8.GetString(s_content.Value["index.html"]).Replace("{{prefix}}", HtmlEncoder.Default.Encode(page), StringComparison.Ordinal);
        Secure(context.Response, "text/html; charset=utf-8");
        return context.Response.WriteAsync(html, context.RequestAborted);
    }

    private static Task AssetAsync(HttpContext context)
    {
        var name = context.Request.RouteValues["name"] as string ?? string.Empty;
        if (!s_assets.TryGetValue(name, out var contentType))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        }

        Secure(context.Response, contentType);
        return context.Response.Body.WriteAsync(s_content.Value[name], context.RequestAborted).AsTask();
    }

    private static void Secure(HttpResponse response, string contentType)
    {
        response.ContentType = contentType;
        response.Headers.CacheControl = "no-store";
        response.Headers.ContentSecurityPolicy = SecurityPolicy;
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers["Referrer-Policy"] = "no-referrer";
    }

    private static byte[] Read(string name)
    {
        using var stream = typeof(DashboardEndpoints).Assembly.GetManifestResourceStream(ResourcePrefix + name)
            ?? throw new InvalidOperationException($"The dashboard asset {name} is missing from the assembly.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
