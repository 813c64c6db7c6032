namespace Webex.TeamsConnector;

/// <summary>
/// The session's part of the admin API: the idle-code mapping swapped inside the engine loop, and paused agents kept
/// out of the engine (dropped with their published presence cleared and their unsent write withdrawn).
/// </summary>
internal sealed partial class SyncSession
{
    private static readonly TimeSpan s_controlTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The stored mapping the engine follows, once one came from the admin API.</summary>
    private IReadOnlyDictionary<string, string>? _mappingSource;

    /// <summary>Swaps the engine's idle-code mapping on the loop; completes when the next event is decided with it.</summary>
    public Task ApplyMappingAsync(IdleCodeMapping mapping, IReadOnlyDictionary<string, string> source, CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _control.Writer.TryWrite(s =>
        {
            s.UseMapping(mapping, source);
            done.TrySetResult();
        });
        return done.Task.WaitAsync(s_controlTimeout, _time, cancellationToken);
    }

    /// <summary>Drops every paused agent from the engine on the loop; completes when done.</summary>
    public Task ApplyPausesAsync(CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _control.Writer.TryWrite(s =>
        {
            s.DropPausedAgents();
            done.TrySetResult();
        });
        return done.Task.WaitAsync(s_controlTimeout, _time, cancellationToken);
    }

    private bool IsPaused(string agentId)
    {
        var paused = _runtime.Record.PausedAgents;
        return paused.Count > 0 && paused.Contains(agentId, StringComparer.Ordinal);
    }

    /// <summary>Follows the mapping stored through the admin API, if it is not the one the engine already has.</summary>
    private void FollowStoredMapping()
    {
        if (_runtime.Record.IdleCodes is not { } stored || ReferenceEquals(stored, _mappingSource))
        {
            return;
        }

        // Checked against the catalogue when it was stored; a mapping that no longer parses is left to the next session,
        // which refuses it with the reason.
        if (IdleCodeMapping.TryCreate(stored.Select(static e => new KeyValuePair<string, string?>(e.Key, e.Value)), out var mapping, out _))
        {
            UseMapping(mapping, stored);
        }
    }

    private void UseMapping(IdleCodeMapping mapping, IReadOnlyDictionary<string, string> source)
    {
        _engine.ReplaceMapping(mapping);
        _mappingSource = source;
        Log.MappingApplied(_logger, mapping.Entries.Count);
    }

    private void DropPausedAgents()
    {
        var dropped = false;
        foreach (var agentId in _runtime.Record.PausedAgents)
        {
            if (!_engine.Contains(agentId))
            {
                continue;
            }

            if (_ports.Outbox.Withdraw(agentId))
            {
                _writeStartedAt.Remove(agentId);
            }

            DispatchAll(_engine.RemoveAgent(agentId));
            dropped = true;
        }

        if (dropped)
        {
            _ports.PresenceFeed.SetWatchedUsers(_engine.GetTeamsUserIds());
        }
    }
}
