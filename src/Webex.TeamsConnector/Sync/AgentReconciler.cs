using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Webex.TeamsConnector;

/// <summary>Reads the current WxCC states of agents that joined the roster and feeds them to the engine loop.</summary>
internal sealed class AgentReconciler
{
    private readonly IContactCenterDirectory _directory;
    private readonly ChannelWriter<AgentFeedEvent> _events;
    private readonly ILogger _logger;
    private readonly TeamsConnectorTelemetry _telemetry;

    public AgentReconciler(IContactCenterDirectory directory, ChannelWriter<AgentFeedEvent> events, ILogger logger, TeamsConnectorTelemetry telemetry)
    {
        _directory = directory;
        _events = events;
        _logger = logger;
        _telemetry = telemetry;
    }

    /// <summary>
    /// Reads the current states of agents added by a roster refresh and feeds them in (older ones are dropped by the
    /// engine). At session start the agent event feed's own reconciliation gives every agent's state.
    /// </summary>
    public async Task ReconcileAsync(List<string> agentIds, CancellationToken cancellationToken)
    {
        if (agentIds.Count == 0)
        {
            return;
        }

        try
        {
            var states = await _directory.GetCurrentStatesAsync(agentIds, cancellationToken).ConfigureAwait(false);
            foreach (var state in states)
            {
                await _events.WriteAsync(state, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _telemetry.Reject("reconciliation_failed");
            Log.ReconciliationFailed(_logger, ex.GetType().Name + ": " + ex.Message);
        }
    }
}
