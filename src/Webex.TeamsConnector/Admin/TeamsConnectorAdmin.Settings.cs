namespace Webex.TeamsConnector;

/// <summary>The admin API's run-time settings: the idle-code mapping, per-agent pause and the desktop-profile list.</summary>
internal sealed partial class TeamsConnectorAdmin
{
    /// <summary>The longest agent id WxCC uses (<c>agentId</c>).</summary>
    internal const int MaxAgentIdLength = 36;

    /// <summary>At most this many agents may be paused at once.</summary>
    internal const int MaxPausedAgents = 10_000;

    /// <summary>At most this many desktop profiles are listed.</summary>
    internal const int MaxListedProfiles = 500;

    /// <summary>The Teams states that may be mapped, Cisco's three first.</summary>
    internal static readonly IReadOnlyList<string> MappableStates =
    [
        nameof(TeamsState.DoNotDisturb), nameof(TeamsState.InACall), nameof(TeamsState.Presenting),
        nameof(TeamsState.InAConferenceCall), nameof(TeamsState.InAMeeting), nameof(TeamsState.Busy),
        nameof(TeamsState.Away), nameof(TeamsState.BeRightBack), nameof(TeamsState.Offline),
        nameof(TeamsState.OutOfOffice), nameof(TeamsState.Focusing),
    ];

    private SyncSession? RunningSession => (_services.GetService(typeof(TeamsConnectorService)) as TeamsConnectorService)?.Session;

    private IContactCenterDirectory? Directory => _services.GetService(typeof(IContactCenterDirectory)) as IContactCenterDirectory;

    public async Task<IdleCodeMappingView> GetIdleCodeMappingAsync(CancellationToken cancellationToken)
    {
        var record = await _runtime.LoadAsync(cancellationToken).ConfigureAwait(false);
        IReadOnlyList<IdleCode> codes = Directory is { } directory ? await directory.GetIdleCodesAsync(cancellationToken).ConfigureAwait(false) : [];
        return new IdleCodeMappingView(CurrentMapping(record), record.IdleCodes is not null, MappableStates, [.. codes.Select(Describe)]);
    }

    public async Task<IdleCodeMappingChange> SetIdleCodeMappingAsync(IReadOnlyDictionary<string, string> mapping, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(mapping);
        var record = await _runtime.LoadAsync(cancellationToken).ConfigureAwait(false);
        var errors = new List<string>();
        if (!IdleCodeMapping.TryCreate(mapping.Select(static e => new KeyValuePair<string, string?>(e.Key, e.Value)), out var parsed, out var parseErrors))
        {
            errors.AddRange(parseErrors);
        }
        else if (Directory is not { } directory)
        {
            errors.Add("No Contact Center adapter is registered, so the mapping cannot be checked against the idle codes.");
        }
        else
        {
            errors.AddRange(IdleCodeCatalog.Validate(parsed, await directory.GetIdleCodesAsync(cancellationToken).ConfigureAwait(false)));
        }

        if (errors.Count > 0 || parsed is null)
        {
            _telemetry.Reject("mapping_refused");
            Log.MappingRefused(_logger, errors.Count);
            return new IdleCodeMappingChange(false, CurrentMapping(record), errors);
        }

        var stored = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (state, code) in parsed.Entries.OrderBy(static e => e.Key))
        {
            stored[state.ToString()] = code;
        }

        await _runtime.UpdateAsync(r => (r with { IdleCodes = stored }, true), cancellationToken).ConfigureAwait(false);
        if (RunningSession is { } session)
        {
            try
            {
                await session.ApplyMappingAsync(parsed, stored, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // The session ended before it could take it; the next one is built from the stored mapping.
            }
        }

        Log.MappingChanged(_logger, stored.Count);
        return new IdleCodeMappingChange(true, stored, []);
    }

    public IReadOnlyList<string> GetPausedAgents() => _runtime.Record.PausedAgents;

    public async Task<bool> PauseAgentAsync(string agentId, CancellationToken cancellationToken)
    {
        CheckAgentId(agentId);
        var changed = await _runtime.UpdateAsync(
            r =>
            {
                if (r.PausedAgents.Contains(agentId, StringComparer.Ordinal))
                {
                    return (null, false);
                }

                if (r.PausedAgents.Count >= MaxPausedAgents)
                {
                    throw new InvalidOperationException($"At most {MaxPausedAgents} agents may be paused at once.");
                }

                return (r with { PausedAgents = [.. r.PausedAgents, agentId] }, true);
            },
            cancellationToken).ConfigureAwait(false);
        if (changed)
        {
            Log.AgentPaused(_logger, agentId);
            if (RunningSession is { } session)
            {
                try
                {
                    await session.ApplyPausesAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                    // The session ended; the next one leaves the agent out of its roster.
                }
            }
        }

        return changed;
    }

    public async Task<bool> ResumeAgentAsync(string agentId, CancellationToken cancellationToken)
    {
        CheckAgentId(agentId);
        var changed = await _runtime.UpdateAsync(
            r => r.PausedAgents.Contains(agentId, StringComparer.Ordinal)
                ? (r with { PausedAgents = [.. r.PausedAgents.Where(a => !string.Equals(a, agentId, StringComparison.Ordinal))] }, true)
                : (null, false),
            cancellationToken).ConfigureAwait(false);
        if (changed)
        {
            // The record change refreshes the running session's roster, which adds the agent back.
            Log.AgentResumed(_logger, agentId);
        }

        return changed;
    }

    public async Task<IReadOnlyList<DesktopProfile>> GetDesktopProfilesAsync(CancellationToken cancellationToken)
    {
        if (Directory is not { } directory)
        {
            return [];
        }

        var record = await _runtime.LoadAsync(cancellationToken).ConfigureAwait(false);
        var ids = (await directory.GetUsersAsync(cancellationToken).ConfigureAwait(false))
            .Select(static u => u.DesktopProfileId)
            .OfType<string>()
            .Where(static id => id.Length > 0)
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .Take(MaxListedProfiles)
            .ToList();
        var profiles = new List<DesktopProfile>(ids.Count);
        foreach (var id in ids)
        {
            var profile = await directory.GetDesktopProfileAsync(id, cancellationToken).ConfigureAwait(false);
            if (record.DesktopProfiles.TryGetValue(id, out var overridden))
            {
                profile = overridden with { Name = overridden.Name ?? profile?.Name };
            }

            if (profile is not null)
            {
                profiles.Add(profile);
            }
        }

        return profiles;
    }

    private IReadOnlyDictionary<string, string> CurrentMapping(ConnectorStateRecord record)
    {
        if (record.IdleCodes is { } stored)
        {
            return stored;
        }

        var configured = _options.CurrentValue.StateSync.IdleCodes ?? [];
        var mapping = new Dictionary<string, string>(StringComparer.Ordinal);
        if (IdleCodeMapping.TryCreate(configured.Select(static e => new KeyValuePair<string, string?>(e.Key, e.Value)), out var parsed, out _))
        {
            foreach (var (state, code) in parsed.Entries.OrderBy(static e => e.Key))
            {
                mapping[state.ToString()] = code;
            }
        }

        return mapping;
    }

    private static MappableIdleCode Describe(IdleCode code) =>
        !code.IsIdleCode ? new(code, false, "a wrap-up code, not an idle code")
        : IdleCodeCatalog.IsSystem(code) ? new(code, false, "a system code")
        : !code.Active ? new(code, false, "not active")
        : new(code, true, null);

    private static void CheckAgentId(string agentId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(agentId);
        if (agentId.Length > MaxAgentIdLength)
        {
            throw new ArgumentException($"An agent id has at most {MaxAgentIdLength} characters.", nameof(agentId));
        }
    }
}
