using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Webex.TeamsConnector;

/// <summary>
/// One run of presence sync while the connector is Active and not degraded: builds the engine from WxCC's catalogue
/// and roster, runs the feeds, and drives the <see cref="SyncEngine"/> from a single loop (the only thread that
/// touches it). Ends when its token is cancelled (stop, or a status change) or when a feed fails.
/// </summary>
internal sealed partial class SyncSession : ISyncCommandSink
{
    private const int BatchSize = 512;

    private readonly ConnectorPorts _ports;
    private readonly StateSyncOptions _options;
    private readonly ConnectorRuntime _runtime;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly TeamsConnectorTelemetry _telemetry;
    private readonly SyncEngine _engine;

    // Each event is routed at the edge: the feed's own thread takes the agent's handle (and parses the presence) as it
    // writes, through the writers below, so that the loop does not hash the id again (see AgentHandle).
    private readonly Channel<RoutedPresence> _presences = Channel.CreateBounded<RoutedPresence>(
        new BoundedChannelOptions(100_000) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly Channel<RoutedAgentEvent> _agentEvents = Channel.CreateBounded<RoutedAgentEvent>(
        new BoundedChannelOptions(100_000) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly ChannelWriter<TeamsPresenceUpdate> _presenceWriter;
    private readonly ChannelWriter<AgentFeedEvent> _agentEventWriter;
    private readonly Channel<AgentWriteResult> _writeResults = Channel.CreateUnbounded<AgentWriteResult>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Channel<Action<SyncSession>> _control = Channel.CreateUnbounded<Action<SyncSession>>(new UnboundedChannelOptions { SingleReader = true });
    private readonly PublisherPool _publishers;
    private readonly StateVerifier _verifier;
    private readonly AgentSignInLoader _signIns;
    private readonly RosterLoader _roster;
    private readonly AgentReconciler _reconciler;
    private readonly AuditRecorder? _audit;
    private CancellationToken _feedsToken;
    private bool _fromTimer;

    private readonly Dictionary<string, long> _writeStartedAt = new(StringComparer.Ordinal);
    private long _currentPresenceReceivedAt;

    public SyncSession(ConnectorPorts ports, StateSyncOptions options, SyncRules rules, ConnectorRuntime runtime, TimeProvider time, ILogger logger, TeamsConnectorTelemetry telemetry, AuditRecorder? audit = null)
    {
        _audit = audit;
        _ports = ports;
        _options = options;
        _runtime = runtime;
        _time = time;
        _logger = logger;
        _telemetry = telemetry;
        _engine = new SyncEngine(rules with { VerifyBeforeOverwrite = true, ClearStaleSessionAtStart = true }, time);
        _presenceWriter = EdgeWriter.ForPresences(_presences.Writer, _engine.EdgeIndex);
        _agentEventWriter = EdgeWriter.ForAgentEvents(_agentEvents.Writer, _engine.EdgeIndex);
        _verifier = new StateVerifier(ports.Directory, logger, telemetry);
        _signIns = new AgentSignInLoader(ports, options, runtime, logger, telemetry, a => _control.Writer.TryWrite(_ => a()));
        _publishers = new PublisherPool(ports.Publisher, time, logger, telemetry);
        _roster = new RosterLoader(ports, options, runtime, _signIns);
        _reconciler = new AgentReconciler(ports.Directory, _agentEventWriter, logger, telemetry);
    }

    public SyncEngine Engine => _engine;

    /// <summary>Asks the loop for a copy of every agent's state.</summary>
    public Task<IReadOnlyList<AgentSyncSnapshot>> SnapshotAsync(CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource<IReadOnlyList<AgentSyncSnapshot>>(TaskCreationOptions.RunContinuationsAsynchronously);
        _control.Writer.TryWrite(s => done.TrySetResult(s._engine.GetAgents()));
        return done.Task.WaitAsync(TimeSpan.FromSeconds(10), _time, cancellationToken);
    }

    /// <summary>Runs the session until <paramref name="cancellationToken"/> is cancelled or a feed fails.</summary>
    public async Task RunAsync(bool clearOnStop, CancellationToken cancellationToken)
    {
        using var activity = TeamsConnectorTelemetry.ActivitySource.StartActivity("TeamsConnector.SyncSession");
        using var feeds = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _feedsToken = feeds.Token;
        var profilesChanged = _runtime.ProfilesChanged;
        var rest = await LoadFirstRosterPartAsync(cancellationToken).ConfigureAwait(false);

        _runtime.Observe(() => _engine.Count, () => _ports.Outbox.Depth);
        _telemetry.Observe(() => _ports.Outbox.Depth, () => _engine.Count);

        _publishers.Start();
        var presenceFeed = Task.Run(() => _ports.PresenceFeed.RunAsync(_presenceWriter, feeds.Token), CancellationToken.None);
        var agentFeed = Task.Run(() => _ports.AgentFeed.RunAsync(_agentEventWriter, feeds.Token), CancellationToken.None);
        _ports.Outbox.ReasonMarker = _options.ReasonMarker;
        var outbox = Task.Run(() => _ports.Outbox.RunAsync(_writeResults.Writer, feeds.Token), CancellationToken.None);
        var background = Task.Run(() => RunBackgroundAsync(profilesChanged, feeds.Token), CancellationToken.None);
        var verifier = Task.Run(() => _verifier.RunAsync(_agentEventWriter, feeds.Token), CancellationToken.None);
        var setting = Task.Run(() => PresenceSyncSettingWatch.RunAsync(_ports.Directory, _runtime, _options.PresenceSyncCheckInterval, _time, _logger, feeds.Token), CancellationToken.None);

        _runtime.SetSyncing(true, null);
        Log.SyncStarted(_logger, _engine.Count, _engine.Rules.Mapping.Entries.Count);
        try
        {
            await LoopAsync([presenceFeed, agentFeed, outbox, background, verifier, setting], cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _runtime.SetSyncing(false, null);
            await feeds.CancelAsync().ConfigureAwait(false);
            await WhenAllQuietly(presenceFeed, agentFeed, outbox, background, verifier, setting, rest).ConfigureAwait(false);
            DrainLostWrites();
            _audit?.Flush();
            if (clearOnStop)
            {
                ClearPublished();
            }

            await _publishers.CompleteAsync().ConfigureAwait(false);

            Log.SyncStopped(_logger);
        }
    }

    void ISyncCommandSink.OnCommand(in SyncCommand command) => Dispatch(command);

    private async Task LoopAsync(Task[] feeds, CancellationToken cancellationToken)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            _audit?.Tick();
            var worked = false;
            while (_control.Reader.TryRead(out var action))
            {
                action(this);
                worked = true;
            }

            for (var i = 0; i < BatchSize && _agentEvents.Reader.TryRead(out var agentEvent); i++)
            {
                Handle(agentEvent.Event, agentEvent.Agent);
                worked = true;
            }

            for (var i = 0; i < BatchSize && _writeResults.Reader.TryRead(out var result); i++)
            {
                Handle(result);
                worked = true;
            }

            for (var i = 0; i < BatchSize && _presences.Reader.TryRead(out var presence); i++)
            {
                Handle(presence);
                worked = true;
            }

            if (_engine.NextDueAt is { } due && due <= _time.GetUtcNow())
            {
                _fromTimer = true;
                _engine.AdvanceTime(this);
                _fromTimer = false;
            }

            if (!worked)
            {
                _audit?.Flush();
                await WaitForWorkAsync(feeds, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task WaitForWorkAsync(Task[] feeds, CancellationToken cancellationToken)
    {
        foreach (var feed in feeds)
        {
            if (feed.IsCompleted)
            {
                await feed.ConfigureAwait(false);
                throw new InvalidOperationException("A feed of the connector stopped unexpectedly.");
            }
        }

        var wait = _options.TimerResolution;
        if (_engine.NextDueAt is { } due)
        {
            var untilDue = due - _time.GetUtcNow();
            if (untilDue < wait)
            {
                wait = untilDue < TimeSpan.Zero ? TimeSpan.Zero : untilDue;
            }
        }

        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var tasks = new List<Task>(feeds.Length + 5)
        {
            _agentEvents.Reader.WaitToReadAsync(waiting.Token).AsTask(),
            _presences.Reader.WaitToReadAsync(waiting.Token).AsTask(),
            _writeResults.Reader.WaitToReadAsync(waiting.Token).AsTask(),
            _control.Reader.WaitToReadAsync(waiting.Token).AsTask(),
            Task.Delay(wait, _time, waiting.Token),
        };
        tasks.AddRange(feeds);
        await Task.WhenAny(tasks).ConfigureAwait(false);
        await waiting.CancelAsync().ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
    }

    /// <summary>One Teams presence through the loop (internal for the session benchmark; the loop's thread only).</summary>
    internal void Handle(in RoutedPresence routed)
    {
        var update = routed.Update;
        if (update.TeamsUserId is null)
        {
            _telemetry.Reject("presence_without_user");
            return;
        }

        var presence = routed.Presence;
        _currentPresenceReceivedAt = update.ReceivedAt.UtcTicks;
        var decision = _engine.OnPresence(routed.Agent, update.TeamsUserId, presence, update.SequenceNumber);
        MarkStartPriority(update.TeamsUserId, presence);
        _audit?.OnPresence(update, decision, _engine);

        if (_telemetry.Events.Enabled)
        {
            // Cached names (no Enum.ToString per event), and no tags built while nothing listens.
            _telemetry.Events.Add(1, new("source", "teams"), new("outcome", AuditText.Of(decision.Outcome)));
        }

        if (decision.Outcome == SyncOutcome.UnknownAgent)
        {
            Log.UnknownAgent(_logger, "teams");
        }

        DispatchAll(decision);
        _currentPresenceReceivedAt = 0;
    }

    /// <summary>One WxCC agent event through the loop (internal for the session benchmark; the loop's thread only).</summary>
    internal void Handle(in AgentFeedEvent feedEvent, in AgentHandle agent = default)
    {
        var decision = _engine.OnAgentEvent(agent, feedEvent.AgentId, feedEvent.Event);
        _audit?.OnAgentEvent(feedEvent, decision, _engine);

        if (_telemetry.Events.Enabled)
        {
            _telemetry.Events.Add(1, new("source", "wxcc"), new("outcome", AuditText.Of(decision.Outcome)));
        }

        if (decision.Outcome == SyncOutcome.UnknownAgent && ParkWhileResolving(feedEvent))
        {
            return;
        }

        if (decision.Outcome == SyncOutcome.UnknownAgent)
        {
            Log.UnknownAgent(_logger, "wxcc");
            if (!IsPaused(feedEvent.AgentId))
            {
                _signIns.OnUnknownAgent(feedEvent, (a, t, e) => { if (!IsPaused(a) && _signIns.Add(_engine, a, t)) Handle(e); }, _feedsToken);
            }
        }
        else if (decision.Outcome == SyncOutcome.ClockSkew)
        {
            _telemetry.Reject("agent_event_clock_skew");
            Log.EventClockSkew(_logger, feedEvent.AgentId, feedEvent.Event.Timestamp - _time.GetUtcNow());
        }

        DispatchAll(decision);
    }

    private void Handle(in AgentWriteResult result)
    {
        if (result.Succeeded)
        {
            if (_writeStartedAt.Count != 0 && _writeStartedAt.Remove(result.AgentId, out var started))
            {
                _telemetry.SyncLatency.Record(TimeSpan.FromTicks(_time.GetUtcNow().UtcTicks - started).TotalMilliseconds);
            }

            _audit?.OnWriteResult(result, default, _engine);
            return;
        }

        _writeStartedAt.Remove(result.AgentId);
        _telemetry.Reject("write_failed");
        Log.WriteFailed(_logger, result.AgentId, result.State, result.Reason);
        var decision = _engine.OnWriteFailed(result.AgentId, result.State);
        _audit?.OnWriteResult(result, decision, _engine);
        DispatchAll(decision);
    }

    private void DispatchAll(in SyncDecision decision)
    {
        for (var i = 0; i < decision.Count; i++)
        {
            Dispatch(decision[i]);
        }
    }

    private void Dispatch(in SyncCommand command)
    {
        if (_telemetry.Commands.Enabled)
        {
            _telemetry.Commands.Add(1, new("kind", AuditText.Of(command.Kind)), new("rule", AuditText.Of(command.Reason.Rule)));
        }

        Log.CommandProduced(_logger, command);
        var withdrawn = false;
        switch (command.Kind)
        {
            case SyncCommandKind.SetIdle:
            case SyncCommandKind.SetAvailable:
                if (_telemetry.SyncLatency.Enabled)
                {
                    // Only for the latency metric: no map kept while nothing listens.
                    _writeStartedAt[command.AgentId] = _currentPresenceReceivedAt != 0 ? _currentPresenceReceivedAt : _time.GetUtcNow().UtcTicks;
                }

                _ports.Outbox.Enqueue(command.AgentId, command.State);
                break;
            case SyncCommandKind.Withdraw:
                if (_ports.Outbox.Withdraw(command.AgentId))
                {
                    withdrawn = true;
                    _writeStartedAt.Remove(command.AgentId);
                    Log.WriteWithdrawn(_logger, command.AgentId, _engine.TryGetAgent(command.AgentId, out var agent) ? agent.Origin : StateOrigin.Unknown);
                }

                break;
            case SyncCommandKind.Verify:
                _verifier.Request(command.AgentId);
                break;
            case SyncCommandKind.PublishPresence:
            case SyncCommandKind.ClearPresence:
                if (command.TeamsUserId is { } teams)
                {
                    var operation = command.Kind == SyncCommandKind.PublishPresence ? PublisherOperation.Publish
                        : command.Reason.Rule == SyncRule.ClearStaleSession ? PublisherOperation.ClearStale : PublisherOperation.Clear;
                    _publishers.Enqueue(new PublisherWork(operation, teams, command.AgentId, command.Presence, command.Expiration));
                }

                break;
        }

        _audit?.OnCommand(command, _fromTimer, _engine, withdrawn);
    }

    private void DrainLostWrites()
    {
        var lost = 0;
        while (_writeResults.Reader.TryRead(out var result))
        {
            if (!result.Succeeded)
            {
                lost++;
                _telemetry.Reject("write_lost_at_stop");
            }
        }

        if (lost > 0)
        {
            Log.WritesLostAtShutdown(_logger, lost);
        }
    }

    private void ClearPublished()
    {
        foreach (var agent in _engine.GetAgents())
        {
            if (agent.Published != PublishedPresence.None && agent.TeamsUserId is { } teams)
            {
                _publishers.Enqueue(new PublisherWork(PublisherOperation.Clear, teams, agent.AgentId, agent.Published, TimeSpan.Zero));
            }
        }
    }

    private static async Task WhenAllQuietly(params Task[] tasks)
    {
        try
        {
            await Task.WhenAll(tasks).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Debug.WriteLine(ex);
        }
    }
}
