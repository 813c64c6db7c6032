using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.OpenApi;

namespace Webex.TeamsConnector.AspNetCore;

/// <summary>Registers what the admin HTTP API needs: ProblemDetails and its OpenAPI document.</summary>
public static class TeamsConnectorAdminBuilderExtensions
{
    /// <summary>
    /// Registers the admin HTTP API's services: ProblemDetails answers and the OpenAPI document
    /// <see cref="TeamsConnectorAdminEndpointRouteBuilderExtensions.OpenApiDocumentName"/>. Then map the endpoints with
    /// <see cref="TeamsConnectorAdminEndpointRouteBuilderExtensions.MapTeamsConnectorAdmin"/>. Calling it twice is harmless.
    /// </summary>
    /// <param name="builder">The builder that <c>AddTeamsConnector(...)</c> returned.</param>
    /// <returns>The same builder.</returns>
    public static ITeamsConnectorBuilder AddAdminApi(this ITeamsConnectorBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        if (services.Any(static d => d.ServiceType == typeof(AdminApiMarker)))
        {
            return builder;
        }

        services.TryAddSingleton<AdminApiMarker>();
        services.TryAddSingleton<IOrgAdminExecutor, OrgAdminExecutor>();
        services.AddProblemDetails();
        services.Configure<JsonOptions>(static o => o.SerializerOptions.TypeInfoResolverChain.Add(AdminJsonContext.Default));
        services.AddOpenApi(TeamsConnectorAdminEndpointRouteBuilderExtensions.OpenApiDocumentName, static options =>
        {
            options.ShouldInclude = static description => description.GroupName == TeamsConnectorAdminEndpointRouteBuilderExtensions.OpenApiDocumentName;
            options.AddOperationTransformer(static async (operation, context, cancellationToken) =>
            {
                if (context.Description.ActionDescriptor.EndpointMetadata.OfType<AdminRequestBody>().FirstOrDefault() is { } body)
                {
                    var schema = await context.GetOrCreateSchemaAsync(body.Type, null, cancellationToken).ConfigureAwait(false);
                    operation.RequestBody = new OpenApiRequestBody
                    {
                        Required = true,
                        Content = new Dictionary<string, OpenApiMediaType>(StringComparer.Ordinal) { ["application/json"] = new() { Schema = schema } },
                    };
                }
            });
            options.AddDocumentTransformer(static (document, _, _) =>
            {
                document.Info.Title = "Webex.TeamsConnector admin API";
                document.Info.Description = "Status, agents, audit trail, idle-code mapping, desktop-profile toggles, lifecycle and per-agent pause of the Webex Contact Center + Microsoft Teams connector. Every endpoint requires the authorization policy the application named; errors are ProblemDetails (RFC 9457).";
                return Task.CompletedTask;
            });
        });
        return builder;
    }
}

/// <summary>Marks that <see cref="TeamsConnectorAdminBuilderExtensions.AddAdminApi"/> was called.</summary>
internal sealed class AdminApiMarker;
