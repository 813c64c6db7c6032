using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Webex.TeamsConnector.Testing;

/// <summary>The HTTP endpoints.</summary>
public sealed partial class ContactCenterEmulator
{
    private const long DayMs = 24 * 60 * 60 * 1000;

    /// <summary>The most records one <c>GET /v1/agents/activities</c> answers (also its <c>pageSize</c> when none is given).</summary>
    private const int MaxActivityRecords = 10_000;

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

    private async Task<(int, JsonNode?)> StateAsync(HttpContext context)
    {
        var trackingId = context.Request.Headers["TrackingId"].ToString();
        JsonElement root;
        try
        {
            using var doc = await JsonDocument.ParseAsync(context.Request.Body, default, context.RequestAborted).ConfigureAwait(false);
            root = doc.RootElement.Clone();
        }
        catch (JsonException)
        {
            return Record(null, null, null, null, 400, "body is not JSON");
        }

        var agentId = Text(root, "agentId");
        var state = Text(root, "state");
        var code = Text(root, "auxCodeId");
        var reason = Text(root, "lastStateChangeReason");
        string? problem = null;
        if (root.ValueKind != JsonValueKind.Object)
        {
            problem = "body is not a JSON object";
        }
        else if (ContactCenterRequestBodyRules.Undocumented(root, ContactCenterRequestBodyRules.AgentState, "agent state") is { } undocumented)
        {
            problem = undocumented;
        }
        else if (string.IsNullOrEmpty(agentId) || agentId.Length > 36)
        {
            problem = "agentId is required (at most 36 characters)";
        }
        else if (state is not ("Available" or "Idle"))
        {
            problem = "state must be Available or Idle";
        }
        else if (string.IsNullOrEmpty(code) || code.Length > 36)
        {
            problem = "auxCodeId is required (at most 36 characters)";
        }
        else if (reason is { Length: > 128 })
        {
            problem = "lastStateChangeReason is at most 128 characters";
        }
        else if (state == "Available" != (code == "0"))
        {
            problem = "auxCodeId must be \"0\" exactly when state is Available";
        }

        lock (_gate)
        {
            if (problem is null && !_agents.ContainsKey(agentId!))
            {
                problem = "no such agent";
            }

            if (problem is null && state == "Idle")
            {
                var found = _codes.FirstOrDefault(c => c.Id == code);
                problem = found is null ? "no such idle code"
                    : !found.Active ? "the idle code is not active"
                    : !found.Idle ? "the code is not an idle code"
                    : found.IsSystem ? "a system idle code cannot be set"
                    : null;
            }

            if (problem is not null)
            {
                return Record(agentId, state, code, reason, 400, problem, trackingId);
            }

            var agent = _agents[agentId!];
            string? failure = null;
            if (agent.State.Kind == AgentStateKind.LoggedOut)
            {
                failure = "agent is not logged in";
            }
            else if (agent.State.IsOnContact)
            {
                failure = "agent is on a contact";
            }
            else if (Faults.TakeFailStateChange())
            {
                failure = "state change failed (fault)";
            }

            _writes.Add(new EmulatedStateWrite(agentId, state, code, reason, trackingId, 202, _time.GetUtcNow()));
            if (failure is not null)
            {
                var message = new JsonObject
                {
                    ["type"] = "AgentStateChange",
                    ["orgId"] = OrgId,
                    ["trackingId"] = trackingId,
                    ["data"] = new JsonObject
                    {
                        ["eventType"] = "AgentDesktopMessage",
                        ["type"] = "AgentStateChangeFailed",
                        ["agentId"] = agentId,
                        ["trackingId"] = trackingId,
                        ["reasonCode"] = 1001,
                        ["reason"] = failure,
                    },
                };
                var bytes = System.Text.Encoding.UTF8.GetBytes(message.ToJsonString());
                // The failure answers the writer's request: the token user's websocket gets it, as does the agent's.
                foreach (var socket in _sockets.Where(s => Carries(s, agentId) || s.UserId == _options.ApiUserId))
                {
                    socket.Outgoing.Writer.TryWrite(bytes);
                }

                return (202, null);
            }

            ApplyLocked(agent, state == "Available" ? AgentState.Available : AgentState.Idle(code!), reason, _options.ApiUserId);
            PublishLocked(agent, EventKind.State, "AgentStateChangeSuccess", string.IsNullOrEmpty(trackingId) ? null : trackingId);
        }

        return (202, null);
    }

    private (int, JsonNode?) Record(string? agentId, string? state, string? code, string? reason, int status, string problem, string? trackingId = null)
    {
        lock (_gate)
        {
            _writes.Add(new EmulatedStateWrite(agentId, state, code, reason, trackingId, status, _time.GetUtcNow()));
        }

        return (status, Error(problem));
    }

    private (int, JsonNode?) Activities(IQueryCollection query)
    {
        if (!long.TryParse(query["from"], NumberStyles.Integer, CultureInfo.InvariantCulture, out var from)
            || !long.TryParse(query["to"], NumberStyles.Integer, CultureInfo.InvariantCulture, out var to))
        {
            return (400, Error("from and to (epoch milliseconds) are required"));
        }

        if (to <= from || to - from >= DayMs)
        {
            return (400, Error("the window must be positive and under 24 hours"));
        }

        var ids = query["agentIds"].ToString().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (ids.Length > 100)
        {
            return (400, Error("at most 100 agentIds"));
        }

        var pageSize = MaxActivityRecords;
        if (query.ContainsKey("pageSize"))
        {
            if (!int.TryParse(query["pageSize"], NumberStyles.Integer, CultureInfo.InvariantCulture, out pageSize) || pageSize < 1)
            {
                return (400, Error("pageSize must be a positive number"));
            }

            pageSize = Math.Min(pageSize, MaxActivityRecords);
        }

        var data = new JsonArray();
        lock (_gate)
        {
            // A time-ordered query: the oldest records first, cut at pageSize, so a window holding too many records
            // loses its newest ones (there is no next page).
            var matches = (ids.Length == 0 ? _agents.Keys.ToArray() : ids)
                .Distinct(StringComparer.Ordinal)
                .Select(id => _agents.GetValueOrDefault(id))
                .OfType<AgentRecord>()
                .SelectMany(agent => agent.Activities.Where(a => a.StartMs <= to && (a.EndMs < 0 || a.EndMs >= from)).Select(a => (Agent: agent, Activity: a)))
                .OrderBy(static m => m.Activity.StartMs)
                .ThenBy(static m => m.Agent.AgentId, StringComparer.Ordinal)
                .Take(pageSize);
            foreach (var (agent, a) in matches)
            {
                data.Add((JsonNode)new JsonObject
                {
                    ["agentId"] = agent.AgentId,
                    ["currentState"] = a.State,
                    ["idleCode"] = a.IdleCode ?? (a.State == "Available" ? "0" : null),
                    ["idleCodeName"] = a.IdleCode is null ? null : _codes.FirstOrDefault(c => c.Id == a.IdleCode)?.Name,
                    ["reason"] = a.Reason,
                    ["startTime"] = a.StartMs,
                    ["endTime"] = a.EndMs,
                    ["active"] = a.EndMs < 0,
                    ["channelType"] = "telephony",
                });
            }
        }

        return (200, new JsonObject { ["meta"] = new JsonObject { ["orgId"] = OrgId }, ["data"] = data });
    }

    private (int, JsonNode?) Subscribe()
    {
        var id = Guid.NewGuid().ToString("N");
        lock (_gate)
        {
            _notificationSubscriptions.Add(id);
        }

        var ws = new UriBuilder(BaseUrl) { Scheme = "ws", Path = "ws/notification/" + id };
        return (200, new JsonObject { ["webSocketUrl"] = ws.Uri.AbsoluteUri, ["subscriptionId"] = id });
    }

    private (int, JsonNode?) Codes(IQueryCollection query)
    {
        lock (_gate)
        {
            return Page(query, _codes, c =>
            {
                var json = new JsonObject
                {
                    ["id"] = c.Id,
                    ["name"] = c.Name,
                    ["description"] = c.Name,
                    ["defaultCode"] = false,
                    ["active"] = c.Active,
                    ["isSystemCode"] = c.IsSystem,
                    ["createdTime"] = c.CreatedMs,
                    ["lastUpdatedTime"] = c.CreatedMs,
                };
                if (c.WorkTypeCode is not null)
                {
                    json["workTypeCode"] = c.WorkTypeCode;
                }

                return json;
            });
        }
    }

    private (int, JsonNode?) Users(IQueryCollection query)
    {
        lock (_gate)
        {
            return Page(query, [.. FilterUsers(query, _agents.Values)], a => new JsonObject
            {
                ["id"] = a.UserId,
                ["ciUserId"] = a.AgentId,
                ["email"] = a.Email,
                ["firstName"] = a.Email.Split('@')[0],
                ["lastName"] = "Agent",
                ["agentProfileId"] = a.DesktopProfileId,
                ["contactCenterEnabled"] = a.ContactCenterEnabled,
                ["active"] = true,
            });
        }
    }

    private (int, JsonNode?) ProfileList(IQueryCollection query)
    {
        lock (_gate)
        {
            return Page(query, [.. _profiles.Values], p => new JsonObject { ["id"] = p.Id, ["name"] = p.Name ?? p.Id });
        }
    }

    private (int, JsonNode?) Profile(string id)
    {
        lock (_gate)
        {
            if (!_profiles.TryGetValue(id, out var p))
            {
                return (404, Error("no such agent profile"));
            }

            return (200, new JsonObject
            {
                ["id"] = p.Id,
                ["name"] = p.Name ?? p.Id,
                ["stateSynchronizationMS"] = p.StateSynchronizationMS,
                ["showUserDetailsMS"] = p.ShowUserDetailsMS,
                ["stateSynchronizationWebex"] = p.StateSynchronizationWebex,
                ["showUserDetailsWebex"] = p.ShowUserDetailsWebex,
                ["accessIdleCode"] = "ALL",
                ["idleCodes"] = new JsonArray(),
            });
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

    private async Task<(int, JsonNode?)> CreateSubscriptionAsync(HttpContext context, string? existingId)
    {
        JsonElement root;
        try
        {
            using var doc = await JsonDocument.ParseAsync(context.Request.Body, default, context.RequestAborted).ConfigureAwait(false);
            root = doc.RootElement.Clone();
        }
        catch (JsonException)
        {
            return (400, Error("body is not JSON"));
        }

        if (ContactCenterRequestBodyRules.Undocumented(root, existingId is null ? ContactCenterRequestBodyRules.SubscriptionCreate : ContactCenterRequestBodyRules.SubscriptionUpdate, "subscription " + (existingId is null ? "create" : "update")) is { } undocumented)
        {
            return (400, Error(undocumented));
        }

        var name = Text(root, "name");
        var destination = Text(root, "destinationUrl");
        var secret = Text(root, "secret");
        var version = Text(root, "resourceVersion") ?? "agent:1.0.0";
        var types = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("eventTypes", out var t) && t.ValueKind == JsonValueKind.Array
            ? t.EnumerateArray().Where(static e => e.ValueKind == JsonValueKind.String).Select(static e => e.GetString()!).ToArray()
            : null;
        if (existingId is null && (string.IsNullOrWhiteSpace(name) || name.Length > 128))
        {
            return (400, Error("name is required"));
        }

        if (types is not { Length: > 0 })
        {
            return (400, Error("eventTypes is required"));
        }

        if (!Uri.TryCreate(destination, UriKind.Absolute, out var url) || !string.IsNullOrEmpty(url.Query)
            || !(url.Scheme == Uri.UriSchemeHttps && url.Port == 443 || url.IsLoopback && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps)))
        {
            return (400, Error("destinationUrl must be https on port 443 without a query (the emulator also accepts loopback http)"));
        }

        if (secret is null || secret.Length is < 32 or > 256)
        {
            return (400, Error("secret must be 32 to 256 characters"));
        }

        SubscriptionRecord record;
        var start = false;
        lock (_gate)
        {
            if (existingId is not null)
            {
                if (!_subscriptions.TryGetValue(existingId, out record!))
                {
                    return (404, Error("no such subscription"));
                }

                record.DestinationUrl = url;
                record.EventTypes = types;
                record.Secret = secret;
                record.ResourceVersion = version;
                record.Active = !string.Equals(Text(root, "status"), "inactive", StringComparison.OrdinalIgnoreCase);
            }
            else
            {
                record = new SubscriptionRecord(Guid.NewGuid().ToString(), name!, url, types, secret, version);
                _subscriptions.Add(record.Id, record);
                start = true;
            }
        }

        if (start)
        {
            _ = DeliverAsync(record);
        }

        return (existingId is null ? 201 : 200, record.ToJson());
    }

    private async Task TokenAsync(HttpContext context)
    {
        Interlocked.Increment(ref _tokenRequests);
        Changed();
        if (!HttpMethods.IsPost(context.Request.Method) || !context.Request.HasFormContentType)
        {
            await WriteAsync(context, 400, new JsonObject { ["error"] = "invalid_request" }).ConfigureAwait(false);
            return;
        }

        var form = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
        if (form["client_id"] != _options.ClientId || form["client_secret"] != _options.ClientSecret)
        {
            await WriteAsync(context, 401, new JsonObject { ["error"] = "invalid_client" }).ConfigureAwait(false);
            return;
        }

        if (form["grant_type"] != "refresh_token")
        {
            await WriteAsync(context, 400, new JsonObject { ["error"] = "unsupported_grant_type" }).ConfigureAwait(false);
            return;
        }

        string access;
        string refresh;
        lock (_gate)
        {
            if (form["refresh_token"] != _refreshToken)
            {
                access = refresh = string.Empty;
            }
            else
            {
                var n = ++_tokenCounter;
                access = "emulated-access-token-" + Invariant(n) + "-" + Guid.NewGuid().ToString("N");
                _accessTokens[access] = _time.GetUtcNow() + _options.AccessTokenLifetime;
                if (_options.RotateRefreshTokens)
                {
                    _refreshToken = "emulated-refresh-token-" + Invariant(n) + "-" + Guid.NewGuid().ToString("N");
                }

                refresh = _refreshToken;
            }
        }

        if (access.Length == 0)
        {
            await WriteAsync(context, 400, new JsonObject { ["error"] = "invalid_grant" }).ConfigureAwait(false);
            return;
        }

        await WriteAsync(context, 200, new JsonObject
        {
            ["access_token"] = access,
            ["expires_in"] = (long)_options.AccessTokenLifetime.TotalSeconds,
            ["refresh_token"] = refresh,
            ["refresh_token_expires_in"] = 7_776_000,
            ["token_type"] = "Bearer",
        }).ConfigureAwait(false);
    }

    private bool Authorized(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            return false;
        }

        lock (_gate)
        {
            return _accessTokens.TryGetValue(header["Bearer ".Length..], out var expires) && _time.GetUtcNow() < expires;
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
            return null;
        }
    }

    /// <summary>An HTTP date at least <paramref name="seconds"/> after <paramref name="now"/> (HTTP dates have whole seconds).</summary>
    private static string RetryAfterDate(DateTimeOffset now, int seconds)
    {
        var at = now.AddSeconds(seconds);
        var whole = new DateTimeOffset(at.Ticks - (at.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
        return (whole < at ? whole.AddSeconds(1) : whole).ToString("R", CultureInfo.InvariantCulture);
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
}
