using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Webex.TeamsConnector.ContactCenter;
using Webex.TeamsConnector.Graph;

namespace Webex.TeamsConnector.AspNetCore;

/// <summary>Maps the connector's HTTP endpoints.</summary>
public static class TeamsConnectorEndpointRouteBuilderExtensions
{
    /// <summary>The default route prefix.</summary>
    public const string DefaultPrefix = "/teams-connector";

    /// <summary>The path of the Graph change-notification (and lifecycle-notification) webhook, under the prefix.</summary>
    public const string GraphNotificationsPath = "/graph/notifications";

    /// <summary>The path of the Webex Contact Center webhook, under the prefix.</summary>
    public const string WebexEventsPath = "/webex/events";

    /// <summary>The path of the Entra ID admin-consent callback, under the prefix.</summary>
    public const string AdminConsentPath = "/admin/consent";

    /// <summary>The path that starts the administrator's sign-in (a redirect to Entra ID), under the prefix.</summary>
    public const string AdminSignInStartPath = "/admin/signin/start";

    /// <summary>The path of the Entra ID sign-in callback (OpenID Connect), under the prefix.</summary>
    public const string AdminSignInPath = "/admin/signin";

    /// <summary>
    /// Maps <c>POST {prefix}/graph/notifications</c> (Graph change and lifecycle notifications, with the validation
    /// handshake), <c>POST {prefix}/webex/events</c> (WxCC webhooks) and <c>GET {prefix}/admin/consent</c> (the
    /// admin-consent callback), <c>GET {prefix}/admin/signin/start</c> (redirects the administrator to the Entra ID
    /// sign-in) and <c>GET {prefix}/admin/signin</c> (the sign-in callback: checks the ID token and the role, then
    /// redirects to admin consent). Webhooks answer fast and hand the work to the connector; bodies are size-limited.
    /// </summary>
    /// <param name="endpoints">The endpoint builder (for example the <c>WebApplication</c>).</param>
    /// <param name="prefix">The route prefix.</param>
    /// <returns>A group builder to add conventions (for example rate limiting) to.</returns>
    public static RouteGroupBuilder MapTeamsConnector(this IEndpointRouteBuilder endpoints, string prefix = DefaultPrefix)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(prefix);
        var group = endpoints.MapGroup(prefix);
        var bodies = new WebhookBodyReader();
        group.MapPost(GraphNotificationsPath, (HttpContext context) => HandleGraphAsync(context, bodies)).WithName("TeamsConnector.GraphNotifications").ExcludeFromDescription();
        group.MapPost(WebexEventsPath, (HttpContext context) => HandleWebexAsync(context, bodies)).WithName("TeamsConnector.WebexEvents").ExcludeFromDescription();
        group.MapGet(AdminConsentPath, HandleConsentAsync).WithName("TeamsConnector.AdminConsent").ExcludeFromDescription();
        group.MapGet(AdminSignInStartPath, AdminSignInEndpoints.StartAsync).WithName("TeamsConnector.AdminSignInStart").ExcludeFromDescription();
        group.MapGet(AdminSignInPath, AdminSignInEndpoints.CallbackAsync).WithName("TeamsConnector.AdminSignIn").ExcludeFromDescription();
        return group;
    }

    private static async Task HandleGraphAsync(HttpContext context, WebhookBodyReader bodies)
    {
        var processor = context.RequestServices.GetService<IGraphNotificationProcessor>();
        if (processor is null)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        var validationToken = context.Request.Query["validationToken"].ToString();
        GraphNotificationResponse response;
        if (validationToken.Length > 0)
        {
            response = processor.Process(validationToken, default);
        }
        else
        {
            var limit = context.RequestServices.GetRequiredService<IOptions<GraphOptions>>().Value.MaxNotificationBodyBytes;
            using var request = await bodies.ReadAsync(context.Request, limit, context.RequestAborted).ConfigureAwait(false);
            response = request.RefusedReason is { } reason
                ? processor.RejectRequest(request.RefusedStatus, reason)
                : processor.Process(null, request.Memory.Span);
        }

        context.Response.StatusCode = response.StatusCode;
        if (response.Body is { } body)
        {
            context.Response.ContentType = response.ContentType ?? "text/plain";
            await context.Response.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
        }
    }

    private static async Task HandleWebexAsync(HttpContext context, WebhookBodyReader bodies)
    {
        var processor = context.RequestServices.GetService<WxccWebhookProcessor>();
        if (processor is null)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        using var body = await bodies.ReadAsync(context.Request, processor.MaxBodyBytes, context.RequestAborted).ConfigureAwait(false);
        if (body.RefusedReason is { } reason)
        {
            context.Response.StatusCode = processor.RejectRequest(body.RefusedStatus, reason);
            return;
        }

        var headers = context.Request.Headers.Select(h => new KeyValuePair<string, string?>(h.Key, h.Value.ToString()));
        context.Response.StatusCode = await processor.ProcessAsync(body.Memory, headers, context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task HandleConsentAsync(HttpContext context)
    {
        var admin = context.RequestServices.GetRequiredService<ITeamsConnectorAdmin>();
        var query = context.Request.Query;
        var callback = new AdminConsentCallback(
            query["state"].ToString(),
            query["tenant"].ToString(),
            query["admin_consent"].ToString(),
            NullIfEmpty(query["error"].ToString()),
            NullIfEmpty(query["error_description"].ToString()));
        var result = await admin.CompleteAdminConsentAsync(callback, context.RequestAborted).ConfigureAwait(false);
        context.Response.StatusCode = result.Succeeded ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest;
        context.Response.ContentType = "text/plain; charset=utf-8";
        var text = result.Succeeded
            ? $"The Teams connector is authorized and {result.Status.State}."
            : result.Error ?? "Authorization failed.";
        await context.Response.WriteAsync(text, context.RequestAborted).ConfigureAwait(false);
    }

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;
}
