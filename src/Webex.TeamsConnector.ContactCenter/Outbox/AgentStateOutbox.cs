using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Webex.TeamsConnector.ContactCenter;

/// <summary>
/// The WxCC state-write outbox (<c>PUT /v1/agents/session/state</c>). Per agent only the newest wanted state is kept
/// (coalescing); a write is taken from the queue only once a request slot of the shared budget is held, Idle writes
/// first, so that when the budget is short the protective Idle writes go before Available ones. 429 and transient
/// failures are put back (unless a newer state replaced them) without ever having two writes of one agent in flight.
/// On shutdown every write not sent is reported as failed. Whether an accepted write (202) took effect is decided by
/// the sync rules (their write-confirmation timeout reads the agent's state back), not here.
/// </summary>
/// <remarks>
/// Concurrency: queues and maps under one lock; HTTP outside it. One dispatcher loop takes a slot, then a write, and
/// starts the send; at most <see cref="ContactCenterOptions.MaxConcurrentWrites"/> sends run at once.
/// </remarks>
internal sealed class AgentStateOutbox : IAgentStateOutbox
{
    private const int MaxThrottledRetries = 20;

    private readonly object _gate = new();
    private readonly PendingWrites _pending = new();
    private readonly WxccApiClient _api;
    private readonly IOptions<TeamsConnectorOptions> _connector;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ContactCenterTelemetry _telemetry;
    private readonly Uri _stateUri;
    private string? _reasonMarker;
    private TaskCompletionSource _pulse = NewPulse();
    private ChannelWriter<AgentWriteResult>? _results;
    private int _running;

    public AgentStateOutbox(WxccApiClient api, IOptions<TeamsConnectorOptions> connector, TimeProvider timeProvider, ContactCenterTelemetry telemetry, ILogger<AgentStateOutbox> logger)
    {
        _telemetry = telemetry;
        _api = api;
        _connector = connector;
        _time = timeProvider;
        _logger = logger;
        _stateUri = new Uri(ContactCenterDirectory.WithSlash(api.Options.BaseUrl), "v1/agents/session/state");
    }

    /// <summary>
    /// The <c>lastStateChangeReason</c> written with every state change: <c>TeamsConnector:StateSync:ReasonMarker</c>,
    /// the one setting the sync rules also recognise the connector's own writes by.
    /// </summary>
    internal string ReasonMarker => _reasonMarker ??= _connector.Value.StateSync.ReasonMarker;

    /// <summary>Raised when the outbox waits for a retry delay (its timer is registered), with the wait.</summary>
    public event Action<TimeSpan>? Waiting;

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

        Signal();
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
        var sends = new HashSet<Task>();
        using var slots = new SemaphoreSlim(_api.Options.MaxConcurrentWrites);
        try
        {
            while (true)
            {
                await slots.WaitAsync(cancellationToken).ConfigureAwait(false);
                PendingWrite? write;
                try
                {
                    await WaitForDueWorkAsync(cancellationToken).ConfigureAwait(false);
                    var lease = await _api.Budget.AcquireAsync(cancellationToken).ConfigureAwait(false);
                    lock (_gate)
                    {
                        write = _pending.Take(_time.GetUtcNow());
                    }

                    if (write is null)
                    {
                        lease.Return();
                    }
                }
                catch
                {
                    slots.Release();
                    throw;
                }

                if (write is null)
                {
                    slots.Release();
                    continue;
                }

                var send = SendAsync(write, cancellationToken);
                lock (sends)
                {
                    sends.Add(send);
                }

                _ = send.ContinueWith(
                    t =>
                    {
                        lock (sends)
                        {
                            sends.Remove(t);
                        }

                        slots.Release();
                    },
                    CancellationToken.None,
                    TaskContinuationOptions.ExecuteSynchronously,
                    TaskScheduler.Default);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            Task[] pending;
            lock (sends)
            {
                pending = [.. sends];
            }

            try
            {
                await Task.WhenAll(pending).ConfigureAwait(false);
            }
            finally
            {
                ReportUnsent();
                _results = null;
                Volatile.Write(ref _running, 0);
            }
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

            Signal();
            Settled?.Invoke();
        }
    }

    private async Task SendCoreAsync(PendingWrite write, CancellationToken cancellationToken)
    {
        WxccResponse response;
        try
        {
            response = await _api.SendAsync(HttpMethod.Put, _stateUri, Body(write), retry: false, leaseHeld: true, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // SendAsync takes it out of flight.
            Report(new AgentWriteResult(write.AgentId, write.State, false, "the outbox stopped before WxCC answered the write", null));
            return;
        }
        catch (ContactCenterException ex)
        {
            // The token could not be had: a transient failure of this write.
            response = new WxccResponse(ex.StatusCode, [], ex.TrackingId ?? string.Empty, ex.Message);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Anything else (an I/O error of a handler or a custom store, an unexpected failure of the HTTP stack):
            // transient for this write, retried within MaxWriteAttempts. The type only: messages may carry details.
            response = new WxccResponse(null, [], string.Empty, "unexpected " + ex.GetType().Name);
        }

        AgentWriteResult? result = null;
        lock (_gate)
        {
            // No longer in flight; a newer state of this agent that waited may go now.
            var now = _time.GetUtcNow();
            _pending.Completed(write);
            if (response.IsSuccess)
            {
                result = new AgentWriteResult(write.AgentId, write.State, true, null, response.TrackingId);
            }
            else if (response.Status == System.Net.HttpStatusCode.TooManyRequests && ++write.Throttles <= MaxThrottledRetries)
            {
                _pending.Requeue(write, now, now);
            }
            else if (response.IsTransient && ++write.Attempts < _api.Options.MaxWriteAttempts)
            {
                var delay = WxccApiClient.Backoff(write.Attempts);
                Log.WriteRetry(_logger, write.AgentId, response.Describe(), delay, response.TrackingId);
                _pending.Requeue(write, now + delay, now);
            }
            else
            {
                result = new AgentWriteResult(write.AgentId, write.State, false, $"WxCC refused the write ({response.Describe()})", response.TrackingId);
            }
        }

        if (result is { } r)
        {
            if (r.Succeeded)
            {
                _telemetry.WritesSent.Add(1);
                Log.WriteAccepted(_logger, r.AgentId, r.State.ToString(), r.TrackingId);
            }
            else
            {
                _telemetry.WritesFailed.Add(1);
                Log.WriteFailed(_logger, r.AgentId, r.State.ToString(), r.Reason, r.TrackingId);
            }

            Report(r);
        }

    }

    private byte[] Body(PendingWrite write)
    {
        using var stream = new MemoryStream(160);
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            json.WriteString("state", write.State.Kind == AgentStateKind.Available ? "Available" : "Idle");
            json.WriteString("auxCodeId", write.State.Kind == AgentStateKind.Available ? AgentState.AvailableCodeId : write.State.IdleCodeId);
            json.WriteString("lastStateChangeReason", ReasonMarker);
            json.WriteString("agentId", write.AgentId);
            json.WriteEndObject();
        }

        return stream.ToArray();
    }

    private async Task WaitForDueWorkAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task pulse;
            TimeSpan? wait = null;
            lock (_gate)
            {
                var now = _time.GetUtcNow();
                if (_pending.HasReady(now))
                {
                    return;
                }

                pulse = _pulse.Task;
                if (_pending.NextDelayedDue is { } due)
                {
                    wait = due - now;
                }
            }

            if (wait is { } w)
            {
                using var cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                var delay = Task.Delay(w, _time, cancel.Token);
                Waiting?.Invoke(w);
                await Task.WhenAny(pulse, delay).ConfigureAwait(false);
                await cancel.CancelAsync().ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested();
            }
            else
            {
                await pulse.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private void Signal()
    {
        TaskCompletionSource old;
        lock (_gate)
        {
            old = _pulse;
            _pulse = NewPulse();
        }

        old.TrySetResult();
    }

    private static TaskCompletionSource NewPulse() => new(TaskCreationOptions.RunContinuationsAsynchronously);

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
