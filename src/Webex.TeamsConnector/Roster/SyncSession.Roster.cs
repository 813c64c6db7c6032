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
