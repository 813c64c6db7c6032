using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Webex.TeamsConnector.AspNetCore;
using Microsoft.AspNetCore.Routing;

namespace Webex.TeamsConnector.Tests.Admin;

/// <summary>The admin API is never mapped open: without a registered policy the app fails at start-up and says why.</summary>
public class AdminStartupTests
{
    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public void MapTeamsConnectorAdmin_WithoutAPolicy_FailsAtStartUp(string policy)
    {
        using var app = Build(addPolicy: true, addAdminApi: true);

        var map = () => app.MapTeamsConnectorAdmin(policy);

        map.Should().Throw<InvalidOperationException>().WithMessage("*need an authorization policy*never mapped without one*");
    }

    [Fact]
    public void MapTeamsConnectorAdmin_WithAPolicyThatIsNotRegistered_FailsAtStartUp()
    {
        using var app = Build(addPolicy: false, addAdminApi: true);

        var map = () => app.MapTeamsConnectorAdmin("Missing");

        map.Should().Throw<InvalidOperationException>().WithMessage("*'Missing'*not registered*AddPolicy*");
    }

    [Fact]
    public void MapTeamsConnectorAdmin_WithoutAddAdminApi_FailsAtStartUp()
    {
        using var app = Build(addPolicy: true, addAdminApi: false);

        var map = () => app.MapTeamsConnectorAdmin("Admins");

        map.Should().Throw<InvalidOperationException>().WithMessage("*AddAdminApi()*");
    }

    [Fact]
    public void MapTeamsConnectorAdmin_WithARegisteredPolicy_MapsEveryEndpointBehindIt()
    {
        using var app = Build(addPolicy: true, addAdminApi: true);

        app.MapTeamsConnectorAdmin("Admins");

        var endpoints = ((IEndpointRouteBuilder)app).DataSources.SelectMany(d => d.Endpoints).OfType<Microsoft.AspNetCore.Routing.RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText!.Contains("/admin/api") || e.RoutePattern.RawText!.Contains("/dashboard") || e.RoutePattern.RawText!.Contains("openapi"))
            .ToList();
        endpoints.Should().HaveCountGreaterThan(15);
        endpoints.Should().OnlyContain(e => e.Metadata.GetOrderedMetadata<Microsoft.AspNetCore.Authorization.IAuthorizeData>().Any(a => a.Policy == "Admins"));
    }

    private static WebApplication Build(bool addPolicy, bool addAdminApi)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        var connector = builder.Services.AddTeamsConnector();
        if (addAdminApi)
        {
            connector.AddAdminApi();
        }

        builder.Services.AddAuthorization(o =>
        {
            if (addPolicy)
            {
                o.AddPolicy("Admins", p => p.RequireRole("ConnectorAdmin"));
            }
        });
        return builder.Build();
    }
}
