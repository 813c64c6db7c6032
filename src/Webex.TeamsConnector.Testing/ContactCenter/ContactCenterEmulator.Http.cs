using System.Globalization;
using System.Net.WebSockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Webex.TeamsConnector.Testing;

/// <summary>The request pipeline: request log, latency, authorization, rate limit, faults, routing and the JSON helpers.</summary>
public sealed partial class ContactCenterEmulator
{
    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var path = request.Path.Value ?? "/";
        // The request counts (log and rate limit) at the moment it arrives, whatever the clock does meanwhile.
        var arrived = _time.GetUtcNow();
        lock (_gate)
        {
            _requestLog.Add(new EmulatedRequest(request.Method, path, arrived));
        }

        if (path == "/v1/access_token")
        {
            await TokenAsync(context).ConfigureAwait(false);
            return;
        }

        if (path.StartsWith("/ws/notification/", StringComparison.Ordinal))
        {
            await HandleWebSocketAsync(context, path["/ws/notification/".Length..]).ConfigureAwait(false);
            return;
        }

        lock (_gate)
        {
            var key = request.Method + " " + path;
            _requestCounts[key] = _requestCounts.GetValueOrDefault(key) + 1;
        }

        // The latency timer is registered before anyone is told of the request, so fake time can be advanced at once.
        var latency = Faults.Latency > TimeSpan.Zero ? Task.Delay(Faults.Latency, _time, context.RequestAborted) : Task.CompletedTask;
        Changed();
        await latency.ConfigureAwait(false);

        if (!Authorized(request))
        {
            await WriteAsync(context, 401, Error("invalid or expired access token")).ConfigureAwait(false);
            return;
        }

        var retryAfter = Throttle(arrived) ?? (Faults.TakeTooManyRequests() ? Faults.RetryAfter : (TimeSpan?)null);
        if (retryAfter is { } wait)
        {
            Interlocked.Increment(ref _throttled);
            var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
            context.Response.Headers.RetryAfter = Faults.RetryAfterAsHttpDate
                ? RetryAfterDate(_time.GetUtcNow(), seconds)
                : seconds.ToString(CultureInfo.InvariantCulture);
            await WriteAsync(context, 429, Error("too many requests")).ConfigureAwait(false);
            Changed();
            return;
        }

        if (Faults.TakeServiceUnavailable())
        {
            await WriteAsync(context, 503, Error("service unavailable (fault)")).ConfigureAwait(false);
            Changed();
            return;
        }

        var (status, body) = await RouteAsync(context, path).ConfigureAwait(false);
        await WriteAsync(context, status, body).ConfigureAwait(false);
        Changed();
    }

    private async Task<(int Status, JsonNode? Body)> RouteAsync(HttpContext context, string path)
    {
        var method = context.Request.Method;
        var segments = path.Trim('/').Split('/');
        switch (method, segments)
        {
            case ("PUT", ["v1", "agents", "session", "state"]):
                return await StateAsync(context).ConfigureAwait(false);
            case ("GET", ["v1", "agents", "activities"]):
                return Activities(context.Request.Query);
            case ("POST", ["v1", "notification", "subscribe"]):
                return await ContactCenterRequestBodyRules.UndocumentedAsync(context, ContactCenterRequestBodyRules.NotificationSubscribe, "notification subscribe").ConfigureAwait(false) is { } extra ? (400, Error(extra)) : Subscribe();
            case ("GET", ["organization", var org, "v2", "auxiliary-code"]):
                return org == OrgId ? Codes(context.Request.Query) : (403, Error("another organization"));
            case ("GET", ["organization", var org, "v2", "user"]):
                return org == OrgId ? Users(context.Request.Query) : (403, Error("another organization"));
            case ("GET", ["organization", var org, "v2", "agent-profile"]):
                return org == OrgId ? ProfileList(context.Request.Query) : (403, Error("another organization"));
            case ("GET", ["organization", var org, "agent-profile", var id]):
                return org == OrgId ? Profile(id) : (403, Error("another organization"));
            case ("PUT", ["organization", var org, "agent-profile", var id]):
                return org == OrgId ? await PutProfileAsync(context, id).ConfigureAwait(false) : (403, Error("another organization"));
            case ("GET", ["v2", "subscriptions"]):
                lock (_gate)
                {
                    // Paged like the other WxCC lists (page, pageSize; meta.totalPages).
                    return Page(context.Request.Query, [.. _subscriptions.Values], static s => s.ToJson());
                }

            case ("POST", ["v2", "subscriptions"]):
                return await CreateSubscriptionAsync(context, existingId: null).ConfigureAwait(false);
            case ("GET", ["v2", "subscriptions", var id]):
                lock (_gate)
                {
                    return _subscriptions.TryGetValue(id, out var s) ? (200, s.ToJson()) : (404, Error("no such subscription"));
                }

            case ("PATCH", ["v2", "subscriptions", var id]):
                return await CreateSubscriptionAsync(context, id).ConfigureAwait(false);
            case ("DELETE", ["v2", "subscriptions", var id]):
                lock (_gate)
                {
                    if (_subscriptions.Remove(id, out var removed))
                    {
                        removed.Queue.Writer.TryComplete();
                        return (204, null);
                    }

                    return (404, Error("no such subscription"));
                }

            case ("PUT", ["webex", "v1", "telephony", "config", "settings", "msTeams"]):
                return context.Request.Query["orgId"] == OrgId
                    ? await PutMsTeamsSettingAsync(context).ConfigureAwait(false)
                    : (403, Error("another organization"));
            case ("GET", ["webex", "v1", "telephony", "config", "settings", "msTeams"]):
                return context.Request.Query["orgId"] == OrgId
                    ? (200, new JsonObject
                    {
                        ["level"] = "ORGANIZATION",
                        ["orgId"] = OrgId,
                        ["settings"] = new JsonArray(
                            new JsonObject { ["settingName"] = "HIDE_WEBEX_APP", ["value"] = false },
                            new JsonObject { ["settingName"] = "PRESENCE_SYNC", ["value"] = PresenceSyncEnabled }),
                    })
                    : (403, Error("another organization"));
            default:
                return (404, Error($"no such endpoint: {method} {path}"));
        }
    }

    /// <summary>The per-client-id sliding minute: <see langword="null"/> when the request may go (and is counted), else the wait.</summary>
    private TimeSpan? Throttle(DateTimeOffset now)
    {
        lock (_gate)
        {
            // Requests may reach this point out of arrival order, so expired entries are removed wherever they are.
            _window.RemoveAll(t => t + TimeSpan.FromMinutes(1) <= now);
            if (_window.Count >= _options.RequestsPerMinute)
            {
                return _window.Min() + TimeSpan.FromMinutes(1) - now;
            }

            _window.Add(now);
            _admitted.Add(now);
            return null;
        }
    }

    private (int, JsonNode?) Page<T>(IQueryCollection query, IReadOnlyList<T> items, Func<T, JsonObject> map)
    {
        var page = int.TryParse(query["page"], NumberStyles.Integer, CultureInfo.InvariantCulture, out var p) ? p : 0;
        var size = int.TryParse(query["pageSize"], NumberStyles.Integer, CultureInfo.InvariantCulture, out var s) ? s : 10;
        if (page < 0 || size < 1)
        {
            return (400, Error("page must be >= 0 and pageSize >= 1"));
        }

        if (size > _options.MaxPageSize && _options.RefuseLargerPageSize)
        {
            return (400, Error("pageSize must be at most " + _options.MaxPageSize.ToString(CultureInfo.InvariantCulture)));
        }

        size = Math.Min(size, _options.MaxPageSize);
        var totalPages = (items.Count + size - 1) / size;
        var data = new JsonArray([.. items.Skip(page * size).Take(size).Select(i => (JsonNode?)map(i))]);
        return (200, new JsonObject
        {
            ["meta"] = new JsonObject
            {
                ["orgid"] = OrgId,
                ["page"] = page,
                ["pageSize"] = size,
                ["totalPages"] = totalPages,
                ["totalRecords"] = items.Count,
            },
            ["data"] = data,
        });
    }

    private static async Task WriteAsync(HttpContext context, int status, JsonNode? body)
    {
        context.Response.StatusCode = status;
        if (body is not null)
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(body.ToJsonString(), context.RequestAborted).ConfigureAwait(false);
        }
    }

    private static JsonObject Error(string message) => new() { ["error"] = new JsonObject { ["key"] = "error", ["message"] = new JsonArray(new JsonObject { ["description"] = message }) } };

    private static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>An HTTP date at least <paramref name="seconds"/> after <paramref name="now"/> (HTTP dates have whole seconds).</summary>
    private static string RetryAfterDate(DateTimeOffset now, int seconds)
    {
        var at = now.AddSeconds(seconds);
        var whole = new DateTimeOffset(at.Ticks - (at.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
        return (whole < at ? whole.AddSeconds(1) : whole).ToString("R", CultureInfo.InvariantCulture);
    }
}
