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
                : ProcessGraph(request.Memory.Span, orgs, first);
        }

        context.Response.StatusCode = response.StatusCode;
        if (response.Body is { } text)
        {
            context.Response.ContentType = response.ContentType ?? "text/plain";
            await context.Response.WriteAsync(text, context.RequestAborted).ConfigureAwait(false);
        }
    }

    /// <summary>Finds the org whose pending consent <c>state</c> this is; else the first org (which refuses it).</summary>
    public static ITeamsConnectorAdmin ConsentAdmin(LocalOrgs orgs, string? state)
    {
        foreach (var org in orgs.All)
        {
            if (org.Services.GetRequiredService<TeamsConnectorAdmin>().HasPendingConsent(state))
            {
                return org.Admin;
            }
        }

        return orgs.All[0].Admin;
    }

    private static GraphNotificationResponse ProcessGraph(ReadOnlySpan<byte> body, LocalOrgs orgs, IGraphNotificationProcessor first)
    {
        JsonArray? items;
        try
        {
            items = JsonNode.Parse(body, documentOptions: new JsonDocumentOptions { MaxDepth = 32 })?["value"] as JsonArray;
        }
        catch (JsonException)
        {
            items = null;
        }

        if (items is null)
        {
            return first.Process(null, body); // Refused there: not a notification batch.
        }

        // Group the notifications by the org that holds their subscription; one org's batch goes through unchanged.
        var groups = new Dictionary<IGraphNotificationProcessor, JsonArray>();
        foreach (var item in items)
        {
            var id = (item as JsonObject)?["subscriptionId"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
            var owner = orgs.All.FirstOrDefault(o => o.Services.GetService<SubscriptionRegistry>()?.Contains(id) == true);
            var processor = owner?.Services.GetRequiredService<IGraphNotificationProcessor>() ?? first;
            if (!groups.TryGetValue(processor, out var group))
            {
                groups[processor] = group = [];
            }

            group.Add(item?.DeepClone());
        }

        if (groups.Count <= 1)
        {
            return (groups.Keys.FirstOrDefault() ?? first).Process(null, body);
        }

        GraphNotificationResponse? worst = null;
        foreach (var (processor, group) in groups)
        {
            var part = processor.Process(null, Encoding.UTF8.GetBytes(new JsonObject { ["value"] = group }.ToJsonString()));
            worst = worst is null || part.StatusCode > worst.Value.StatusCode ? part : worst;
        }

        return worst!.Value;
    }

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
