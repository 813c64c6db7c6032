using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Webex.TeamsConnector;

/// <summary>The adapters the sync host drives, resolved from DI.</summary>
internal sealed record ConnectorPorts(
    ITeamsPresenceFeed PresenceFeed,
    ITeamsPresencePublisher Publisher,
    ITeamsUserResolver UserResolver,
    IAgentEventFeed AgentFeed,
    IAgentStateOutbox Outbox,
    IContactCenterDirectory Directory);

/// <summary>
/// One run of presence sync while the connector is Active and not degraded: builds the engine from WxCC's catalogue
/// and roster, runs the feeds, and drives the <see cref="SyncEngine"/> from a single loop (the only thread that
/// touches it). Ends when its token is cancelled (stop, or a status change) or when a feed fails.
/// </summary>
internal sealed class SyncSession : ISyncCommandSink
{
    private const int PublisherWorkers = 4;
    private const int BatchSize = 512;

    private readonly ConnectorPorts _ports;
    private readonly StateSyncOptions _options;
    private readonly ConnectorRuntime _runtime;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly TeamsConnectorTelemetry _telemetry;
    private readonly SyncEngine _engine;

    private readonly Channel<TeamsPresenceUpdate> _presences = Channel.CreateBounded<TeamsPresenceUpdate>(
        new BoundedChannelOptions(100_000) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly Channel<AgentFeedEvent> _agentEvents = Channel.CreateBounded<AgentFeedEvent>(
        new BoundedChannelOptions(100_000) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly Channel<AgentWriteResult> _writeResults = Channel.CreateUnbounded<AgentWriteResult>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Channel<Action<SyncSession>> _control = Channel.CreateUnbounded<Action<SyncSession>>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Channel<PublisherWork>[] _publishQueues;
    private readonly StateVerifier _verifier;
    private readonly AgentSignInLoader _signIns;
    private CancellationToken _feedsToken;

    private readonly Dictionary<string, long> _writeStartedAt = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DesktopProfile?> _profiles = new(StringComparer.Ordinal);
    private long _currentPresenceReceivedAt;

    public SyncSession(ConnectorPorts ports, StateSyncOptions options, SyncRules rules, ConnectorRuntime runtime, TimeProvider time, ILogger logger, TeamsConnectorTelemetry telemetry)
    {
        _ports = ports;
        _options = options;
        _runtime = runtime;
        _time = time;
        _logger = logger;
        _telemetry = telemetry;
        _engine = new SyncEngine(rules with { VerifyBeforeOverwrite = true, ClearStaleSessionAtStart = true }, time);
        _verifier = new StateVerifier(ports.Directory, logger, telemetry);
        _signIns = new AgentSignInLoader(ports, options, runtime, logger, telemetry, a => _control.Writer.TryWrite(_ => a()));
        _publishQueues = new Channel<PublisherWork>[PublisherWorkers];
        for (var i = 0; i < PublisherWorkers; i++)
        {
            _publishQueues[i] = Channel.CreateUnbounded<PublisherWork>(new UnboundedChannelOptions { SingleReader = true });
        }
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
        var roster = await LoadRosterAsync(cancellationToken).ConfigureAwait(false);
        ApplyRoster(roster, initial: true);

        _runtime.Observe(() => _engine.Count, () => _ports.Outbox.Depth);
        _telemetry.Observe(() => _ports.Outbox.Depth, () => _engine.Count);

        var workers = new List<Task>();
        for (var i = 0; i < PublisherWorkers; i++)
        {
            workers.Add(RunPublisherAsync(_publishQueues[i].Reader));
        }

        var presenceFeed = Task.Run(() => _ports.PresenceFeed.RunAsync(_presences.Writer, feeds.Token), CancellationToken.None);
        var agentFeed = Task.Run(() => _ports.AgentFeed.RunAsync(_agentEvents.Writer, feeds.Token), CancellationToken.None);
        _ports.Outbox.ReasonMarker = _options.ReasonMarker;
        var outbox = Task.Run(() => _ports.Outbox.RunAsync(_writeResults.Writer, feeds.Token), CancellationToken.None);
        var background = Task.Run(() => RunBackgroundAsync(profilesChanged, feeds.Token), CancellationToken.None);
        var verifier = Task.Run(() => _verifier.RunAsync(_agentEvents.Writer, feeds.Token), CancellationToken.None);
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
            await WhenAllQuietly(presenceFeed, agentFeed, outbox, background, verifier, setting).ConfigureAwait(false);
            DrainLostWrites();
            if (clearOnStop)
            {
                ClearPublished();
            }

            foreach (var queue in _publishQueues)
            {
                queue.Writer.TryComplete();
            }

            var publishers = Task.WhenAll(workers);
            await publishers.WaitAsync(TimeSpan.FromSeconds(10), _time, CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (!publishers.IsCompleted)
            {
                // Teams presence the connector published and could not clear in time expires by itself
                // (StateSync:PublishExpiration); say so, and count it.
                var left = _publishQueues.Sum(static q => q.Reader.Count);
                _telemetry.Reject("presence_clear_unfinished");
                Log.PublisherUnfinished(_logger, left);
            }

            Log.SyncStopped(_logger);
        }
    }

    void ISyncCommandSink.OnCommand(in SyncCommand command) => Dispatch(command);

    private async Task LoopAsync(Task[] feeds, CancellationToken cancellationToken)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var worked = false;
            while (_control.Reader.TryRead(out var action))
            {
                action(this);
                worked = true;
            }

            for (var i = 0; i < BatchSize && _agentEvents.Reader.TryRead(out var agentEvent); i++)
            {
                Handle(agentEvent);
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
                _engine.AdvanceTime(this);
            }

            if (!worked)
            {
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

    private void Handle(in TeamsPresenceUpdate update)
    {
        if (update.TeamsUserId is null)
        {
            _telemetry.Reject("presence_without_user");
            return;
        }

        var presence = TeamsPresence.Parse(update.Availability, update.Activity);
        _currentPresenceReceivedAt = update.ReceivedAt.UtcTicks;
        var decision = _engine.OnPresence(update.TeamsUserId, presence, update.SequenceNumber);
        _telemetry.Events.Add(1, new("source", "teams"), new("outcome", decision.Outcome.ToString()));
        if (decision.Outcome == SyncOutcome.UnknownAgent)
        {
            Log.UnknownAgent(_logger, "teams");
        }

        DispatchAll(decision);
        _currentPresenceReceivedAt = 0;
    }

    private void Handle(in AgentFeedEvent feedEvent)
    {
        var decision = _engine.OnAgentEvent(feedEvent.AgentId, feedEvent.Event);
        _telemetry.Events.Add(1, new("source", "wxcc"), new("outcome", decision.Outcome.ToString()));
        if (decision.Outcome == SyncOutcome.UnknownAgent)
        {
            Log.UnknownAgent(_logger, "wxcc");
            _signIns.OnUnknownAgent(feedEvent, (a, t, e) => { if (_signIns.Add(_engine, a, t)) Handle(e); }, _feedsToken);
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
            if (_writeStartedAt.Remove(result.AgentId, out var started))
            {
                _telemetry.SyncLatency.Record(TimeSpan.FromTicks(_time.GetUtcNow().UtcTicks - started).TotalMilliseconds);
            }

            return;
        }

        _writeStartedAt.Remove(result.AgentId);
        _telemetry.Reject("write_failed");
        Log.WriteFailed(_logger, result.AgentId, result.State, result.Reason);
        DispatchAll(_engine.OnWriteFailed(result.AgentId, result.State));
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
        _telemetry.Commands.Add(1, new("kind", command.Kind.ToString()), new("rule", command.Reason.Rule.ToString()));
        Log.CommandProduced(_logger, command);
        switch (command.Kind)
        {
            case SyncCommandKind.SetIdle:
            case SyncCommandKind.SetAvailable:
                _writeStartedAt[command.AgentId] = _currentPresenceReceivedAt != 0 ? _currentPresenceReceivedAt : _time.GetUtcNow().UtcTicks;
                _ports.Outbox.Enqueue(command.AgentId, command.State);
                break;
            case SyncCommandKind.Withdraw:
                if (_ports.Outbox.Withdraw(command.AgentId))
                {
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
                    EnqueuePublisher(command.AgentId, new PublisherWork(operation, teams, command.AgentId, command.Presence, command.Expiration));
                }

                break;
        }
    }

    private void EnqueuePublisher(string agentId, PublisherWork work)
    {
        var index = (int)((uint)StringComparer.Ordinal.GetHashCode(agentId) % PublisherWorkers);
        _publishQueues[index].Writer.TryWrite(work);
    }

    private async Task RunPublisherAsync(ChannelReader<PublisherWork> reader)
    {
        await foreach (var work in reader.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
        {
            try
            {
                // Not linked to the host's stopping token: clears sent at stop must still go out (bounded by the budget).
                using var budget = new CancellationTokenSource(TimeSpan.FromSeconds(30), _time);
                if (work.Operation == PublisherOperation.Publish)
                {
                    await _ports.Publisher.PublishAsync(work.TeamsUserId, work.Presence, work.Expiration, budget.Token).ConfigureAwait(false);
                }
                else
                {
                    await _ports.Publisher.ClearAsync(work.TeamsUserId, budget.Token).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                _telemetry.Reject(work.Operation == PublisherOperation.Publish ? "publish_failed" : "clear_failed");
                Log.PublishFailed(_logger, work.Operation.ToString(), work.AgentId, ex.GetType().Name + ": " + ex.Message);
            }
        }
    }

    /// <summary>
    /// Re-reads the roster and the presence-sync setting every <see cref="StateSyncOptions.RosterRefreshInterval"/>.
    /// (The Contact Center adapter's event feed reconciles agent states itself.)
    /// </summary>
    private async Task RunBackgroundAsync(CancellationToken profilesChanged, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            using (var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, profilesChanged))
            {
                // A desktop-profile change through the admin API refreshes the roster at once, without a restart.
                await Task.Delay(_options.RosterRefreshInterval, _time, wait.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                cancellationToken.ThrowIfCancellationRequested();
            }

            // Taken before the roster reads the profile settings, so that a change made meanwhile is not missed.
            profilesChanged = _runtime.ProfilesChanged;

            try
            {
                var enabled = await _ports.Directory.GetPresenceSyncSettingAsync(cancellationToken).ConfigureAwait(false);
                if (!enabled)
                {
                    // Degraded: the status change ends this session.
                    await _runtime.UpdateAsync(r => (r with { PresenceSyncEnabled = false }, true), cancellationToken).ConfigureAwait(false);
                    return;
                }

                _profiles.Clear();
                var roster = await LoadRosterAsync(cancellationToken).ConfigureAwait(false);
                _control.Writer.TryWrite(s => s.ApplyRoster(roster, initial: false));
                _runtime.SetSyncing(true, null);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                _runtime.SetSyncing(true, "roster refresh failed: " + ex.Message);
            }
        }
    }

    /// <summary>
    /// Reads the current states of agents added by a roster refresh and feeds them in (older ones are dropped by the
    /// engine). At session start the agent event feed's own reconciliation gives every agent's state.
    /// </summary>
    private async Task ReconcileAsync(List<string> agentIds, CancellationToken cancellationToken)
    {
        if (agentIds.Count == 0)
        {
            return;
        }

        try
        {
            var states = await _ports.Directory.GetCurrentStatesAsync(agentIds, cancellationToken).ConfigureAwait(false);
            foreach (var state in states)
            {
                await _agentEvents.Writer.WriteAsync(state, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _telemetry.Reject("reconciliation_failed");
            Log.ReconciliationFailed(_logger, ex.GetType().Name + ": " + ex.Message);
        }
    }

    private async Task<IReadOnlyList<RosterEntry>> LoadRosterAsync(CancellationToken cancellationToken)
    {
        using var activity = TeamsConnectorTelemetry.ActivitySource.StartActivity("TeamsConnector.LoadRoster");
        var users = await _ports.Directory.GetUsersAsync(cancellationToken).ConfigureAwait(false);
        _signIns.SetRosterUsers(users);
        var overrides = _runtime.Record.DesktopProfiles;
        var wanted = _options.SyncAllEligibleAgents ? null : new HashSet<string>(_options.Agents, StringComparer.OrdinalIgnoreCase);
        var eligible = new List<ContactCenterUser>();
        foreach (var user in users)
        {
            if (!user.Active || !user.ContactCenterEnabled || string.IsNullOrWhiteSpace(user.AgentId))
            {
                continue;
            }

            if (wanted is not null && !wanted.Contains(user.AgentId) && (user.Email is null || !wanted.Contains(user.Email)))
            {
                continue;
            }

            DesktopProfile? profile = null;
            if (user.DesktopProfileId is { } profileId)
            {
                if (!overrides.TryGetValue(profileId, out profile) && !_profiles.TryGetValue(profileId, out profile))
                {
                    profile = await _ports.Directory.GetDesktopProfileAsync(profileId, cancellationToken).ConfigureAwait(false);
                    _profiles[profileId] = profile;
                }
            }

            if (DesktopProfileRules.MaySyncState(profile))
            {
                eligible.Add(user);
            }
        }

        var entries = new RosterEntry[eligible.Count];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, eligible.Count),
            new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken },
            async (i, token) =>
            {
                var user = eligible[i];
                var teams = user.Email is null ? null : await _ports.UserResolver.ResolveAsync(user.Email, token).ConfigureAwait(false);
                entries[i] = new RosterEntry(user.AgentId, user.Email, teams);
            }).ConfigureAwait(false);
        return entries;
    }

    private void ApplyRoster(IReadOnlyList<RosterEntry> roster, bool initial)
    {
        var keep = new HashSet<string>(StringComparer.Ordinal);
        int added = 0, removed = 0, unresolved = 0;
        var newAgents = new List<string>();
        foreach (var entry in roster)
        {
            if (entry.TeamsUserId is null)
            {
                unresolved++;
                Log.TeamsUserNotFound(_logger, entry.AgentId, entry.Email ?? "(no e-mail)");
                continue;
            }

            keep.Add(entry.AgentId);
            try
            {
                if (_engine.AddAgent(entry.AgentId, entry.TeamsUserId))
                {
                    added++;
                    newAgents.Add(entry.AgentId);
                }
            }
            catch (ArgumentException)
            {
                unresolved++;
                _telemetry.Reject("teams_user_shared");
            }
        }

        foreach (var agent in _engine.GetAgents())
        {
            if (!keep.Contains(agent.AgentId))
            {
                DispatchAll(_engine.RemoveAgent(agent.AgentId));
                removed++;
            }
        }

        _ports.PresenceFeed.SetWatchedUsers(_engine.GetTeamsUserIds());
        if (added > 0 || removed > 0 || initial)
        {
            Log.RosterChanged(_logger, added, removed, unresolved, _engine.Count);
        }

        _signIns.Forget();
        if (!initial && newAgents.Count > 0)
        {
            _ = ReconcileAsync(newAgents, CancellationToken.None);
        }
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
                EnqueuePublisher(agent.AgentId, new PublisherWork(PublisherOperation.Clear, teams, agent.AgentId, agent.Published, TimeSpan.Zero));
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

    private sealed record RosterEntry(string AgentId, string? Email, string? TeamsUserId);

    private enum PublisherOperation
    {
        Publish,
        Clear,
        ClearStale,
    }

    private readonly record struct PublisherWork(PublisherOperation Operation, string TeamsUserId, string AgentId, PublishedPresence Presence, TimeSpan Expiration);
}
