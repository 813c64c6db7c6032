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
    private HashSet<string> _eligible = new(StringComparer.Ordinal);

    public RosterLoader(ConnectorPorts ports, StateSyncOptions options, ConnectorRuntime runtime, AgentSignInLoader signIns)
    {
        _ports = ports;
        _options = options;
        _runtime = runtime;
        _signIns = signIns;
    }

    /// <summary>Forgets the cached desktop profiles, so that the next load reads them again.</summary>
    public void ForgetProfiles() => _profiles.Clear();

    /// <summary>
    /// The agent ids of the last load's eligible agents, known before their Teams users are resolved (any thread): the
    /// session keeps the states of these agents until they join the engine.
    /// </summary>
    public IReadOnlySet<string> Eligible => Volatile.Read(ref _eligible);

    /// <summary>
    /// Reads the users, keeps the eligible agents (wanted, active, with a desktop profile that allows sync) and resolves
    /// their Teams users in bulk (<see cref="ITeamsUserResolver.ResolveManyAsync"/>: cached ones cost nothing, so a
    /// refresh resolves only new agents), reporting each group to <paramref name="onPart"/> as it is resolved.
    /// </summary>
    /// <param name="cancellationToken">Cancels the load.</param>
    /// <param name="onPart">Receives the entries as they are resolved (any thread), so that the first agents can sync while the rest resolve.</param>
    /// <returns>The whole roster.</returns>
    public async Task<IReadOnlyList<RosterEntry>> LoadAsync(CancellationToken cancellationToken, Action<IReadOnlyList<RosterEntry>>? onPart = null)
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

        Volatile.Write(ref _eligible, new HashSet<string>(eligible.Select(static u => u.AgentId), StringComparer.Ordinal));
        var entries = new List<RosterEntry>(eligible.Count);
        var byEmail = new Dictionary<string, List<ContactCenterUser>>(StringComparer.OrdinalIgnoreCase);
        var withoutEmail = new List<RosterEntry>();
        foreach (var user in eligible)
        {
            if (string.IsNullOrWhiteSpace(user.Email))
            {
                withoutEmail.Add(new RosterEntry(user.AgentId, user.Email, null));
            }
            else if (byEmail.TryGetValue(user.Email, out var sharing))
            {
                sharing.Add(user);
            }
            else
            {
                byEmail[user.Email] = [user];
            }
        }

        if (withoutEmail.Count > 0)
        {
            entries.AddRange(withoutEmail);
            onPart?.Invoke(withoutEmail);
        }

        var reported = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        await foreach (var part in _ports.UserResolver.ResolveManyAsync(byEmail.Keys, cancellationToken).ConfigureAwait(false))
        {
            var resolved = new List<RosterEntry>(part.Count);
            foreach (var (email, teamsUserId) in part)
            {
                if (byEmail.TryGetValue(email, out var owners) && reported.Add(email))
                {
                    resolved.AddRange(owners.Select(u => new RosterEntry(u.AgentId, u.Email, teamsUserId)));
                }
            }

            entries.AddRange(resolved);
            if (resolved.Count > 0)
            {
                onPart?.Invoke(resolved);
            }
        }

        return entries;
    }
}
