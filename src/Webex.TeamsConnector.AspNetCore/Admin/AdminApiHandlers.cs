using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Webex.TeamsConnector.ContactCenter;

namespace Webex.TeamsConnector.AspNetCore;

/// <summary>
/// The admin API's request handlers. Each is a plain <see cref="RequestDelegate"/>: bodies are read and answers written
/// with source-generated JSON, and every refusal is a ProblemDetails answer (RFC 9457).
/// </summary>
internal static class AdminApiHandlers
{
    /// <summary>The largest request body the admin API reads.</summary>
    internal const int MaxBodyBytes = 64 * 1024;

    /// <summary>The widest time range an audit query may cover.</summary>
    internal static readonly TimeSpan MaxAuditRange = TimeSpan.FromDays(31);

    private const int MaxAuditLimit = 5000;

    public static Task StatusAsync(HttpContext context)
    {
        var admin = Admin(context);
        var report = admin.GetStatus();
        var status = new AdminStatus(
            report.Status.State.ToString(),
            report.Status.PresenceSyncEnabled,
            report.IsSyncing,
            report.Status.CanSync,
            report.Reason,
            report.TrackedAgents,
            report.OutboxDepth,
            admin.GetPausedAgents().Count,
            context.RequestServices.GetService<IAuditStore>() is not null);
        return JsonAsync(context, status, AdminJsonContext.Default.AdminStatus);
    }

    public static async Task AgentsAsync(HttpContext context)
    {
        var admin = Admin(context);
        var paused = admin.GetPausedAgents();
        var agents = (await admin.GetAgentsAsync(context.RequestAborted).ConfigureAwait(false))
            .OrderBy(static a => a.AgentId, StringComparer.Ordinal)
            .Select(static a => new AdminAgent(
                a.AgentId,
                a.TeamsUserId,
                a.State.Kind.ToString(),
                a.State.IdleCodeId,
                a.Origin.ToString(),
                Format(a.ObservedPresence),
                Format(a.EffectivePresence),
                a.PendingWrite?.ToString(),
                Format(a.Published),
                false,
                a.LastEventAt))
            .Concat(paused.Order(StringComparer.Ordinal).Select(static id => new AdminAgent(id, null, "Paused", null, "Unknown", null, null, null, null, true, null)))
            .ToList();
        await JsonAsync(context, (IReadOnlyList<AdminAgent>)agents, AdminJsonContext.Default.IReadOnlyListAdminAgent).ConfigureAwait(false);
    }

    public static Task PauseAsync(HttpContext context) => PauseOrResumeAsync(context, pause: true);

    public static Task ResumeAsync(HttpContext context) => PauseOrResumeAsync(context, pause: false);

    public static async Task AuditAsync(HttpContext context)
    {
        var agentId = context.Request.Query["agentId"].ToString();
        await QueryAuditAsync(context, agentId.Length == 0 ? null : agentId).ConfigureAwait(false);
    }

    public static Task TimelineAsync(HttpContext context) => QueryAuditAsync(context, RouteValue(context, "agentId"));

    public static async Task GetMappingAsync(HttpContext context)
    {
        var view = await Admin(context).GetIdleCodeMappingAsync(context.RequestAborted).ConfigureAwait(false);
        await JsonAsync(context, ToMapping(view), AdminJsonContext.Default.AdminMapping).ConfigureAwait(false);
    }

    public static async Task PutMappingAsync(HttpContext context)
    {
        var (request, refused) = await ReadAsync(context, AdminJsonContext.Default.AdminMappingRequest).ConfigureAwait(false);
        if (refused is not null)
        {
            await refused.ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        if (request!.Mapping is null)
        {
            await Problem(context, StatusCodes.Status400BadRequest, "The mapping is missing.", "Send {\"mapping\": {\"InACall\": \"<idle code id>\", ...}}; a Teams state left out is not mapped.").ConfigureAwait(false);
            return;
        }

        var admin = Admin(context);
        var change = await admin.SetIdleCodeMappingAsync(request.Mapping, context.RequestAborted).ConfigureAwait(false);
        if (!change.Succeeded)
        {
            await Problem(
                context,
                StatusCodes.Status422UnprocessableEntity,
                "The idle-code mapping was refused.",
                string.Join(" ", change.Errors),
                change.Errors).ConfigureAwait(false);
            return;
        }

        var view = await admin.GetIdleCodeMappingAsync(context.RequestAborted).ConfigureAwait(false);
        await JsonAsync(context, ToMapping(view), AdminJsonContext.Default.AdminMapping).ConfigureAwait(false);
    }

    public static async Task ProfilesAsync(HttpContext context)
    {
        var profiles = await Admin(context).GetDesktopProfilesAsync(context.RequestAborted).ConfigureAwait(false);
        await JsonAsync(context, (IReadOnlyList<AdminProfile>)[.. profiles.Select(ToProfile)], AdminJsonContext.Default.IReadOnlyListAdminProfile).ConfigureAwait(false);
    }

    public static async Task ToggleAsync(HttpContext context)
    {
        var (request, refused) = await ReadAsync(context, AdminJsonContext.Default.AdminToggleRequest).ConfigureAwait(false);
        if (refused is not null)
        {
            await refused.ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        if (request!.Enabled is not { } enabled
            || !Enum.TryParse<DesktopProfileToggle>(request.Toggle, ignoreCase: true, out var toggle)
            || !Enum.IsDefined(toggle)
            || int.TryParse(request.Toggle, NumberStyles.Integer, CultureInfo.InvariantCulture, out _))
        {
            await Problem(context, StatusCodes.Status400BadRequest, "The toggle is not valid.", "Send {\"toggle\": one of " + string.Join(", ", Enum.GetNames<DesktopProfileToggle>()) + ", \"enabled\": true or false}.").ConfigureAwait(false);
            return;
        }

        var profileId = RouteValue(context, "profileId");
        var change = await Admin(context).SetDesktopProfileToggleAsync(profileId, toggle, enabled, context.RequestAborted).ConfigureAwait(false);
        if (!change.Succeeded)
        {
            await Problem(context, StatusCodes.Status409Conflict, "The desktop-profile change was refused.", change.Error).ConfigureAwait(false);
            return;
        }

        await JsonAsync(context, ToProfile(change.Profile), AdminJsonContext.Default.AdminProfile).ConfigureAwait(false);
    }

    public static Task DeactivateAsync(HttpContext context) => LifecycleAsync(context, static (a, t) => a.DeactivateAsync(t));

    public static Task ReactivateAsync(HttpContext context) => LifecycleAsync(context, static (a, t) => a.ReactivateAsync(t));

    public static Task DeleteAsync(HttpContext context) => LifecycleAsync(context, static (a, t) => a.DeleteAsync(t));

    public static async Task ConsentAsync(HttpContext context)
    {
        // The admin signs in first (OpenID Connect, role checked); Entra ID's consent page follows the sign-in.
        Uri url;
        try
        {
            url = await Admin(context).StartAdminSignInAsync(context.RequestAborted).ConfigureAwait(false);
        }
        catch (InvalidOperationException ex)
        {
            await Problem(context, StatusCodes.Status409Conflict, "Authorization cannot start.", ex.Message).ConfigureAwait(false);
            return;
        }

        context.Response.Headers.CacheControl = "no-store";
        context.Response.Redirect(url.AbsoluteUri);
    }

    /// <summary>Answers an exception of the connector or of WxCC as a problem, never with its stack or a secret.</summary>
    public static async Task GuardAsync(HttpContext context, RequestDelegate next)
    {
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (ArgumentException ex) when (!context.Response.HasStarted)
        {
            await Problem(context, StatusCodes.Status400BadRequest, "The request is not valid.", FirstLine(ex.Message)).ConfigureAwait(false);
        }
        catch (ContactCenterException ex) when (!context.Response.HasStarted)
        {
            await Problem(context, StatusCodes.Status502BadGateway, "Webex Contact Center did not accept the request.", ex.Message).ConfigureAwait(false);
        }
        catch (InvalidOperationException ex) when (!context.Response.HasStarted)
        {
            await Problem(context, StatusCodes.Status409Conflict, "The request cannot be carried out now.", ex.Message).ConfigureAwait(false);
        }
    }

    private static async Task PauseOrResumeAsync(HttpContext context, bool pause)
    {
        var agentId = RouteValue(context, "agentId");
        var admin = Admin(context);
        var changed = pause
            ? await admin.PauseAgentAsync(agentId, context.RequestAborted).ConfigureAwait(false)
            : await admin.ResumeAgentAsync(agentId, context.RequestAborted).ConfigureAwait(false);
        await JsonAsync(context, new AdminPause(agentId, pause, changed), AdminJsonContext.Default.AdminPause).ConfigureAwait(false);
    }

    private static async Task QueryAuditAsync(HttpContext context, string? agentId)
    {
        var store = context.RequestServices.GetService<IAuditStore>();
        if (store is null)
        {
            await Problem(context, StatusCodes.Status404NotFound, "No audit trail is kept.", "No IAuditStore is registered, so there are no audit records to query. Register an audit store to keep the trail.").ConfigureAwait(false);
            return;
        }

        var query = context.Request.Query;
        var time = context.RequestServices.GetService<TimeProvider>() ?? TimeProvider.System;
        var to = ParseTime(query["to"].ToString()) ?? time.GetUtcNow();
        var from = ParseTime(query["from"].ToString()) ?? to - TimeSpan.FromDays(1);
        var limit = int.TryParse(query["limit"].ToString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) ? l : 1000;
        var orgId = query["orgId"].ToString() is { Length: > 0 } org ? org : context.RequestServices.GetService<IOptions<ContactCenterOptions>>()?.Value.OrgId ?? string.Empty;
        if ((query["from"].Count > 0 && ParseTime(query["from"].ToString()) is null) || (query["to"].Count > 0 && ParseTime(query["to"].ToString()) is null))
        {
            await Problem(context, StatusCodes.Status400BadRequest, "The time range is not valid.", "from and to are ISO 8601 times with an offset, for example 2026-11-29T10:42:00Z.").ConfigureAwait(false);
            return;
        }

        if (to <= from || to - from > MaxAuditRange || limit < 1 || limit > MaxAuditLimit || (agentId is not null && agentId.Length > 36))
        {
            await Problem(context, StatusCodes.Status400BadRequest, "The audit query is not valid.", $"from must be before to, at most {MaxAuditRange.TotalDays} days apart; limit from 1 to {MaxAuditLimit}; an agent id has at most 36 characters.").ConfigureAwait(false);
            return;
        }

        var records = await store.QueryAsync(new AuditQuery(orgId, agentId, from, to, limit), context.RequestAborted).ConfigureAwait(false);
        await JsonAsync(context, new AdminAudit(orgId, agentId, from, to, records), AdminJsonContext.Default.AdminAudit).ConfigureAwait(false);
    }

    private static async Task LifecycleAsync(HttpContext context, Func<ITeamsConnectorAdmin, CancellationToken, Task<LifecycleResult>> operation)
    {
        var (request, refused) = await ReadAsync(context, AdminJsonContext.Default.AdminConfirmRequest).ConfigureAwait(false);
        if (refused is not null)
        {
            await refused.ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        if (request!.Confirm is not true)
        {
            await Problem(context, StatusCodes.Status400BadRequest, "Confirmation required.", "This operation changes the connector for the whole organization: send {\"confirm\": true} to confirm it.").ConfigureAwait(false);
            return;
        }

        var result = await operation(Admin(context), context.RequestAborted).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            await Problem(context, StatusCodes.Status409Conflict, "The operation was refused.", result.Error).ConfigureAwait(false);
            return;
        }

        await JsonAsync(context, new AdminLifecycle(result.Status.State.ToString(), result.Status.PresenceSyncEnabled, result.Notice), AdminJsonContext.Default.AdminLifecycle).ConfigureAwait(false);
    }

    /// <summary>Reads a JSON body (at most <see cref="MaxBodyBytes"/>, <c>application/json</c> only, which also keeps forms of other sites out).</summary>
    private static async Task<(T? Value, ProblemAnswer? Refused)> ReadAsync<T>(HttpContext context, JsonTypeInfo<T> type)
        where T : class
    {
        if (!context.Request.HasJsonContentType())
        {
            return (null, ProblemResult(StatusCodes.Status415UnsupportedMediaType, "The body must be JSON.", "Send the body with Content-Type: application/json."));
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = MaxBodyBytes;
        }

        if (context.Request.ContentLength > MaxBodyBytes)
        {
            return (null, ProblemResult(StatusCodes.Status413PayloadTooLarge, "The body is too large.", $"The admin API reads at most {MaxBodyBytes} bytes."));
        }

        try
        {
            var value = await JsonSerializer.DeserializeAsync(context.Request.Body, type, context.RequestAborted).ConfigureAwait(false);
            return value is null
                ? (null, ProblemResult(StatusCodes.Status400BadRequest, "The body is not valid.", "The body must be a JSON object."))
                : (value, null);
        }
        catch (JsonException ex)
        {
            return (null, ProblemResult(StatusCodes.Status400BadRequest, "The body is not valid JSON.", FirstLine(ex.Message)));
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, ProblemResult(StatusCodes.Status413PayloadTooLarge, "The body is too large.", $"The admin API reads at most {MaxBodyBytes} bytes."));
        }
    }

    private static AdminMapping ToMapping(IdleCodeMappingView view) => new(
        view.Mapping,
        view.FromAdmin ? "admin" : "configuration",
        view.MappableStates,
        [.. view.IdleCodes.Select(static c => new AdminIdleCode(c.Code.Id, c.Code.Name, c.Code.Active, c.Code.IsSystemCode, c.Code.IsIdleCode, c.Selectable, c.Reason))]);

    private static AdminProfile ToProfile(DesktopProfile p) =>
        new(p.Id, p.Name, p.StateSynchronizationMS, p.ShowUserDetailsMS, p.StateSynchronizationWebex, p.ShowUserDetailsWebex, p.HasConflictingToggles);

    private static string? Format(TeamsPresence? presence) =>
        presence is { } p ? $"{p.RawAvailability ?? p.Availability.ToString()}/{p.RawActivity ?? p.Activity.ToString()}" : null;

    private static string? Format(PublishedPresence published) => published switch
    {
        PublishedPresence.None => null,
        PublishedPresence.Available => "Available/Available",
        PublishedPresence.InACall => "Busy/InACall",
        PublishedPresence.InAConferenceCall => "Busy/InAConferenceCall",
        PublishedPresence.Away => "Away/Away",
        PublishedPresence.Presenting => "DoNotDisturb/Presenting",
        _ => published.ToString(),
    };

    private static DateTimeOffset? ParseTime(string text) =>
        text.Length > 0 && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) ? time : null;

    private static string RouteValue(HttpContext context, string name) => context.Request.RouteValues[name] as string ?? string.Empty;

    private static ITeamsConnectorAdmin Admin(HttpContext context) => context.RequestServices.GetRequiredService<ITeamsConnectorAdmin>();

    private static Task JsonAsync<T>(HttpContext context, T value, JsonTypeInfo<T> type)
    {
        context.Response.Headers.CacheControl = "no-store";
        return TypedResults.Json(value, type).ExecuteAsync(context);
    }

    private static ProblemAnswer ProblemResult(int status, string title, string? detail, IReadOnlyList<string>? errors = null) => new(status, title, detail, errors);

    private static Task Problem(HttpContext context, int status, string title, string? detail, IReadOnlyList<string>? errors = null) =>
        ProblemResult(status, title, detail, errors).ExecuteAsync(context);

    private static string FirstLine(string text)
    {
        var line = text.Split('\n')[0].Trim();
        return line.Length <= 300 ? line : line[..300];
    }
}

/// <summary>An RFC 9457 problem answer (<c>application/problem+json</c>), written with source-generated JSON.</summary>
internal sealed class ProblemAnswer(int status, string title, string? detail, IReadOnlyList<string>? errors)
{
    public Task ExecuteAsync(HttpContext context)
    {
        var problem = new AdminProblem(TypeOf(status), title, status, detail, context.Request.Path.Value, errors);
        context.Response.StatusCode = status;
        context.Response.Headers.CacheControl = "no-store";
        return context.Response.WriteAsJsonAsync(problem, AdminJsonContext.Default.AdminProblem, "application/problem+json", context.RequestAborted);
    }

    private static string TypeOf(int status) => status switch
    {
        400 => "https://tools.ietf.org/html/rfc9110#section-15.5.1",
        401 => "https://tools.ietf.org/html/rfc9110#section-15.5.2",
        403 => "https://tools.ietf.org/html/rfc9110#section-15.5.4",
        404 => "https://tools.ietf.org/html/rfc9110#section-15.5.5",
        409 => "https://tools.ietf.org/html/rfc9110#section-15.5.10",
        413 => "https://tools.ietf.org/html/rfc9110#section-15.5.14",
        415 => "https://tools.ietf.org/html/rfc9110#section-15.5.16",
        422 => "https://tools.ietf.org/html/rfc9110#section-15.5.21",
        502 => "https://tools.ietf.org/html/rfc9110#section-15.6.3",
        _ => "about:blank",
    };
}
