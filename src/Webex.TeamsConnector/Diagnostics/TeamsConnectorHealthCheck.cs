using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Webex.TeamsConnector;

/// <summary>
/// Healthy while presence sync runs; Degraded while it does not because of the connector's status (inactive,
/// deleted, not configured, presence-sync setting off), with the reason; Unhealthy when the host failed to run it.
/// </summary>
internal sealed class TeamsConnectorHealthCheck(ConnectorRuntime runtime) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var report = runtime.Report();
        var data = new Dictionary<string, object>
        {
            ["state"] = report.Status.State.ToString(),
            ["presenceSyncEnabled"] = report.Status.PresenceSyncEnabled,
            ["agents"] = report.TrackedAgents,
            ["outboxDepth"] = report.OutboxDepth,
        };

        HealthCheckResult result;
        if (report.IsSyncing)
        {
            result = runtime.Problem is { } problem
                ? HealthCheckResult.Degraded("Presence sync runs, impaired: " + problem, data: data)
                : HealthCheckResult.Healthy($"Presence sync runs for {report.TrackedAgents} agents.", data);
        }
        else if (report.Status.State == ConnectorState.Active && report.Status.PresenceSyncEnabled)
        {
            result = HealthCheckResult.Unhealthy("Presence sync is not running: " + (runtime.Problem ?? "starting"), data: data);
        }
        else
        {
            result = HealthCheckResult.Degraded(report.Reason ?? "Presence sync is not running.", data: data);
        }

        return Task.FromResult(result);
    }
}
