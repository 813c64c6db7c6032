using System.Threading.Channels;

namespace Webex.TeamsConnector;

/// <summary>The session's roster jobs: applying a loaded roster to the engine, and refreshing it in the background.</summary>
internal sealed partial class SyncSession
{
    /// <summary>
    /// Re-reads the roster every <see cref="StateSyncOptions.RosterRefreshInterval"/>. (The presence-sync setting has its
    /// own watch, <see cref="PresenceSyncSettingWatch"/>; the Contact Center adapter's event feed reconciles agent states
    /// itself.)
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
                _roster.ForgetProfiles();
                var roster = await _roster.LoadAsync(cancellationToken).ConfigureAwait(false);
                _control.Writer.TryWrite(s => s.ApplyRoster(roster, initial: false));
                _runtime.SetSyncing(true, null);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                _runtime.SetSyncing(true, "roster refresh failed: " + ex.Message);
            }
        }
    }

    /// <summary>Agent events of eligible agents whose Teams user is still being resolved at start, newest per agent.</summary>
    private readonly Dictionary<string, AgentFeedEvent> _parked = new(StringComparer.Ordinal);
    private bool _rosterLoading;

    /// <summary>
    /// Starts loading the roster and applies its first resolved part, so that the feeds start (and those agents sync)
    /// while the rest still resolves; the rest joins on the loop as it is resolved, and the whole roster is applied
    /// last. Returns the task that carries the rest. A roster that fails before its first part fails the session.
    /// </summary>
    private async Task<Task> LoadFirstRosterPartAsync(CancellationToken cancellationToken)
    {
        var parts = Channel.CreateUnbounded<IReadOnlyList<RosterEntry>>(new UnboundedChannelOptions { SingleReader = true });
        var loading = Task.Run(
            async () =>
            {
                try
                {
                    return await _roster.LoadAsync(cancellationToken, part => parts.Writer.TryWrite(part)).ConfigureAwait(false);
                }
                finally
                {
                    parts.Writer.TryComplete();
                }
            },
            CancellationToken.None);
        _rosterLoading = true;
        if (!await parts.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            // Nothing to resolve (or the load failed: this throws).
            _rosterLoading = false;
            ApplyRoster(await loading.ConfigureAwait(false), initial: true);
            return Task.CompletedTask;
        }

        parts.Reader.TryRead(out var first);
        ApplyRosterPart(first!);
        return Task.Run(() => ApplyRestOfRosterAsync(parts.Reader, loading, cancellationToken), CancellationToken.None);
    }

    private async Task ApplyRestOfRosterAsync(ChannelReader<IReadOnlyList<RosterEntry>> parts, Task<IReadOnlyList<RosterEntry>> loading, CancellationToken cancellationToken)
    {
        await foreach (var part in parts.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            _control.Writer.TryWrite(s => s.ApplyRosterPart(part));
        }

        try
        {
            var roster = await loading.ConfigureAwait(false);
            _control.Writer.TryWrite(s => s.FinishInitialRoster(roster));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _control.Writer.TryWrite(s => s.FinishInitialRoster(null));
            _runtime.SetSyncing(true, "roster load failed: " + ex.Message);
        }
    }

    /// <summary>On the loop: adds the resolved agents of a part and applies the events kept for them.</summary>
    private void ApplyRosterPart(IReadOnlyList<RosterEntry> part)
    {
        var added = 0;
        foreach (var entry in part)
        {
            if (entry.TeamsUserId is null)
            {
                continue;
            }

            try
            {
                if (_engine.AddAgent(entry.AgentId, entry.TeamsUserId))
                {
                    added++;
                }
            }
            catch (ArgumentException)
            {
                _telemetry.Reject("teams_user_shared");
                continue;
            }

            if (_parked.Remove(entry.AgentId, out var parked))
            {
                Handle(parked);
            }
        }

        if (added > 0)
        {
            _ports.PresenceFeed.SetWatchedUsers(_engine.GetTeamsUserIds());
        }
    }

    /// <summary>On the loop: the whole initial roster is resolved; applies it (logs, removals) and drops what was kept.</summary>
    private void FinishInitialRoster(IReadOnlyList<RosterEntry>? roster)
    {
        _rosterLoading = false;
        _parked.Clear();
        if (roster is not null)
        {
            ApplyRoster(roster, initial: true);
        }
    }

    private bool _startPriorityClosed;

    /// <summary>
    /// Until the agent feed's first reconciliation ends: marks an agent whose Teams presence maps to an idle code while
    /// its WxCC state is still unknown, so that the feed reads that agent's state first (a decision waits for it).
    /// </summary>
    private void MarkStartPriority(string teamsUserId, in TeamsPresence presence)
    {
        if (_startPriorityClosed)
        {
            return;
        }

        if ((_ports.AgentFeed as IPrioritizedAgentFeed)?.StartPriority is not { IsOpen: true } priority)
        {
            _startPriorityClosed = true;
            return;
        }

        // Called right after the engine's decision on this presence: the machine it ran is the user's agent's.
        if (_engine.Rules.Mapping.Resolve(presence) is not null && _engine.LastDecidedAwaitsState(teamsUserId, out var agentId))
        {
            priority.Mark(agentId);
        }
    }

    /// <summary>Keeps the newest event of an eligible agent whose Teams user is still being resolved at start.</summary>
    private bool ParkWhileResolving(in AgentFeedEvent feedEvent)
    {
        if (!_rosterLoading || !_roster.Eligible.Contains(feedEvent.AgentId))
        {
            return false;
        }

        if (!_parked.TryGetValue(feedEvent.AgentId, out var kept) || kept.Event.Timestamp <= feedEvent.Event.Timestamp)
        {
            _parked[feedEvent.AgentId] = feedEvent;
        }

        return true;
    }

    private void ApplyRoster(IReadOnlyList<RosterEntry> roster, bool initial)
    {
        FollowStoredMapping();
        var keep = new HashSet<string>(StringComparer.Ordinal);
        int added = 0, removed = 0, unresolved = 0;
        var newAgents = new List<string>();
        foreach (var entry in roster)
        {
            if (IsPaused(entry.AgentId))
            {
                continue; // paused through the admin API: dropped below (its published presence cleared) until resumed
            }

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
                if (_ports.Outbox.Withdraw(agent.AgentId))
                {
                    _writeStartedAt.Remove(agent.AgentId);
                }

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
            _ = _reconciler.ReconcileAsync(newAgents, CancellationToken.None);
        }
    }
}
