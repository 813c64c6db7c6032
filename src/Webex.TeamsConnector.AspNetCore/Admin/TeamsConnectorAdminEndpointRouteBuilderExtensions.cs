using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Webex.TeamsConnector.AspNetCore;

/// <summary>Maps the connector's admin HTTP API, its OpenAPI document and the dashboard page, behind an authorization policy.</summary>
public static class TeamsConnectorAdminEndpointRouteBuilderExtensions
{
    /// <summary>The path of the admin API, under the prefix.</summary>
    public const string AdminApiPath = "/admin/api";

    /// <summary>The path of the dashboard page, under the prefix.</summary>
    public const string DashboardPath = "/dashboard";

    /// <summary>The name of the admin API's OpenAPI document, served at <c>{prefix}/admin/openapi/{name}.json</c>.</summary>
    public const string OpenApiDocumentName = "teams-connector-admin";

    /// <summary>
    /// Maps the admin HTTP API under <c>{prefix}/admin/api</c>, its OpenAPI document at
    /// <c>{prefix}/admin/openapi/teams-connector-admin.json</c> and the dashboard at <c>{prefix}/dashboard</c>, all
    /// requiring <paramref name="authorizationPolicy"/>. Call <c>AddAdminApi()</c> on the <c>AddTeamsConnector(...)</c>
    /// builder first, and register the policy with <c>AddAuthorization</c>.
    /// </summary>
    /// <param name="endpoints">The endpoint builder (for example the <c>WebApplication</c>).</param>
    /// <param name="authorizationPolicy">The name of the authorization policy every admin endpoint requires.</param>
    /// <param name="prefix">The route prefix.</param>
    /// <returns>The group of the admin endpoints, to add conventions (for example rate limiting) to.</returns>
    /// <exception cref="InvalidOperationException">
    /// No policy is named, the named policy is not registered, or <c>AddAdminApi()</c> was not called: the admin
    /// endpoints are never mapped open.
    /// </exception>
    public static RouteGroupBuilder MapTeamsConnectorAdmin(this IEndpointRouteBuilder endpoints, string authorizationPolicy, string prefix = TeamsConnectorEndpointRouteBuilderExtensions.DefaultPrefix)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(prefix);
        EnsurePolicy(endpoints.ServiceProvider, authorizationPolicy);
        if (endpoints.ServiceProvider.GetService<AdminApiMarker>() is null)
        {
            throw new InvalidOperationException(
                "The Teams connector admin API is not registered: call AddAdminApi() on the builder that AddTeamsConnector(...) returns before MapTeamsConnectorAdmin.");
        }

        var root = endpoints.MapGroup(prefix);
        var api = root.MapGroup(AdminApiPath)
            .RequireAuthorization(authorizationPolicy)
            .WithGroupName(OpenApiDocumentName)
            .WithTags("Teams connector admin");

        // Several orgs (TeamsConnector:Orgs:<name>): the same operations under orgs/{org}, answered by that org's unit
        // (its owner, in a cluster); GET orgs lists them.
        var orgApi = api.MapGroup(OrgAdminEndpoints.OrgPath);
        api.MapGet("/orgs", OrgAdminEndpoints.ListAsync)
            .WithName("TeamsConnector.Admin.Orgs")
            .WithSummary("The orgs listed under TeamsConnector:Orgs:<name> (empty with a single-org configuration).")
            .WithMetadata(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(IReadOnlyList<AdminOrg>), ["application/json"]));
        IEndpointConventionBuilder Map(RouteGroupBuilder _, string method, string pattern, RequestDelegate handler, string name, string summary, Type? response, Type? request, params int[] problems)
        {
            OrgAdminEndpoints.Operations[name] = handler;
            MapOne(orgApi, method, pattern, OrgAdminEndpoints.ForOrg(name, handler), "Org." + name, summary + " (one org)", response, request, [.. problems, StatusCodes.Status404NotFound]);
            return MapOne(api, method, pattern, Guarded(handler), name, summary, response, request, problems);
        }

        const int Bad = StatusCodes.Status400BadRequest, NotFound = StatusCodes.Status404NotFound, Conflict = StatusCodes.Status409Conflict;
        Map(api, "GET", "/status", AdminApiHandlers.StatusAsync, "Status", "The connector's state, the presence-sync setting and why sync is not running.", typeof(AdminStatus), null);
        Map(api, "GET", "/agents", AdminApiHandlers.AgentsAsync, "Agents", "Every synced agent: WxCC state, origin, Teams presence, pending write and published presence; paused agents last.", typeof(IReadOnlyList<AdminAgent>), null);
        Map(api, "POST", "/agents/{agentId}/pause", AdminApiHandlers.PauseAsync, "PauseAgent", "Leaves the agent alone (no writes, published presence cleared) until resumed.", typeof(AdminPause), null, Bad);
        Map(api, "POST", "/agents/{agentId}/resume", AdminApiHandlers.ResumeAsync, "ResumeAgent", "Syncs a paused agent again.", typeof(AdminPause), null, Bad);
        Map(api, "GET", "/agents/{agentId}/timeline", AdminApiHandlers.TimelineAsync, "AgentTimeline", "The agent's audit records in a time range (from, to: ISO 8601; default the last day), oldest first.", typeof(AdminAudit), null, Bad, NotFound);
        Map(api, "GET", "/audit", AdminApiHandlers.AuditAsync, "Audit", "Audit records by agent (agentId, optional) and time range (from, to), oldest first.", typeof(AdminAudit), null, Bad, NotFound);
        Map(api, "GET", "/mapping", AdminApiHandlers.GetMappingAsync, "GetMapping", "The idle-code mapping in effect and the idle codes it may name.", typeof(AdminMapping), null);
        Map(api, "PUT", "/mapping", AdminApiHandlers.PutMappingAsync, "SetMapping", "Replaces the idle-code mapping; checked against the catalogue, kept, and applied from the next Teams change.", typeof(AdminMapping), typeof(AdminMappingRequest), Bad, StatusCodes.Status422UnprocessableEntity);
        Map(api, "GET", "/desktop-profiles", AdminApiHandlers.ProfilesAsync, "DesktopProfiles", "The desktop profiles of the organization's users and their collaboration toggles.", typeof(IReadOnlyList<AdminProfile>), null);
        Map(api, "PUT", "/desktop-profiles/{profileId}/toggles", AdminApiHandlers.ToggleAsync, "SetDesktopProfileToggle", "Turns one toggle on or off in WxCC; Microsoft Teams and Webex App toggles stay exclusive.", typeof(AdminProfile), typeof(AdminToggleRequest), Bad, Conflict, StatusCodes.Status502BadGateway);
        Map(api, "POST", "/connector/deactivate", AdminApiHandlers.DeactivateAsync, "DeactivateConnector", "Deactivates the connector (sync stops); needs {\"confirm\": true}.", typeof(AdminLifecycle), typeof(AdminConfirmRequest), Bad, Conflict);
        Map(api, "POST", "/connector/reactivate", AdminApiHandlers.ReactivateAsync, "ReactivateConnector", "Reactivates the connector (sync starts again); needs {\"confirm\": true}.", typeof(AdminLifecycle), typeof(AdminConfirmRequest), Bad, Conflict);
        Map(api, "POST", "/connector/delete", AdminApiHandlers.DeleteAsync, "DeleteConnector", "Deletes an inactive connector; needs {\"confirm\": true}. The Azure enterprise application must then be removed in Azure.", typeof(AdminLifecycle), typeof(AdminConfirmRequest), Bad, Conflict);
        Map(api, "GET", "/consent", AdminApiHandlers.ConsentAsync, "StartConsent", "Redirects to the Entra ID admin-consent page.", null, null, Conflict)
            .WithMetadata(new ProducesResponseTypeMetadata(StatusCodes.Status302Found));

        root.MapOpenApi("/admin/openapi/{documentName}.json").RequireAuthorization(authorizationPolicy);
        DashboardEndpoints.Map(root, authorizationPolicy);
        return api;
    }

    /// <summary>Maps one endpoint with what the OpenAPI document needs to describe it (the handler is a plain request delegate).</summary>
    private static IEndpointConventionBuilder MapOne(RouteGroupBuilder api, string method, string pattern, RequestDelegate handler, string name, string summary, Type? response, Type? request, params int[] problems)
    {
        var endpoint = api.MapMethods(pattern, [method], handler)
            .WithName("TeamsConnector.Admin." + name)
            .WithSummary(summary)
            .WithMetadata(handler.Method);
        if (response is not null)
        {
            endpoint.WithMetadata(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, response, ["application/json"]));
        }

        if (request is not null)
        {
            // Described in the OpenAPI document, not used for routing: a wrong content type gets the API's own problem answer.
            endpoint.WithMetadata(new AdminRequestBody(request));
        }

        foreach (var status in problems.Append(StatusCodes.Status401Unauthorized).Append(StatusCodes.Status403Forbidden))
        {
            endpoint.WithMetadata(new ProducesResponseTypeMetadata(status, typeof(Microsoft.AspNetCore.Mvc.ProblemDetails), ["application/problem+json"]));
        }

        return endpoint;
    }

    private static RequestDelegate Guarded(RequestDelegate handler) => context => AdminApiHandlers.GuardAsync(context, handler);

    private static void EnsurePolicy(IServiceProvider services, string authorizationPolicy)
    {
        if (string.IsNullOrWhiteSpace(authorizationPolicy))
        {
            throw new InvalidOperationException(
                "The Teams connector admin API and dashboard need an authorization policy: pass the name of a policy registered with AddAuthorization to MapTeamsConnectorAdmin. They are never mapped without one.");
        }

        var provider = services.GetService<IAuthorizationPolicyProvider>()
            ?? throw new InvalidOperationException(
                $"The Teams connector admin API needs the authorization policy '{authorizationPolicy}', but authorization is not set up: call AddAuthorization and register the policy.");
        if (provider.GetPolicyAsync(authorizationPolicy).GetAwaiter().GetResult() is null)
        {
            throw new InvalidOperationException(
                $"The authorization policy '{authorizationPolicy}' named for the Teams connector admin API is not registered: add it with AddAuthorization(o => o.AddPolicy(\"{authorizationPolicy}\", ...)).");
        }
    }
}

/// <summary>The JSON body an admin endpoint reads, for the OpenAPI document.</summary>
/// <param name="Type">The body's type.</param>
internal sealed record AdminRequestBody(Type Type);
