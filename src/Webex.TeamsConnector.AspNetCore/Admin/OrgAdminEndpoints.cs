using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Webex.TeamsConnector.AspNetCore;

/// <summary>
/// The admin API of one org of several (<c>{prefix}/admin/api/orgs/{org}/...</c>, <c>org</c> being the name under
/// <c>TeamsConnector:Orgs</c>): on one node the request runs against the org's own container; in a cluster it is handed
/// to the org's owner, which runs the same handler against its unit. An org not listed gets a 404 problem.
/// </summary>
internal static class OrgAdminEndpoints
{
    /// <summary>The route of one org's admin API, under the admin API.</summary>
    public const string OrgPath = "/orgs/{org}";

    /// <summary>The admin operations by name (the endpoint's name), for the owner to run the one a node handed over.</summary>
    public static ConcurrentDictionary<string, RequestDelegate> Operations { get; } = new(StringComparer.Ordinal);

    public static Task ListAsync(HttpContext context)
    {
        var orgs = OrgWebhookRouter.Orgs(context)?.Catalog.Definitions ?? [];
        context.Response.Headers.CacheControl = "no-store";
        return TypedResults.Json((IReadOnlyList<AdminOrg>)[.. orgs.Select(static o => new AdminOrg(o.Name, o.WxccOrgId))], AdminJsonContext.Default.IReadOnlyListAdminOrg).ExecuteAsync(context);
    }

    public static RequestDelegate ForOrg(string operation, RequestDelegate handler) => async context =>
    {
        var name = context.Request.RouteValues["org"] as string;
        if (OrgWebhookRouter.Orgs(context)?.FindByName(name) is not { } org)
        {
            await new ProblemAnswer(StatusCodes.Status404NotFound, "No such org.", "The org is not listed: GET the admin API's orgs for the names under TeamsConnector:Orgs.", null).ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        if (context.RequestServices.GetService<IOrgHosting>() is { } cluster)
        {
            await HandOverAsync(context, cluster, org.Definition, operation).ConfigureAwait(false);
            return;
        }

        var root = context.RequestServices;
        context.RequestServices = org.Services;
        try
        {
            await AdminApiHandlers.GuardAsync(context, handler).ConfigureAwait(false);
        }
        finally
        {
            context.RequestServices = root;
        }
    };

    private static async Task HandOverAsync(HttpContext context, IOrgHosting cluster, OrgDefinition org, string operation)
    {
        if (context.Request.ContentLength > AdminApiHandlers.MaxBodyBytes)
        {
            await TooLarge(context).ConfigureAwait(false);
            return;
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = AdminApiHandlers.MaxBodyBytes;
        }

        byte[] body;
        try
        {
            using var copy = new MemoryStream();
            await context.Request.Body.CopyToAsync(copy, context.RequestAborted).ConfigureAwait(false);
            body = copy.ToArray();
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            await TooLarge(context).ConfigureAwait(false);
            return;
        }

        var route = context.Request.RouteValues
            .Where(static r => r.Key != "org" && r.Value is string)
            .ToDictionary(static r => r.Key, static r => (string)r.Value!, StringComparer.OrdinalIgnoreCase);
        var request = new OrgAdminRequest(operation, context.Request.Method, context.Request.Path.Value ?? "", route, context.Request.QueryString.Value ?? "", context.Request.ContentType, body);
        var answer = await cluster.InvokeAdminAsync(org, request, context.RequestAborted).ConfigureAwait(false);
        if (answer.StatusCode == StatusCodes.Status501NotImplemented)
        {
            await new ProblemAnswer(answer.StatusCode, "The org's owner has no admin API.", "Call AddAdminApi() on every silo's AddTeamsConnector(...) builder.", null).ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        if (answer is { StatusCode: StatusCodes.Status404NotFound, Body.Length: 0 })
        {
            await new ProblemAnswer(answer.StatusCode, "The org does not run.", "The org's owner does not list it (each silo must list the same orgs).", null).ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        context.Response.StatusCode = answer.StatusCode;
        context.Response.Headers.CacheControl = "no-store";
        if (answer.ContentType is { } contentType)
        {
            context.Response.ContentType = contentType;
        }

        if (answer.Location is { } location)
        {
            context.Response.Headers.Location = location;
        }

        await context.Response.Body.WriteAsync(answer.Body, context.RequestAborted).ConfigureAwait(false);
    }

    private static Task TooLarge(HttpContext context) =>
        new ProblemAnswer(StatusCodes.Status413PayloadTooLarge, "The body is too large.", $"The admin API reads at most {AdminApiHandlers.MaxBodyBytes} bytes.", null).ExecuteAsync(context);
}

/// <summary>Runs an admin operation handed over by another node against this node's container of the org (the owner's unit).</summary>
internal sealed class OrgAdminExecutor : IOrgAdminExecutor
{
    public async Task<OrgAdminResponse> ExecuteAsync(IServiceProvider orgServices, OrgAdminRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!OrgAdminEndpoints.Operations.TryGetValue(request.Operation, out var handler))
        {
            return new OrgAdminResponse(StatusCodes.Status501NotImplemented, null, null, []);
        }

        var context = new DefaultHttpContext { RequestServices = orgServices, RequestAborted = cancellationToken };
        context.Request.Method = request.Method;
        context.Request.Path = request.Path;
        context.Request.QueryString = new QueryString(request.QueryString.Length == 0 ? null : request.QueryString);
        context.Request.ContentType = request.ContentType;
        context.Request.ContentLength = request.Body.Length;
        context.Request.Body = new MemoryStream(request.Body, writable: false);
        foreach (var (key, value) in request.RouteValues)
        {
            context.Request.RouteValues[key] = value;
        }

        using var response = new MemoryStream();
        context.Response.Body = response;
        await AdminApiHandlers.GuardAsync(context, handler).ConfigureAwait(false);
        var location = context.Response.Headers.Location.ToString();
        return new OrgAdminResponse(context.Response.StatusCode, context.Response.ContentType, location.Length == 0 ? null : location, response.ToArray());
    }
}
