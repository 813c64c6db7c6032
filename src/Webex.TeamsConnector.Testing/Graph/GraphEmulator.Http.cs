using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Webex.TeamsConnector.Testing;

/// <summary>The request pipeline: routing, faults, the presence budget, the request log and the JSON helpers.</summary>
public sealed partial class GraphEmulator
{
    private async Task HandleAsync(HttpContext context)
    {
        var arrived = _tenant.Now;
        var path = context.Request.Path.Value ?? string.Empty;
        if (EmulatedAuthority.Handles(path))
        {
            await Authority.HandleAsync(context).ConfigureAwait(false);
            return;
        }

        var segments = path.StartsWith("/v1.0/", StringComparison.OrdinalIgnoreCase) ? path["/v1.0/".Length..].Split('/', StringSplitOptions.RemoveEmptyEntries) : [];
        var operation = segments.Length == 0 ? GraphEmulatorOperation.Other : Classify(context.Request.Method, segments);
        var authorization = context.Request.Headers.Authorization.ToString();
        var token = authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? authorization["Bearer ".Length..].Trim() : null;

        // Counted before the answer leaves, so a client never sees an answer the counters do not show yet.
        var dropped = false;
        var budgeted = false;
        context.Response.OnStarting(() =>
        {
            if (!dropped)
            {
                Record(operation, arrived, context.Response.StatusCode, path, token, budgeted);
            }

            return Task.CompletedTask;
        });

        if (segments.Length == 0)
        {
            await WriteErrorAsync(context, 404, "Request_ResourceNotFound", "Only /v1.0 is emulated.").ConfigureAwait(false);
            return;
        }

        if (Faults.Latency > TimeSpan.Zero)
        {
            await Task.Delay(Faults.Latency, _options.TimeProvider, context.RequestAborted).ConfigureAwait(false);
        }

        if (Faults.Take(operation) is { } fault)
        {
            switch (fault.Kind)
            {
                case GraphEmulatorFaults.FaultKind.Drop:
                    dropped = true;
                    Record(operation, arrived, 0, path, token, false);
                    context.Abort();
                    return;
                case GraphEmulatorFaults.FaultKind.Throttle:
                    if (fault.RetryAfter is { } retryAfter)
                    {
                        context.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                    }

                    await WriteErrorAsync(context, 429, "TooManyRequests", "Too many requests (injected fault).").ConfigureAwait(false);
                    return;
                default:
                    await WriteErrorAsync(context, fault.StatusCode, "ServiceUnavailable", "Injected fault.").ConfigureAwait(false);
                    return;
            }
        }

        if (IsBudgeted(operation))
        {
            if (TakeBudget() is { } wait)
            {
                await WriteThrottledAsync(context, wait).ConfigureAwait(false);
                return;
            }

            budgeted = true;
        }

        await DispatchAsync(context, operation, segments).ConfigureAwait(false);
    }

    private async Task<int> DispatchAsync(HttpContext context, GraphEmulatorOperation operation, string[] segments)
    {
        if (await GraphRequestBodyRules.UndocumentedAsync(context, operation).ConfigureAwait(false) is { } undocumented)
        {
            await WriteErrorAsync(context, 400, "BadRequest", undocumented).ConfigureAwait(false);
            return 400;
        }

        switch (operation)
        {
            case GraphEmulatorOperation.Batch:
                return await BatchAsync(context).ConfigureAwait(false);
            case GraphEmulatorOperation.GetPresencesByUserId:
                return await GetPresencesByUserIdAsync(context).ConfigureAwait(false);
            case GraphEmulatorOperation.GetPresence:
                return await GetPresenceAsync(context, segments[0] == "users" ? segments[1] : segments[2]).ConfigureAwait(false);
            case GraphEmulatorOperation.SetPresence:
                return await SetPresenceAsync(context, segments[1]).ConfigureAwait(false);
            case GraphEmulatorOperation.ClearPresence:
                return await ClearPresenceAsync(context, segments[1]).ConfigureAwait(false);
            case GraphEmulatorOperation.ListUsers:
                return await ListUsersAsync(context).ConfigureAwait(false);
            case GraphEmulatorOperation.GetUser:
                return await GetUserAsync(context, segments[1]).ConfigureAwait(false);
            case GraphEmulatorOperation.CreateSubscription:
                return await CreateSubscriptionAsync(context).ConfigureAwait(false);
            case GraphEmulatorOperation.GetSubscriptions:
                return await GetSubscriptionsAsync(context, segments.Length > 1 ? segments[1] : null).ConfigureAwait(false);
            case GraphEmulatorOperation.RenewSubscription:
                return await RenewSubscriptionAsync(context, segments[1]).ConfigureAwait(false);
            case GraphEmulatorOperation.DeleteSubscription:
                if (!_tenant.RemoveSubscription(segments[1]))
                {
                    await WriteErrorAsync(context, 404, "ResourceNotFound", "The subscription does not exist.").ConfigureAwait(false);
                    return 404;
                }

                context.Response.StatusCode = 204;
                return 204;
            case GraphEmulatorOperation.ReauthorizeSubscription:
                if (!_tenant.UpdateSubscription(segments[1], s => s.NeedsReauthorization = false))
                {
                    await WriteErrorAsync(context, 404, "ResourceNotFound", "The subscription does not exist.").ConfigureAwait(false);
                    return 404;
                }

                context.Response.StatusCode = 204;
                return 204;
            default:
                await WriteErrorAsync(context, 400, "BadRequest", $"Unsupported request: {context.Request.Method} {context.Request.Path}").ConfigureAwait(false);
                return 400;
        }
    }

    private static GraphEmulatorOperation Classify(string method, string[] segments)
    {
        return (method, segments) switch
        {
            ("POST", ["$batch"]) => GraphEmulatorOperation.Batch,
            ("POST", ["communications", "getPresencesByUserId"]) => GraphEmulatorOperation.GetPresencesByUserId,
            ("GET", ["communications", "presences", _]) => GraphEmulatorOperation.GetPresence,
            ("GET", ["users", _, "presence"]) => GraphEmulatorOperation.GetPresence,
            ("POST", ["users", _, "presence", "setPresence"]) => GraphEmulatorOperation.SetPresence,
            ("POST", ["users", _, "presence", "clearPresence"]) => GraphEmulatorOperation.ClearPresence,
            ("GET", ["users"]) => GraphEmulatorOperation.ListUsers,
            ("GET", ["users", _]) => GraphEmulatorOperation.GetUser,
            ("POST", ["subscriptions"]) => GraphEmulatorOperation.CreateSubscription,
            ("GET", ["subscriptions"]) or ("GET", ["subscriptions", _]) => GraphEmulatorOperation.GetSubscriptions,
            ("PATCH", ["subscriptions", _]) => GraphEmulatorOperation.RenewSubscription,
            ("DELETE", ["subscriptions", _]) => GraphEmulatorOperation.DeleteSubscription,
            ("POST", ["subscriptions", _, "reauthorize"]) => GraphEmulatorOperation.ReauthorizeSubscription,
            _ => GraphEmulatorOperation.Other,
        };
    }

    /// <summary>Whether a request of <paramref name="operation"/> takes a permit (a <c>$batch</c> envelope never does).</summary>
    private bool IsBudgeted(GraphEmulatorOperation operation) =>
        operation != GraphEmulatorOperation.Batch && (_options.ThrottleAllRequests || IsPresenceBudget(operation));

    private static bool IsPresenceBudget(GraphEmulatorOperation operation) => operation is
        GraphEmulatorOperation.GetPresencesByUserId or GraphEmulatorOperation.GetPresence or
        GraphEmulatorOperation.SetPresence or GraphEmulatorOperation.ClearPresence;

    /// <summary>Returns the seconds to wait when the presence budget is spent, or null after taking a permit.</summary>
    private int? TakeBudget()
    {
        var now = _tenant.Now;
        lock (_budget)
        {
            while (_budget.Count > 0 && now - _budget.Peek() >= _options.ThrottleWindow)
            {
                _budget.Dequeue();
            }

            if (_budget.Count >= _options.PresenceRequestsPerWindow)
            {
                var wait = _budget.Peek() + _options.ThrottleWindow - now;
                return Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
            }

            _budget.Enqueue(now);
            return null;
        }
    }

    private static Task WriteThrottledAsync(HttpContext context, int retryAfterSeconds)
    {
        context.Response.Headers.RetryAfter = retryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        return WriteErrorAsync(context, 429, "TooManyRequests", "The application exceeded the request limit.");
    }

    private static Task WriteErrorAsync(HttpContext context, int status, string code, string message) =>
        WriteJsonAsync(context, status, w =>
        {
            w.WriteStartObject("error");
            w.WriteString("code", code);
            w.WriteString("message", message);
            w.WriteStartObject("innerError");
            w.WriteString("request-id", Guid.NewGuid().ToString("D"));
            w.WriteEndObject();
            w.WriteEndObject();
        });

    private static async Task WriteJsonAsync(HttpContext context, int status, Action<Utf8JsonWriter> body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        using (var writer = new Utf8JsonWriter(context.Response.BodyWriter))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }

        await context.Response.BodyWriter.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task<JsonDocument?> ReadJsonAsync(HttpContext context)
    {
        try
        {
            return await JsonDocument.ParseAsync(context.Request.Body, default, context.RequestAborted).ConfigureAwait(false);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? GetString(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
