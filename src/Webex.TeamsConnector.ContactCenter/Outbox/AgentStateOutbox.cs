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
    private readonly Dictionary<string, Wanted> _wanted = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Wanted> _inFlight = new(StringComparer.Ordinal);
    private readonly PriorityQueue<Wanted, long> _idle = new();
    private readonly PriorityQueue<Wanted, long> _available = new();
    private readonly PriorityQueue<Wanted, DateTimeOffset> _delayed = new();
    private readonly WxccApiClient _api;
    private readonly IOptions<TeamsConnectorOptions> _connector;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Uri _stateUri;
    private string? _reasonMarker;
    private TaskCompletionSource _pulse = NewPulse();
    private ChannelWriter<AgentWriteResult>? _results;
    private long _sequence;
    private int _running;

    public AgentStateOutbox(WxccApiClient api, IOptions<TeamsConnectorOptions> connector, TimeProvider timeProvider, ILogger<AgentStateOutbox> logger)
    {
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
                return _inFlight.Count;
            }
        }
    }

    public int Depth
    {
        get
        {
            lock (_gate)
            {
                return _wanted.Count;
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
            var flying = _inFlight.GetValueOrDefault(agentId);
            if (_wanted.TryGetValue(agentId, out var existing))
            {
                if (existing.State == state)
                {
                    return;
                }

                Log.WriteCoalesced(_logger, agentId, existing.State.ToString(), state.ToString());
                ContactCenterTelemetry.WritesCoalesced.Add(1);
                if (flying is not null && flying.State == state)
                {
                    // The newest wanted state is the one being sent: the queued one is dropped, not replaced by a
                    // second write of the same state.
                    _wanted.Remove(agentId);
                    flying.Withdrawn = false;
                    return;
                }
            }
            else if (flying is not null && flying.State == state)
            {
                // Wanted again after a withdrawal: retried if this send fails transiently.
                flying.Withdrawn = false;
                return;
            }

            var wanted = new Wanted(agentId, state, ++_sequence);
            _wanted[agentId] = wanted;
            PushReadyLocked(wanted);
        }

        Signal();
    }

    public bool Withdraw(string agentId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(agentId);
        lock (_gate)
        {
            if (_inFlight.TryGetValue(agentId, out var flying))
            {
                flying.Withdrawn = true;
            }

            if (!_wanted.Remove(agentId, out var wanted))
            {
                return false;
            }

            Log.WriteWithdrawn(_logger, agentId, wanted.State.ToString());
            ContactCenterTelemetry.WritesWithdrawn.Add(1);
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
                Wanted? write;
                try
                {
                    await WaitForDueWorkAsync(cancellationToken).ConfigureAwait(false);
                    var lease = await _api.Budget.AcquireAsync(cancellationToken).ConfigureAwait(false);
                    lock (_gate)
                    {
                        write = PickLocked();
                        if (write is not null)
                        {
                            _wanted.Remove(write.AgentId);
                            _inFlight[write.AgentId] = write;
                        }
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

    private async Task SendAsync(Wanted write, CancellationToken cancellationToken)
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
                if (_inFlight.TryGetValue(write.AgentId, out var flying) && ReferenceEquals(flying, write))
                {
                    _inFlight.Remove(write.AgentId);
                }
            }

            Signal();
            Settled?.Invoke();
        }
    }

    private async Task SendCoreAsync(Wanted write, CancellationToken cancellationToken)
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
            _inFlight.Remove(write.AgentId);
            if (response.IsSuccess)
            {
                result = new AgentWriteResult(write.AgentId, write.State, true, null, response.TrackingId);
            }
            else if (response.Status == System.Net.HttpStatusCode.TooManyRequests && ++write.Throttles <= MaxThrottledRetries)
            {
                RequeueLocked(write, _time.GetUtcNow());
            }
            else if (response.IsTransient && ++write.Attempts < _api.Options.MaxWriteAttempts)
            {
                var delay = WxccApiClient.Backoff(write.Attempts);
                Log.WriteRetry(_logger, write.AgentId, response.Describe(), delay, response.TrackingId);
                RequeueLocked(write, _time.GetUtcNow() + delay);
            }
            else
            {
                result = new AgentWriteResult(write.AgentId, write.State, false, $"WxCC refused the write ({response.Describe()})", response.TrackingId);
            }

            // A newer state of this agent waited while this write was in flight: it may go now.
            if (_wanted.TryGetValue(write.AgentId, out var newer) && newer.Parked)
            {
                newer.Parked = false;
                PushReadyLocked(newer);
            }
        }

        if (result is { } r)
        {
            if (r.Succeeded)
            {
                ContactCenterTelemetry.WritesSent.Add(1);
                Log.WriteAccepted(_logger, r.AgentId, r.State.ToString(), r.TrackingId);
            }
            else
            {
                ContactCenterTelemetry.WritesFailed.Add(1);
                Log.WriteFailed(_logger, r.AgentId, r.State.ToString(), r.Reason, r.TrackingId);
            }

            Report(r);
        }

    }

    private byte[] Body(Wanted write)
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

    private void RequeueLocked(Wanted write, DateTimeOffset notBefore)
    {
        if (_wanted.ContainsKey(write.AgentId) || write.Withdrawn)
        {
            // Superseded by a newer wanted state (the newest wins), or no longer wanted at all.
            return;
        }

        var again = new Wanted(write.AgentId, write.State, ++_sequence) { Attempts = write.Attempts, Throttles = write.Throttles };
        _wanted[write.AgentId] = again;
        if (notBefore > _time.GetUtcNow())
        {
            _delayed.Enqueue(again, notBefore);
        }
        else
        {
            PushReadyLocked(again);
        }
    }

    private void PushReadyLocked(Wanted wanted)
    {
        if (wanted.State.Kind == AgentStateKind.Idle)
        {
            _idle.Enqueue(wanted, wanted.Sequence);
        }
        else
        {
            _available.Enqueue(wanted, wanted.Sequence);
        }
    }

    private bool IsCurrentLocked(Wanted wanted) =>
        _wanted.TryGetValue(wanted.AgentId, out var current) && ReferenceEquals(current, wanted);

    private void PromoteDueLocked(DateTimeOffset now)
    {
        while (_delayed.TryPeek(out var wanted, out var due) && due <= now)
        {
            _delayed.Dequeue();
            if (IsCurrentLocked(wanted))
            {
                PushReadyLocked(wanted);
            }
        }
    }

    /// <summary>The next write to send (Idle first, then Available, each oldest first), or <see langword="null"/>.</summary>
    private Wanted? PickLocked()
    {
        PromoteDueLocked(_time.GetUtcNow());
        return TakeLocked(_idle) ?? TakeLocked(_available);
    }

    private Wanted? TakeLocked(PriorityQueue<Wanted, long> queue)
    {
        while (queue.TryPeek(out var wanted, out _))
        {
            if (!IsCurrentLocked(wanted) || wanted.Parked)
            {
                queue.Dequeue();
                continue;
            }

            if (_inFlight.ContainsKey(wanted.AgentId))
            {
                queue.Dequeue();
                wanted.Parked = true;
                continue;
            }

            queue.Dequeue();
            return wanted;
        }

        return null;
    }

    private bool HasReadyLocked() => HasReadyLocked(_idle) || HasReadyLocked(_available);

    private bool HasReadyLocked(PriorityQueue<Wanted, long> queue)
    {
        while (queue.TryPeek(out var wanted, out _))
        {
            if (!IsCurrentLocked(wanted) || wanted.Parked)
            {
                queue.Dequeue();
            }
            else if (_inFlight.ContainsKey(wanted.AgentId))
            {
                queue.Dequeue();
                wanted.Parked = true;
            }
            else
            {
                return true;
            }
        }

        return false;
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
                PromoteDueLocked(now);
                if (HasReadyLocked())
                {
                    return;
                }

                pulse = _pulse.Task;
                if (_delayed.TryPeek(out _, out var due))
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
        List<Wanted> unsent;
        lock (_gate)
        {
            unsent = [.. _wanted.Values];
            _wanted.Clear();
            _idle.Clear();
            _available.Clear();
            _delayed.Clear();
        }

        foreach (var wanted in unsent.OrderBy(static w => w.Sequence))
        {
            ContactCenterTelemetry.WritesFailed.Add(1);
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

    private sealed class Wanted(string agentId, AgentState state, long sequence)
    {
        public string AgentId { get; } = agentId;

        public AgentState State { get; } = state;

        public long Sequence { get; } = sequence;

        public int Attempts { get; set; }

        public int Throttles { get; set; }

        public bool Parked { get; set; }

        public bool Withdrawn { get; set; }
    }

}
