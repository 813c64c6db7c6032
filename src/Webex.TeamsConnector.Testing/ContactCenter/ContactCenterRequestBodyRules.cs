using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Webex.TeamsConnector.Testing;

/// <summary>
/// The fields Cisco's Contact Center schema documents for each request body the connector sends. The emulator is a
/// strict server: a body with any other field is refused with 400, so that a test catches a client that sends more
/// than the published schema has.
/// </summary>
internal static class ContactCenterRequestBodyRules
{
    /// <summary><c>POST /v2/subscriptions</c> (<c>SubscriptionRequestEnhanced</c>).</summary>
    public static readonly string[] SubscriptionCreate = ["name", "description", "eventTypes", "destinationUrl", "secret", "orgId", "resourceVersion"];

    /// <summary><c>PATCH /v2/subscriptions/{id}</c>: a subscription's name cannot be changed, so the update has none.</summary>
    public static readonly string[] SubscriptionUpdate = ["description", "eventTypes", "destinationUrl", "secret", "resourceVersion", "status"];

    /// <summary><c>PUT /v1/agents/session/state</c>.</summary>
    public static readonly string[] AgentState = ["state", "auxCodeId", "lastStateChangeReason", "agentId"];

    /// <summary><c>POST /v1/notification/subscribe</c>.</summary>
    public static readonly string[] NotificationSubscribe = ["isKeepAliveEnabled", "clientType", "allowMultiLogin", "force"];

    /// <summary><c>PUT /v1/telephony/config/settings/msTeams</c> (one setting).</summary>
    public static readonly string[] MsTeamsSetting = ["settingName", "value"];

    /// <summary>The first field of <paramref name="body"/> that <paramref name="documented"/> does not list, as an error text; <see langword="null"/> when there is none.</summary>
    public static string? Undocumented(JsonElement body, string[] documented, string what)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        foreach (var property in body.EnumerateObject())
        {
            if (Array.IndexOf(documented, property.Name) < 0)
            {
                return $"'{property.Name}' is not a field of the {what} body";
            }
        }

        return null;
    }

    /// <summary>Reads the request body and names its first undocumented field (or says it is not JSON); <see langword="null"/> when it is fine.</summary>
    public static async Task<string?> UndocumentedAsync(HttpContext context, string[] documented, string what)
    {
        try
        {
            using var doc = await JsonDocument.ParseAsync(context.Request.Body, default, context.RequestAborted).ConfigureAwait(false);
            return Undocumented(doc.RootElement, documented, what);
        }
        catch (JsonException)
        {
            return "body is not JSON";
        }
    }

    /// <summary>The first undocumented field of a single msTeams setting (<c>{"settingName","value"}</c>); <see langword="null"/> when there is none.</summary>
    public static string? UndocumentedSetting(JsonNode? body) =>
        body is JsonObject { Count: > 0 } setting && !setting.ContainsKey("settings")
            && setting.Select(static p => p.Key).FirstOrDefault(static k => Array.IndexOf(MsTeamsSetting, k) < 0) is { } field
            ? $"'{field}' is not a field of the msTeams setting body"
            : null;
}
