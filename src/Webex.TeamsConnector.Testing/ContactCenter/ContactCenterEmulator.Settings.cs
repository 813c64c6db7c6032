using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Webex.TeamsConnector.Testing;

/// <summary>The organization presence-sync setting: <c>PUT /webex/v1/telephony/config/settings/msTeams</c>.</summary>
public sealed partial class ContactCenterEmulator
{
    /// <summary>Accepts <c>{"settingName":"PRESENCE_SYNC","value":true}</c> or <c>{"settings":[...]}</c>.</summary>
    private async Task<(int, JsonNode?)> PutMsTeamsSettingAsync(HttpContext context)
    {
        JsonNode? body;
        try
        {
            body = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted).ConfigureAwait(false);
        }
        catch (JsonException)
        {
            return (400, Error("malformed JSON"));
        }

        if (ContactCenterRequestBodyRules.UndocumentedSetting(body) is { } undocumented)
        {
            return (400, Error(undocumented));
        }

        var settings = body?["settings"] is JsonArray array ? array.OfType<JsonObject>().ToList() : body is JsonObject single ? [single] : [];
        var changed = false;
        foreach (var setting in settings)
        {
            if (setting["settingName"]?.GetValue<string>() is "PRESENCE_SYNC" && setting["value"] is JsonValue value && value.TryGetValue<bool>(out var enabled))
            {
                PresenceSyncEnabled = enabled;
                changed = true;
            }
            else if (setting["settingName"]?.GetValue<string>() is not "HIDE_WEBEX_APP")
            {
                return (400, Error("unknown or invalid setting"));
            }
        }

        return changed ? (204, null) : (400, Error("no setting given"));
    }
}
