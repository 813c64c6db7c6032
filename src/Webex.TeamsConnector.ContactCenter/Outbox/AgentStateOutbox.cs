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
/// On shutdown every write not sent is reported as failed. In webhook mode, a write WxCC accepted (202) but no agent
/// event confirmed within <see cref="ContactCenterOptions.WriteConfirmationTimeout"/> is checked once against the
/// agent's current state and reported as failed when that differs.
/// </summary>
/// <remarks>
/// Concurrency: queues and maps under one lock; HTTP outside it. One dispatcher loop takes a slot, then a write, and
/// starts the send; at most <see cref="ContactCenterOptions.MaxConcurrentWrites"/> sends run at once.
/// </remarks>
internal sealed class AgentStateOutbox : IAgentStateOutbox
{
    private const int MaxThrottledRetries = 20;
    private const int MaxRememberedWrites = 10_000;
    private static readonly TimeSpan s_rememberWrites = TimeSpan.FromMinutes(5);

    private readonly object _gate = new();
    private readonly Dictionary<string, Wanted> _wanted = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Wanted> _inFlight = new(StringComparer.Ordinal);
    private readonly PriorityQueue<Wanted, long> _idle = new();
    private readonly PriorityQueue<Wanted, long> _available = new();
    private readonly PriorityQueue<Wanted, DateTimeOffset> _delayed = new();
    private readonly Dictionary<string, SentWrite> _sentByTracking = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SentWrite> _lastSentByAgent = new(StringComparer.Ordinal);
    private readonly Queue<SentWrite> _sentOrder = new();
    private readonly Dictionary<string, string?> _earlyFailures = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SentWrite> _unconfirmed = new(StringComparer.Ordinal);
    private readonly PriorityQueue<SentWrite, DateTimeOffset> _confirmBy = new();
    private readonly Dictionary<string, (AgentState State, DateTimeOffset At)> _observed = new(StringComparer.Ordinal);
    private readonly ContactCenterDirectory _directory;
    private readonly WxccApiClient _api;
    private readonly IOptions<TeamsConnectorOptions> _connector;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ContactCenterTelemetry _telemetry;
    private readonly Uri _stateUri;
    private string? _reasonMarker;
    private TaskCompletionSource _pulse = NewPulse();
    private TaskCompletionSource _confirmPulse = NewPulse();
    private ChannelWriter<AgentWriteResult>? _results;
    private long _sequence;
    private int _running;

    public AgentStateOutbox(WxccApiClient api, ContactCenterDirectory directory, IOptions<TeamsConnectorOptions> connector, TimeProvider timeProvider, ContactCenterTelemetry telemetry, ILogger<AgentStateOutbox> logger)
    {
        _telemetry = telemetry;
        _api = api;
        _connector = connector;
        _directory = directory;
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

    /// <summary>Raised when an unconfirmed write's check has finished (or could not be made).</summary>
    public event Action? ConfirmationChecked;

    /// <summary>The accepted writes waiting for an agent event to confirm them (webhook mode).</summary>
    public int Unconfirmed
    {
        get
        {
            lock (_gate)
            {
                return _unconfirmed.Count;
            }
        }
    }

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
                _telemetry.WritesCoalesced.Add(1);
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
        using var stopConfirmations = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var confirmations = ConfirmLoopAsync(stopConfirmations.Token);
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
                await stopConfirmations.CancelAsync().ConfigureAwait(false);
                await Task.WhenAll(pending).ConfigureAwait(false);
                await confirmations.ConfigureAwait(false);
            }
            finally
            {
                ReportUnsent();
                _results = null;
                Volatile.Write(ref _running, 0);
            }
        }
    }

    /// <summary>
    /// Reports a write that WxCC accepted (202) and then refused (<c>AgentStateChangeFailed</c>), matched by tracking id,
    /// or else by the agent's last write.
    /// </summary>
    /// <returns><see langword="true"/> when it matched a write of the connector.</returns>
    internal bool ReportRemoteFailure(string? agentId, string? trackingId, string? reason)
    {
        SentWrite? sent = null;
        lock (_gate)
        {
            if (trackingId is not null && _sentByTracking.Remove(trackingId, out var byTracking))
            {
                sent = byTracking;
            }
            else if (agentId is not null && _inFlight.ContainsKey(agentId))
            {
                // The event overtook the 202: report it when the write's answer arrives.
                _earlyFailures[agentId] = reason;
                return true;
            }
            else if (agentId is not null && _lastSentByAgent.TryGetValue(agentId, out var byAgent))
            {
                sent = byAgent;
            }

            if (sent is not null)
            {
                ForgetLocked(sent);
            }
        }

        if (sent is null)
        {
            return false;
        }

        ReportRefused(sent, reason);
        return true;
    }

    /// <summary>
    /// An agent event passed on in webhook mode: it confirms the agent's unconfirmed write when it shows the written
    /// state, and ends the wait without a verdict when it shows a later, different state (someone else changed it).
    /// </summary>
    internal void ObserveAgentEvent(in AgentFeedEvent feedEvent)
    {
        lock (_gate)
        {
            // Remembered for a write whose 202 is still on its way (the webhook may overtake it).
            _observed[feedEvent.AgentId] = (feedEvent.Event.State, _time.GetUtcNow());
            if (_unconfirmed.TryGetValue(feedEvent.AgentId, out var sent)
                && (feedEvent.Event.State == sent.State || feedEvent.Event.Timestamp > sent.At))
            {
                _unconfirmed.Remove(feedEvent.AgentId);
            }
        }
    }

    private void AwaitConfirmationLocked(SentWrite sent, DateTimeOffset sendStarted)
    {
        var timeout = _api.Options.WriteConfirmationTimeout;
        if (_api.Options.EventSource != ContactCenterEventSource.Webhook || timeout <= TimeSpan.Zero)
        {
            return;
        }

        if (_observed.TryGetValue(sent.AgentId, out var seen) && seen.At >= sendStarted && seen.State == sent.State)
        {
            return; // its event arrived before the 202
        }

        _unconfirmed[sent.AgentId] = sent;
        _confirmBy.Enqueue(sent, sent.At + timeout);
        _confirmPulse.TrySetResult();
    }

    private async Task ConfirmLoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                List<SentWrite> due = [];
                Task pulse;
                TimeSpan? wait = null;
                lock (_gate)
                {
                    var now = _time.GetUtcNow();
                    while (_confirmBy.TryPeek(out var sent, out var by) && due.Count < ContactCenterDirectory.MaxAgentsPerActivitiesCall)
                    {
                        if (!_unconfirmed.TryGetValue(sent.AgentId, out var current) || !ReferenceEquals(current, sent))
                        {
                            _confirmBy.Dequeue(); // confirmed, or replaced by a newer write
                        }
                        else if (by <= now)
                        {
                            _confirmBy.Dequeue();
                            _unconfirmed.Remove(sent.AgentId);
                            due.Add(sent);
                        }
                        else
                        {
                            wait = by - now;
                            break;
                        }
                    }

                    if (_confirmPulse.Task.IsCompleted)
                    {
                        _confirmPulse = NewPulse();
                    }

                    pulse = _confirmPulse.Task;
                }

                if (due.Count > 0)
                {
                    await CheckUnconfirmedAsync(due, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                if (wait is { } w)
                {
                    using var cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    await Task.WhenAny(pulse, Task.Delay(w, _time, cancel.Token)).ConfigureAwait(false);
                    await cancel.CancelAsync().ConfigureAwait(false);
                    cancellationToken.ThrowIfCancellationRequested();
                }
                else
                {
                    await pulse.WaitAsync(cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>One targeted reconciliation of the agents whose accepted writes no event confirmed.</summary>
    private async Task CheckUnconfirmedAsync(List<SentWrite> due, CancellationToken cancellationToken)
    {
        try
        {
            var states = await _directory.GetCurrentStatesAsync([.. due.Select(static s => s.AgentId)], cancellationToken).ConfigureAwait(false);
            foreach (var sent in due)
            {
                var found = states.FirstOrDefault(s => string.Equals(s.AgentId, sent.AgentId, StringComparison.Ordinal));
                if (found.AgentId is null || found.Event.State == sent.State)
                {
                    continue;
                }

                bool latest;
                lock (_gate)
                {
                    // Only the agent's last accepted write is judged; a newer one has its own check.
                    latest = _lastSentByAgent.TryGetValue(sent.AgentId, out var last) && ReferenceEquals(last, sent)
                        && !_inFlight.ContainsKey(sent.AgentId) && !_wanted.ContainsKey(sent.AgentId);
                    if (latest)
                    {
                        ForgetLocked(sent);
                    }
                }

                if (latest)
                {
                    var reason = $"not confirmed within {_api.Options.WriteConfirmationTimeout}; WxCC reports {found.Event.State}";
                    _telemetry.WritesFailed.Add(1);
                    Log.WriteNotConfirmed(_logger, sent.AgentId, sent.State.ToString(), sent.TrackingId, found.Event.State.ToString());
                    Report(new AgentWriteResult(sent.AgentId, sent.State, false, reason, sent.TrackingId));
                }
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Log.ConfirmationCheckFailed(_logger, due.Count, ex is ContactCenterException ? ex.Message : ex.GetType().Name);
        }
        finally
        {
            ConfirmationChecked?.Invoke();
        }
    }

    private void ForgetLocked(SentWrite sent)
    {
        _sentByTracking.Remove(sent.TrackingId);
        if (_lastSentByAgent.TryGetValue(sent.AgentId, out var last) && ReferenceEquals(last, sent))
        {
            _lastSentByAgent.Remove(sent.AgentId);
        }
    }

    private void ReportRefused(SentWrite sent, string? reason)
    {
        _telemetry.WritesFailed.Add(1);
        Log.WriteRefusedLater(_logger, sent.AgentId, sent.State.ToString(), sent.TrackingId, Sanitize(reason));
        Report(new AgentWriteResult(sent.AgentId, sent.State, false, "AgentStateChangeFailed: " + (Sanitize(reason) ?? "no reason given"), sent.TrackingId));
    }

    private static string? Sanitize(string? text) =>
        text is null ? null : text.Length > 200 ? text[..200] : text;

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
        var sendStarted = _time.GetUtcNow();
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
        SentWrite? refusedEarly = null;
        string? earlyReason = null;
        lock (_gate)
        {
            _inFlight.Remove(write.AgentId);
            var hadEarlyFailure = _earlyFailures.Remove(write.AgentId, out earlyReason);
            if (response.IsSuccess)
            {
                var sent = new SentWrite(write.AgentId, write.State, response.TrackingId, _time.GetUtcNow());
                if (hadEarlyFailure)
                {
                    refusedEarly = sent;
                }
                else
                {
                    RememberLocked(sent);
                    AwaitConfirmationLocked(sent, sendStarted);
                }

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

        if (refusedEarly is not null)
        {
            ReportRefused(refusedEarly, earlyReason);
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

    private void RememberLocked(SentWrite sent)
    {
        _sentByTracking[sent.TrackingId] = sent;
        _lastSentByAgent[sent.AgentId] = sent;
        _sentOrder.Enqueue(sent);
        while (_sentOrder.Count > 0 && (_sentOrder.Count > MaxRememberedWrites || _sentOrder.Peek().At + s_rememberWrites < sent.At))
        {
            var old = _sentOrder.Dequeue();
            _sentByTracking.Remove(old.TrackingId);
            if (_lastSentByAgent.TryGetValue(old.AgentId, out var last) && ReferenceEquals(last, old))
            {
                _lastSentByAgent.Remove(old.AgentId);
            }
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

    private sealed record SentWrite(string AgentId, AgentState State, string TrackingId, DateTimeOffset At);
}
