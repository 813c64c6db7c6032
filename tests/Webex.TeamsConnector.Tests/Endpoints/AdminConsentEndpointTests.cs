using System.Net;
using System.Web;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Webex.TeamsConnector.Tests.Endpoints;

/// <summary>The admin-consent callback over HTTP: every refusal leaves a log line and a count, never the state value.</summary>
[Collection("EndToEnd")]
public class AdminConsentEndpointTests
{
    private static readonly HttpClient s_http = new();

    [Theory]
    [InlineData("forged", "True", null, "consent-state-unknown")]
    [InlineData("reused", "True", null, "consent-state-unknown")]
    [InlineData("expired", "True", null, "consent-state-expired")]
    [InlineData("valid", "True", "access_denied", "consent-error")]
    [InlineData("valid", "False", null, "consent-not-granted")]
    [InlineData("valid", "True", "wrong-tenant", "consent-tenant")]
    public async Task ConsentCallback_Refused_IsLoggedWithItsReason_AndCounted_WithoutTheStateValue(string state, string adminConsent, string? error, string reason)
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await WebhookHost.StartAsync(settings: s =>
        {
            s["TeamsConnector:Admin:InitialState"] = "NotConfigured";
            s["TeamsConnector:Admin:ConsentRedirectUri"] = "https://connector.example.test/teams-connector/admin/consent";
        }, services: s => s.AddSingleton<TimeProvider>(time));
        var admin = host.App.Services.GetRequiredService<ITeamsConnectorAdmin>();
        using var rejections = new MetricCollector<long>(host.App.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), TeamsConnectorDiagnostics.Name, "webex.teamsconnector.rejections");
        var consent = await host.App.Services.GetRequiredService<TeamsConnectorAdmin>().IssueConsentUrlAsync(AzureAdminRole.GlobalAdministrator, host.Graph.TenantId, default);
        var value = HttpUtility.ParseQueryString(consent.Query)["state"]!;
        var tenant = host.Graph.TenantId;
        switch (state)
        {
            case "forged":
                value = new string('f', 64);
                break;
            case "reused":
                (await CallAsync(host, value, tenant, "True", null)).Should().Be(HttpStatusCode.OK);
                break;
            case "expired":
                time.Advance(TimeSpan.FromDays(1));
                break;
        }

        if (error == "wrong-tenant")
        {
            tenant = Guid.NewGuid().ToString();
            error = null;
        }

        (await CallAsync(host, value, tenant, adminConsent, error)).Should().Be(HttpStatusCode.BadRequest);

        rejections.GetMeasurementSnapshot().Should().ContainSingle(m => Equals(m.Tags["reason"], reason));
        var lines = host.Logs.GetSnapshot().Where(r => r.Id.Id == 1003).ToList();
        lines.Should().ContainSingle().Which.Level.Should().Be(LogLevel.Warning);
        lines[0].Message.Should().Contain(reason);
        // (ASP.NET Core's own request log at Information shows the query string; the connector's lines never do.)
        host.Logs.GetSnapshot().Where(r => r.Category!.StartsWith("Webex.", StringComparison.Ordinal))
            .Should().NotContain(r => r.Message.Contains(value, StringComparison.Ordinal), "the connector never logs the state value");
    }

    private static async Task<HttpStatusCode> CallAsync(WebhookHost host, string state, string tenant, string adminConsent, string? error)
    {
        var query = $"?state={Uri.EscapeDataString(state)}&tenant={tenant}&admin_consent={adminConsent}" + (error is null ? "" : $"&error={error}&error_description=declined");
        using var response = await s_http.GetAsync(new Uri($"http://127.0.0.1:{host.Port}{Webex.TeamsConnector.AspNetCore.TeamsConnectorEndpointRouteBuilderExtensions.DefaultPrefix}{Webex.TeamsConnector.AspNetCore.TeamsConnectorEndpointRouteBuilderExtensions.AdminConsentPath}{query}"));
        return response.StatusCode;
    }
}
