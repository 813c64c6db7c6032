using System.Text.Json;
using System.Xml;
using Microsoft.AspNetCore.Http;

namespace Webex.TeamsConnector.Testing;

/// <summary>The presence endpoints: read one or many, set and clear an application session.</summary>
public sealed partial class GraphEmulator
{
    private async Task<int> GetPresencesByUserIdAsync(HttpContext context)
    {
        using var document = await ReadJsonAsync(context).ConfigureAwait(false);
        if (document is null || !document.RootElement.TryGetProperty("ids", out var ids) || ids.ValueKind != JsonValueKind.Array)
        {
            await WriteErrorAsync(context, 400, "BadRequest", "The request body must be {\"ids\":[...]}.").ConfigureAwait(false);
            return 400;
        }

        var count = ids.GetArrayLength();
        if (count == 0 || count > _options.MaxIdsPerRequest)
        {
            await WriteErrorAsync(context, 400, "BadRequest", $"ids must hold 1 to {_options.MaxIdsPerRequest} user ids; found {count}.").ConfigureAwait(false);
            return 400;
        }

        var users = new List<EmulatedTenant.UserRecord>(count);
        foreach (var id in ids.EnumerateArray())
        {
            if (id.ValueKind != JsonValueKind.String || !Guid.TryParse(id.GetString(), out _))
            {
                await WriteErrorAsync(context, 400, "BadRequest", $"'{id}' is not a valid user id.").ConfigureAwait(false);
                return 400;
            }

            if (_tenant.FindUser(id.GetString()!) is { } user)
            {
                users.Add(user);
            }
        }

        await WriteJsonAsync(context, 200, w =>
        {
            w.WriteString("@odata.context", BaseUrl + "/$metadata#Collection(microsoft.graph.presence)");
            w.WriteStartArray("value");
            foreach (var user in users)
            {
                w.WriteStartObject();
                WritePresence(w, user.Id, _tenant.GetPresence(user));
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }).ConfigureAwait(false);
        return 200;
    }

    private async Task<int> GetPresenceAsync(HttpContext context, string id)
    {
        if (_tenant.FindUser(id) is not { } user)
        {
            await WriteErrorAsync(context, 404, "Request_ResourceNotFound", $"User '{id}' does not exist.").ConfigureAwait(false);
            return 404;
        }

        await WriteJsonAsync(context, 200, w => WritePresence(w, user.Id, _tenant.GetPresence(user))).ConfigureAwait(false);
        return 200;
    }

    private async Task<int> SetPresenceAsync(HttpContext context, string id)
    {
        using var document = await ReadJsonAsync(context).ConfigureAwait(false);
        if (_tenant.FindUser(id) is not { } user)
        {
            await WriteErrorAsync(context, 404, "NotFound", $"User '{id}' does not exist.").ConfigureAwait(false);
            return 404;
        }

        var root = document?.RootElement ?? default;
        var sessionId = GetString(root, "sessionId");
        var availability = GetString(root, "availability");
        var activity = GetString(root, "activity");
        var duration = GetString(root, "expirationDuration");
        if (!Guid.TryParse(sessionId, out _))
        {
            await WriteErrorAsync(context, 400, "InvalidArgument", "sessionId must be the application id.").ConfigureAwait(false);
            return 400;
        }

        if (availability is null || activity is null || !s_publishable.Contains(availability + "/" + activity))
        {
            await WriteErrorAsync(context, 400, "InvalidArgument", $"The presence '{availability}/{activity}' is not one an application may set.").ConfigureAwait(false);
            return 400;
        }

        var expiration = TimeSpan.FromMinutes(5);
        if (duration is not null)
        {
            try
            {
                expiration = XmlConvert.ToTimeSpan(duration);
            }
            catch (FormatException)
            {
                expiration = TimeSpan.Zero;
            }
        }

        if (expiration < TimeSpan.FromMinutes(5) || expiration > TimeSpan.FromHours(4))
        {
            await WriteErrorAsync(context, 400, "InvalidArgument", "expirationDuration must be from PT5M to PT4H.").ConfigureAwait(false);
            return 400;
        }

        _tenant.SetSession(user, sessionId!, availability, activity, expiration);
        context.Response.StatusCode = 200;
        return 200;
    }

    private async Task<int> ClearPresenceAsync(HttpContext context, string id)
    {
        using var document = await ReadJsonAsync(context).ConfigureAwait(false);
        if (_tenant.FindUser(id) is not { } user)
        {
            await WriteErrorAsync(context, 404, "NotFound", $"User '{id}' does not exist.").ConfigureAwait(false);
            return 404;
        }

        var sessionId = GetString(document?.RootElement ?? default, "sessionId");
        if (sessionId is null)
        {
            await WriteErrorAsync(context, 400, "InvalidArgument", "sessionId is required.").ConfigureAwait(false);
            return 400;
        }

        if (!_tenant.ClearSession(user, sessionId))
        {
            await WriteErrorAsync(context, 404, "NotFound", "The presence session does not exist.").ConfigureAwait(false);
            return 404;
        }

        context.Response.StatusCode = 200;
        return 200;
    }

    private static void WritePresence(Utf8JsonWriter writer, string id, EmulatedPresence presence)
    {
        writer.WriteString("id", id);
        writer.WriteString("availability", presence.Availability);
        writer.WriteString("activity", presence.Activity);
        writer.WriteString("sequenceNumber", presence.SequenceNumber);
        writer.WriteNull("statusMessage");
        writer.WriteStartObject("outOfOfficeSettings");
        writer.WriteNull("message");
        writer.WriteBoolean("isOutOfOffice", false);
        writer.WriteEndObject();
    }
}
