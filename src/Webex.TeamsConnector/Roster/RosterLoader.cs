namespace Webex.TeamsConnector;

/// <summary>An agent of the roster and the Teams user it was resolved to (<see langword="null"/> when none).</summary>
/// <param name="AgentId">The agent id.</param>
/// <param name="Email">The agent's e-mail.</param>
/// <param name="TeamsUserId">The Teams user's object id.</param>
internal sealed record RosterEntry(string AgentId, string? Email, string? TeamsUserId);

/// <summary>
/// Loads one organization's roster: the WxCC users the connector syncs (by <c>StateSync:Agents</c> or every eligible
/// agent, filtered by their desktop profiles) with their Teams users. Desktop profiles are cached between refreshes.
/// </summary>
internal sealed class RosterLoader
{
    private readonly ConnectorPorts _ports;
    private readonly StateSyncOptions _options;
    private readonly ConnectorRuntime _runtime;
    private readonly AgentSignInLoader _signIns;
    private readonly Dictionary<string, DesktopProfile?> _profiles = new(StringComparer.Ordinal);

    public RosterLoader(ConnectorPorts ports, StateSyncOptions options, ConnectorRuntime runtime, AgentSignInLoader signIns)
    {
        _ports = ports;
        _options = options;
        _runtime = runtime;
        _signIns = signIns;
    }

    /// <summary>Forgets the cached desktop profiles, so that the next load reads them again.</summary>
    public void ForgetProfiles() => _profiles.Clear();

    /// <summary>Reads the users, keeps the eligible agents (wanted, active, with a desktop profile that allows sync) and resolves their Teams users.</summary>
    /// <param name="cancellationToken">Cancels the load.</param>
    /// <returns>The roster.</returns>
    public async Task<IReadOnlyList<RosterEntry>> LoadAsync(CancellationToken cancellationToken)
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
}
