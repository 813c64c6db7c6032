using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Webex.TeamsConnector.AspNetCore;

/// <summary>
/// The administrator's sign-in before admin consent: the start redirects to Entra ID; the callback hands the code and
/// state to <see cref="ITeamsConnectorAdmin.CompleteAdminSignInAsync"/> and redirects to admin consent, or answers
/// with the refusal in plain text (403 for a missing role, 400 otherwise).
/// </summary>
internal static class AdminSignInEndpoints
{
    public static async Task StartAsync(HttpContext context)
    {
        // Several orgs: ?org=<name> says whose sign-in starts (any node may start it: the state is in the org's store).
        var admin = context.RequestServices.GetService<ITeamsConnectorAdmin>()
            ?? OrgWebhookRouter.Orgs(context)?.FindByName(context.Request.Query["org"].ToString())?.Admin;
        if (admin is null)
        {
            await TextAsync(context, StatusCodes.Status404NotFound, "No such org: name a listed org with ?org=<name> (TeamsConnector:Orgs:<name>).").ConfigureAwait(false);
            return;
        }

        Uri url;
        try
        {
            url = await admin.StartAdminSignInAsync(context.RequestAborted).ConfigureAwait(false);
        }
        catch (InvalidOperationException ex)
        {
            await TextAsync(context, StatusCodes.Status503ServiceUnavailable, ex.Message).ConfigureAwait(false);
            return;
        }

        NoStore(context);
        context.Response.Redirect(url.AbsoluteUri);
    }

    public static async Task CallbackAsync(HttpContext context)
    {
        var query = context.Request.Query;
        var callback = new AdminSignInCallback(
            query["state"].ToString(),
            query["code"].ToString(),
            NullIfEmpty(query["error"].ToString()),
            NullIfEmpty(query["error_description"].ToString()));

        // Several orgs: the org that issued the state completes it, on any node (a state no org issued is refused by the first).
        var admin = context.RequestServices.GetService<ITeamsConnectorAdmin>();
        if (admin is null && OrgWebhookRouter.Orgs(context) is { } orgs)
        {
            admin = ((await orgs.FindByStateAsync(callback.State, context.RequestAborted).ConfigureAwait(false)) ?? orgs.All[0]).Admin;
        }

        admin ??= context.RequestServices.GetRequiredService<ITeamsConnectorAdmin>();
        var result = await admin.CompleteAdminSignInAsync(callback, context.RequestAborted).ConfigureAwait(false);
        if (result is { Succeeded: true, ConsentUrl: { } consent })
        {
            NoStore(context);
            context.Response.Redirect(consent.AbsoluteUri);
            return;
        }

        var status = result.Error?.Contains("Global Administrator", StringComparison.Ordinal) == true ? StatusCodes.Status403Forbidden : StatusCodes.Status400BadRequest;
        await TextAsync(context, status, result.Error ?? "Sign-in failed.").ConfigureAwait(false);
    }

    private static void NoStore(HttpContext context) => context.Response.Headers.CacheControl = "no-store";

    private static Task TextAsync(HttpContext context, int status, string text)
    {
        NoStore(context);
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(text, context.RequestAborted);
    }

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;
}
