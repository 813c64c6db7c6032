using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Webex.TeamsConnector.ContactCenter;

/// <summary>
/// The WxCC state-write outbox (<c>PUT /v1/agents/session/state</c>), composed of three parts: the
/// <see cref="PendingWrites"/> (per agent only the newest wanted state, Idle before Available, parking and requeue), the
/// <see cref="WriteDispatcher"/> (the shared budget and the concurrency: which write goes next, how many in flight) and
/// the <see cref="AgentStateWriteSender"/> (one HTTP write and its outcome). 429 and transient failures are put back
/// (unless a newer state replaced them) without ever having two writes of one agent in flight. On shutdown every write
/// not sent is reported as failed. Whether an accepted write (202) took effect is decided by the sync rules (their
/// write-confirmation timeout reads the agent's state back), not here.
/// </summary>
/// <remarks>
/// Concurrency: the pending writes under one lock, shared with the dispatcher; HTTP outside it. At most
/// <see cref="ContactCenterOptions.MaxConcurrentWrites"/> sends run at once.
/// </remarks>
internal sealed class AgentStateOutbox : IAgentStateOutbox
{
    private readonly object _gate = new();
    private readonly PendingWrites _pending = new();
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ContactCenterTelemetry _telemetry;
    private readonly WriteDispatcher _dispatcher;
    private readonly AgentStateWriteSender _sender;
    private ChannelWriter<AgentWriteResult>? _results;
    private int _running;

    public AgentStateOutbox(WxccApiClient api, TimeProvider timeProvider, ContactCenterTelemetry telemetry, ILogger<AgentStateOutbox> logger)
    {
        _telemetry = telemetry;
        _time = timeProvider;
        _logger = logger;
        _dispatcher = new WriteDispatcher(_gate, _pending, api.Budget, api.Options.MaxConcurrentWrites, timeProvider);
        _sender = new AgentStateWriteSender(api, () => ReasonMarker);
    }

    public string ReasonMarker
    {
        get => Volatile.Read(ref field);
        set
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(value);
            Volatile.Write(ref field, value);
        }
    } = OriginClassifier.DefaultReasonMarker;

    /// <summary>Raised when the outbox waits for a retry delay (its timer is registered), with the wait.</summary>
    public event Action<TimeSpan>? Waiting
    {
        add => _dispatcher.Waiting += value;
        remove => _dispatcher.Waiting -= value;
    }

    /// <summary>Raised when a send has finished (its write is no longer in flight).</summary>
    public event Action? Settled;

    /// <summary>The writes being sent now.</summary>
    public int InFlight
    {
        get
        {
            lock (_gate)
            {
                return _pending.InFlight;
            }
        }
    }

    public int Depth
    {
        get
        {
            lock (_gate)
            {
                return _pending.Count;
            }
        }
    }

    public void Enqueue(string agentId, AgentState state)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(agentId);
        if (state.Kind is not (AgentStateKind.Available or AgentStateKind.Idle) || state.Kind == AgentStateKind.Idle && string.IsNullOrEmpty(state.IdleCodeId))
        {
            throw new ArgumentException($"Only Available or Idle with an idle code can be written; got {state}.", nameof(state));
        }

        lock (_gate)
        {
            var outcome = _pending.Enqueue(agentId, state, out var replaced);
            if (outcome == EnqueueOutcome.Unchanged)
            {
                return;
            }

            if (outcome is EnqueueOutcome.Coalesced or EnqueueOutcome.CoalescedIntoInFlight)
            {
                Log.WriteCoalesced(_logger, agentId, replaced.ToString(), state.ToString());
                _telemetry.WritesCoalesced.Add(1);
            }

            if (outcome != EnqueueOutcome.Queued && outcome != EnqueueOutcome.Coalesced)
            {
                return;
            }
        }

        _dispatcher.Signal();
    }

    public bool Withdraw(string agentId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(agentId);
        lock (_gate)
        {
            if (!_pending.Withdraw(agentId, out var withdrawn))
            {
                return false;
            }

            Log.WriteWithdrawn(_logger, agentId, withdrawn.ToString());
            _telemetry.WritesWithdrawn.Add(1);
            return true;
        }
    }

    public async Task RunAsync(ChannelWriter<AgentWriteResult> results, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(results);
        if (Interlocked.Exchange(ref _running, 1) == 1)
        {
            throw new InvalidOperationException("The agent state outbox is already running.");
        }

        _results = results;
        try
        {
            await _dispatcher.RunAsync(SendAsync, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ReportUnsent();
            _results = null;
            Volatile.Write(ref _running, 0);
        }
    }

    private async Task SendAsync(PendingWrite write, CancellationToken cancellationToken)
    {
        try
        {
            await SendCoreAsync(write, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // Whatever happened, the agent's write is no longer in flight (a newer state may go).
            lock (_gate)
            {
                _pending.Completed(write);
            }

            _dispatcher.Signal();
            Settled?.Invoke();
        }
    }

    private async Task SendCoreAsync(PendingWrite write, CancellationToken cancellationToken)
    {
        var outcome = await _sender.SendAsync(write, cancellationToken).ConfigureAwait(false);
        if (outcome.Kind == WriteOutcomeKind.Stopped)
        {
            // SendAsync takes it out of flight.
            Report(new AgentWriteResult(write.AgentId, write.State, false, outcome.Reason, null));
            return;
        }

        lock (_gate)
        {
            // No longer in flight; a newer state of this agent that waited may go now.
            var now = _time.GetUtcNow();
            _pending.Completed(write);
            if (outcome.Kind == WriteOutcomeKind.Retry)
            {
                if (outcome.Reason is { } failure)
                {
                    Log.WriteRetry(_logger, write.AgentId, failure, outcome.Delay, outcome.TrackingId ?? string.Empty);
                }

                _pending.Requeue(write, now + outcome.Delay, now);
                return;
            }
        }

        var result = new AgentWriteResult(write.AgentId, write.State, outcome.Kind == WriteOutcomeKind.Accepted, outcome.Reason, outcome.TrackingId);
        if (result.Succeeded)
        {
            _telemetry.WritesSent.Add(1);
            Log.WriteAccepted(_logger, result.AgentId, result.State.ToString(), result.TrackingId);
        }
        else
        {
            _telemetry.WritesFailed.Add(1);
            Log.WriteFailed(_logger, result.AgentId, result.State.ToString(), result.Reason, result.TrackingId);
        }

        Report(result);
    }

    private void ReportUnsent()
    {
        List<PendingWrite> unsent;
        lock (_gate)
        {
            unsent = _pending.DrainUnsent();
        }

        foreach (var wanted in unsent)
        {
            _telemetry.WritesFailed.Add(1);
            Report(new AgentWriteResult(wanted.AgentId, wanted.State, false, "the outbox stopped before the write was sent", null));
        }

        if (unsent.Count > 0)
        {
            Log.UnsentOnShutdown(_logger, unsent.Count);
        }
    }

    private void Report(AgentWriteResult result)
    {
        var results = _results;
        if (results is null || !results.TryWrite(result))
        {
            Log.ResultLost(_logger, result.AgentId, result.State.ToString(), result.Succeeded);
        }
    }
}
