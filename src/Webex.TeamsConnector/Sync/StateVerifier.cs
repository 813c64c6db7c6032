using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Webex.TeamsConnector;

/// <summary>
/// Carries out the engine's <see cref="SyncCommandKind.Verify"/> commands: reads the current state of the agents asked
/// for (<see cref="IContactCenterDirectory.GetCurrentStatesAsync"/>, one request for up to 100 agents) and hands each
/// record back to the engine as an <see cref="AgentEventKind.Reconciliation"/> event. Requests made while a read is on
/// the wire go together in the next one. Decides nothing: an agent left out of the answer, or a failed read, is asked
/// again by the engine when its verify times out.
/// </summary>
internal sealed class StateVerifier(IContactCenterDirectory directory, ILogger logger, TeamsConnectorTelemetry telemetry)
{
    private const int MaxAgentsPerRead = 100;

    private readonly object _gate = new();
    private readonly HashSet<string> _wanted = new(StringComparer.Ordinal);
    private TaskCompletionSource _pulse = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Asks for the agent's current state.</summary>
    public void Request(string agentId)
    {
        TaskCompletionSource pulse;
        lock (_gate)
        {
            _wanted.Add(agentId);
            pulse = _pulse;
        }

        pulse.TrySetResult();
    }

    /// <summary>Reads until cancelled, writing the answers to <paramref name="events"/>.</summary>
    public async Task RunAsync(ChannelWriter<AgentFeedEvent> events, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                Task pulse;
                string[] batch;
                lock (_gate)
                {
                    batch = [.. _wanted.Take(MaxAgentsPerRead)];
                    foreach (var agent in batch)
                    {
                        _wanted.Remove(agent);
                    }

                    if (_wanted.Count == 0)
                    {
                        _pulse = new(TaskCreationOptions.RunContinuationsAsynchronously);
                    }

                    pulse = _pulse.Task;
                }

                if (batch.Length == 0)
                {
                    await pulse.WaitAsync(cancellationToken).ConfigureAwait(false);
                    continue;
                }

                await ReadAsync(batch, events, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private async Task ReadAsync(string[] agents, ChannelWriter<AgentFeedEvent> events, CancellationToken cancellationToken)
    {
        IReadOnlyList<AgentFeedEvent> states;
        try
        {
            states = await directory.GetCurrentStatesAsync(agents, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException && ex is not OutOfMemoryException)
        {
            telemetry.Reject("verify_failed");
            Log.VerifyFailed(logger, agents.Length, ex.GetType().Name);
            return;
        }

        foreach (var state in states)
        {
            var record = state.Event.Kind == AgentEventKind.Reconciliation ? state : state with { Event = state.Event with { Kind = AgentEventKind.Reconciliation } };
            await events.WriteAsync(record, cancellationToken).ConfigureAwait(false);
        }
    }
}
