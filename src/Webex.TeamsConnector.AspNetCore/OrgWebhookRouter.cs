using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Webex.TeamsConnector.ContactCenter;
using Webex.TeamsConnector.Graph;

namespace Webex.TeamsConnector.AspNetCore;

/// <summary>
/// Routes webhooks to the right organization when the connector runs several (<c>TeamsConnector:Orgs</c>). Each
/// delivery is checked by the org's own processor (its secret, clientState, tenant and size limit): a WxCC event goes
/// to the org its <c>orgId</c> names; a Graph notification to the org that holds its subscription. What names no
/// listed org is refused by the first org's processor, so it is logged and counted like any other rejection.
/// </summary>
internal static class OrgWebhookRouter
{
    public static LocalOrgs? Orgs(HttpContext context) => context.RequestServices.GetService<LocalOrgs>();

    public static async Task HandleWebexAsync(HttpContext context, WebhookBodyReader bodies, LocalOrgs orgs)
    {
        var first = orgs.All[0].Services.GetRequiredService<WxccWebhookProcessor>();
        var limit = orgs.All.Max(static o => o.Services.GetRequiredService<WxccWebhookProcessor>().MaxBodyBytes);
        using var body = await bodies.ReadAsync(context.Request, limit, context.RequestAborted).ConfigureAwait(false);
        if (body.RefusedReason is { } reason)
        {
            context.Response.StatusCode = first.RejectRequest(body.RefusedStatus, reason);
            return;
        }

        var org = orgs.Find(WxccOrgIdOf(body.Memory.Span));
        var processor = org?.Services.GetRequiredService<WxccWebhookProcessor>() ?? first;
        var headers = context.Request.Headers.Select(h => new KeyValuePair<string, string?>(h.Key, h.Value.ToString())).ToArray();
        if (org is not null && context.RequestServices.GetService<IOrgHosting>() is { } cluster)
        {
            // Checked here (signature, org, replay window, size), then handed to the org's owner, which delivers it once.
            var checkedStatus = processor.Check(body.Memory.Span, headers);
            context.Response.StatusCode = checkedStatus != StatusCodes.Status200OK
                ? checkedStatus
                : await cluster.DeliverWxccAsync(org.Definition, body.Memory.ToArray(), headers, context.RequestAborted).ConfigureAwait(false);
            return;
        }

        context.Response.StatusCode = await processor.ProcessAsync(body.Memory, headers, context.RequestAborted).ConfigureAwait(false);
    }

    public static async Task HandleGraphAsync(HttpContext context, WebhookBodyReader bodies, LocalOrgs orgs)
    {
        var first = orgs.All[0].Services.GetRequiredService<IGraphNotificationProcessor>();
        var validationToken = context.Request.Query["validationToken"].ToString();
        GraphNotificationResponse response;
        if (validationToken.Length > 0)
        {
            response = first.Process(validationToken, default);
        }
        else
        {
            var limit = orgs.All.Max(static o => o.Services.GetRequiredService<IOptions<GraphOptions>>().Value.MaxNotificationBodyBytes);
            using var request = await bodies.ReadAsync(context.Request, limit, context.RequestAborted).ConfigureAwait(false);
            response = request.RefusedReason is { } reason
                ? first.RejectRequest(request.RefusedStatus, reason)
                : await ProcessGraphAsync(request.Memory, orgs, first, context.RequestServices.GetService<IOrgHosting>(), context.RequestAborted).ConfigureAwait(false);
        }

        context.Response.StatusCode = response.StatusCode;
        if (response.Body is { } text)
        {
            context.Response.ContentType = response.ContentType ?? "text/plain";
            await context.Response.WriteAsync(text, context.RequestAborted).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Completes the consent callback on the org whose pending <c>state</c> it is (on its owner, in a cluster); a state no
    /// org issued is refused by the first org.
    /// </summary>
    public static async Task<OrgWebhookResponse> CompleteConsentAsync(HttpContext context, LocalOrgs orgs, AdminConsentCallback callback)
    {
        // Each org's store answers on every node (in a cluster it is grain storage), so the issuing org is found here.
        var org = await orgs.FindByStateAsync(callback.State, context.RequestAborted).ConfigureAwait(false);
        if (context.RequestServices.GetService<IOrgHosting>() is { } cluster)
        {
            return await cluster.CompleteAdminConsentAsync((org ?? orgs.All[0]).Definition, callback, context.RequestAborted).ConfigureAwait(false);
        }

        var admin = (org ?? orgs.All[0]).Admin;
        return ConsentResponse(await admin.CompleteAdminConsentAsync(callback, context.RequestAborted).ConfigureAwait(false));
    }

    /// <summary>The answer to an admin-consent callback.</summary>
    public static OrgWebhookResponse ConsentResponse(LifecycleResult result) => new(
        result.Succeeded ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest,
        "text/plain; charset=utf-8",
        result.Succeeded ? $"The Teams connector is authorized and {result.Status.State}." : result.Error ?? "Authorization failed.");

    private static async Task<GraphNotificationResponse> ProcessGraphAsync(ReadOnlyMemory<byte> body, LocalOrgs orgs, IGraphNotificationProcessor first, IOrgHosting? cluster, CancellationToken cancellationToken)
    {
        JsonArray? items;
        try
        {
            items = JsonNode.Parse(body.Span, documentOptions: new JsonDocumentOptions { MaxDepth = 32 })?["value"] as JsonArray;
        }
        catch (JsonException)
        {
            items = null;
        }

        if (items is null)
        {
            return first.Process(null, body.Span); // Refused there: not a notification batch.
        }

        // Group the notifications by org: the org that holds the subscription here, else the org whose tenant and
        // clientState (compared in constant time) they carry. What matches no org goes to the first org, which refuses it.
        var groups = new Dictionary<OrgServices, JsonArray>();
        OrgServices? unmatched = null;
        foreach (var item in items)
        {
            var owner = OwnerOf(item as JsonObject, orgs);
            var key = owner ?? (unmatched ??= orgs.All[0]);
            if (!groups.TryGetValue(key, out var group))
            {
                groups[key] = group = [];
            }

            group.Add(item?.DeepClone());
        }

        GraphNotificationResponse? worst = null;
        foreach (var (org, group) in groups)
        {
            var part = groups.Count == 1 ? body.ToArray() : Encoding.UTF8.GetBytes(new JsonObject { ["value"] = group }.ToJsonString());
            var processor = org.Services.GetRequiredService<IGraphNotificationProcessor>();
            GraphNotificationResponse response;
            if (cluster is not null && !ReferenceEquals(org, unmatched))
            {
                var answer = await cluster.DeliverGraphAsync(org.Definition, part, cancellationToken).ConfigureAwait(false);
                response = new GraphNotificationResponse(answer.StatusCode, answer.ContentType, answer.Body);
            }
            else
            {
                response = processor.Process(null, part);
            }

            worst = worst is null || response.StatusCode > worst.Value.StatusCode ? response : worst;
        }

        return worst ?? first.Process(null, body.Span);
    }

    private static OrgServices? OwnerOf(JsonObject? item, LocalOrgs orgs)
    {
        if (item is null)
        {
            return null;
        }

        var id = Str(item, "subscriptionId");
        var tenant = Str(item, "tenantId");
        var clientState = Str(item, "clientState");
        return orgs.All.FirstOrDefault(o => o.Services.GetService<SubscriptionRegistry>()?.Contains(id) == true)
            ?? orgs.All.FirstOrDefault(o => string.Equals(o.Definition.TenantId, tenant, StringComparison.OrdinalIgnoreCase)
                && clientState is not null
                && o.Services.GetService<SubscriptionRegistry>()?.ClientStateMatches(clientState) == true);
    }

    private static string? Str(JsonObject item, string name) =>
        item[name] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    private static string? WxccOrgIdOf(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 32 });
            using var doc = JsonDocument.ParseValue(ref reader);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            foreach (var name in (string[])["comciscoorgid", "orgId"])
            {
                if (root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String)
                {
                    return value.GetString();
                }
            }
        }
        catch (JsonException)
        {
            // Refused by the processor: not JSON.
        }

        return null;
    }
}
