using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Webex.TeamsConnector.ContactCenter;

/// <summary>
/// The adapter's <see cref="IAgentEventFeed"/>: in webhook mode it keeps the subscription in place and passes on what
/// <see cref="WxccWebhookProcessor"/> accepted; in websocket mode it runs the notification websocket. In both modes it
/// reconciles agent states (<c>GET /v1/agents/activities</c>) at start (in websocket mode once the socket's first attempt
/// is over), after every reconnect and every
/// <see cref="ContactCenterOptions.ReconciliationInterval"/>, because WxCC does not guarantee delivery.
/// </summary>
internal sealed class ContactCenterAgentEventFeed : IAgentEventFeed, IPrioritizedAgentFeed
{
    private static readonly TimeSpan s_maxSubscriptionRetry = TimeSpan.FromMinutes(5);

    private readonly WxccApiClient _api;
    private readonly ContactCenterDirectory _directory;
    private readonly WebhookEventQueue _queue;
    private readonly WebhookSubscriptionManager _subscriptions;
    private readonly WebSocketAgentEventFeed _webSocket;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private TaskCompletionSource _reconcileRequest = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _reconciliations;

    public ContactCenterAgentEventFeed(
        WxccApiClient api,
        ContactCenterDirectory directory,
        WebhookEventQueue queue,
        WebhookSubscriptionManager subscriptions,
        WebSocketAgentEventFeed webSocket,
        TimeProvider timeProvider,
        ILogger<ContactCenterAgentEventFeed> logger)
    {
        _api = api;
        _directory = directory;
        _queue = queue;
        _subscriptions = subscriptions;
        _webSocket = webSocket;
        _time = timeProvider;
        _logger = logger;
    }

    /// <summary>Raised after each reconciliation, with the number of events it passed on.</summary>
    public event Action<int>? Reconciled;

    /// <summary>The agents the first reconciliation reads first (marked by the sync session as their presence arrives).</summary>
    public AgentStartPriority StartPriority { get; } = new();

    /// <summary>The number of reconciliations completed.</summary>
    public int Reconciliations => Volatile.Read(ref _reconciliations);

    private readonly TaskCompletionSource<string> _subscription = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The webhook subscription id once ensured.</summary>
    public string? SubscriptionId { get; private set; }

    /// <summary>Completes with the webhook subscription id once it is ensured.</summary>
    public Task<string> SubscriptionEnsured => _subscription.Task;

    public async Task RunAsync(ChannelWriter<AgentFeedEvent> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);

        try
        {
            await _directory.GetIdleCodesAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ContactCenterException ex)
        {
            Log.CatalogueFailed(_logger, ex.Message);
        }

        // In websocket mode the first reconciliation waits for the socket's first attempt: once the socket is welcomed,
        // every later change arrives on it, so one reconciliation started after that covers the start (before, the
        // welcome asked for a second one at once: at 30,000 agents 600 more requests).
        var webSocket = _api.Options.EventSource == ContactCenterEventSource.WebSocket;
        var firstAttempt = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnAttemptEnded(TimeSpan _) => firstAttempt.TrySetResult();
        void OnWelcome()
        {
            RequestReconciliation();
            firstAttempt.TrySetResult();
        }

        var tasks = new List<Task> { ReconcileLoopAsync(events, webSocket ? firstAttempt.Task : Task.CompletedTask, cancellationToken) };
        if (webSocket)
        {
            _webSocket.ReconnectScheduled += OnAttemptEnded;
            var socket = _webSocket.RunAsync(events, OnWelcome, cancellationToken);
            _ = socket.ContinueWith(_ => firstAttempt.TrySetResult(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            tasks.Add(socket);
        }
        else
        {
            tasks.Add(PumpWebhooksAsync(events, cancellationToken));
            if (_api.Options.WebhookUrl is not null)
            {
                tasks.Add(EnsureSubscriptionAsync(cancellationToken));
            }
        }

        try
        {
            await Task.WhenAll(tasks).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            _webSocket.ReconnectScheduled -= OnAttemptEnded;
        }
    }

    /// <summary>Asks for a reconciliation as soon as possible.</summary>
    public void RequestReconciliation() => _reconcileRequest.TrySetResult();

    private async Task PumpWebhooksAsync(ChannelWriter<AgentFeedEvent> events, CancellationToken cancellationToken)
    {
        await foreach (var item in _queue.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            await events.WriteAsync(item, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task EnsureSubscriptionAsync(CancellationToken cancellationToken)
    {
        var attempt = 0;
        while (true)
        {
            try
            {
                SubscriptionId = await _subscriptions.EnsureAsync(cancellationToken).ConfigureAwait(false);
                _subscription.TrySetResult(SubscriptionId);
                return;
            }
            catch (ContactCenterException ex)
            {
                attempt++;
                var delay = TimeSpan.FromTicks(Math.Min(s_maxSubscriptionRetry.Ticks, TimeSpan.FromSeconds(5 * Math.Pow(2, Math.Min(attempt - 1, 10))).Ticks));
                Log.SubscriptionFailed(_logger, ex.Message, delay);
                await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task ReconcileLoopAsync(ChannelWriter<AgentFeedEvent> events, Task ready, CancellationToken cancellationToken)
    {
        var interval = _api.Options.ReconciliationInterval;
        var failures = 0;
        await ready.WaitAsync(cancellationToken).ConfigureAwait(false);
        while (!cancellationToken.IsCancellationRequested)
        {
            _reconcileRequest = new(TaskCreationOptions.RunContinuationsAsynchronously);
            await CheckSubscriptionAsync(cancellationToken).ConfigureAwait(false);

            // A failed reconciliation is tried again soon (1 s, doubling, at most the interval): until one succeeds, an
            // agent whose state was never read is not synced at all.
            failures = await ReconcileAsync(events, cancellationToken).ConfigureAwait(false) ? 0 : failures + 1;
            var wait = failures == 0 ? interval : Backoff.Doubling(TimeSpan.FromSeconds(1), failures, max: interval);
            using var wake = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var timer = Task.Delay(wait, _time, wake.Token);
            await Task.WhenAny(timer, _reconcileRequest.Task).ConfigureAwait(false);
            await wake.CancelAsync().ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    /// <summary>
    /// In webhook mode, once the subscription is in place: checks at every reconciliation that it still exists and is
    /// active, and puts it back (re-activates or re-creates it) when it is not — otherwise no webhook would ever arrive
    /// again and only the reconciliation poll would carry agent changes.
    /// </summary>
    private async Task CheckSubscriptionAsync(CancellationToken cancellationToken)
    {
        if (SubscriptionId is not { } id)
        {
            return;
        }

        try
        {
            var status = await _subscriptions.GetStatusAsync(id, cancellationToken).ConfigureAwait(false);
            if (string.Equals(status, "active", StringComparison.OrdinalIgnoreCase))
            {
                return;
            }

            Log.SubscriptionLost(_logger, id, status ?? "gone");
            SubscriptionId = await _subscriptions.EnsureAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ContactCenterException ex)
        {
            Log.SubscriptionCheckFailed(_logger, ex.Message);
        }
    }

    /// <summary>
    /// Reads every eligible agent's current state and passes each group on as its request answers, so that the first
    /// agents sync while the rest are still read. The users come from the roster's read when it is fresh and no
    /// reconciliation has used it (at start), else from a new read. The first reconciliation reads the agents of
    /// <see cref="StartPriority"/> first, then closes it.
    /// </summary>
    private async Task<bool> ReconcileAsync(ChannelWriter<AgentFeedEvent> events, CancellationToken cancellationToken)
    {
        try
        {
            var (users, shared) = await _directory.GetUsersForReconciliationAsync(cancellationToken).ConfigureAwait(false);
            if (shared)
            {
                Log.ReconciliationSharedUsers(_logger, users.Count);
            }

            var agents = users.Where(static u => u.ContactCenterEnabled && u.Active).Select(static u => u.AgentId).ToList();
            var priority = StartPriority.IsOpen ? StartPriority : null;
            var passed = 0;
            await _directory.ReadCurrentStatesAsync(
                agents,
                priority,
                async (part, token) =>
                {
                    foreach (var state in part)
                    {
                        // Every record goes to the sync rules, which drop what they have seen already.
                        await events.WriteAsync(state, token).ConfigureAwait(false);
                    }

                    passed += part.Count;
                },
                cancellationToken).ConfigureAwait(false);

            Interlocked.Increment(ref _reconciliations);
            Reconciled?.Invoke(passed);
            return true;
        }
        catch (ContactCenterException ex)
        {
            Log.ReconciliationFailed(_logger, ex.Message);
            return false;
        }
        finally
        {
            StartPriority.Close();
        }
    }
}
