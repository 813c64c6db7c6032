using Microsoft.Extensions.Logging;

namespace Webex.TeamsConnector;

/// <summary>
/// Loads an agent that signs in before the roster knows it (a user added, or a profile switched to Teams, since the
/// last roster refresh): one filtered user read, its desktop profile (cached) and its Teams user, then the agent joins
/// the engine and its sign-in event is applied again. The next presence poll then covers it.
/// </summary>
/// <remarks>
/// Lookups run off the sync loop; their result is applied on it through <c>post</c>. An agent that turns out not to be
/// eligible is not looked up again until the next roster refresh (<see cref="Forget"/>), so a signed-in agent of
/// another integration costs one lookup per refresh interval at most.
/// </remarks>
internal sealed class AgentSignInLoader
{
    private readonly ConnectorPorts _ports;
    private readonly StateSyncOptions _options;
    private readonly ConnectorRuntime _runtime;
    private readonly ILogger _logger;
    private readonly TeamsConnectorTelemetry _telemetry;
    private readonly Func<Action, bool> _post;
    private readonly HashSet<string> _looked = new(StringComparer.Ordinal);
    private int _running;
    private HashSet<string>? _rosterUsers;

    public AgentSignInLoader(ConnectorPorts ports, StateSyncOptions options, ConnectorRuntime runtime, ILogger logger, TeamsConnectorTelemetry telemetry, Func<Action, bool> post)
    {
        _ports = ports;
        _options = options;
        _runtime = runtime;
        _logger = logger;
        _telemetry = telemetry;
        _post = post;
    }

    /// <summary>How many lookups are running (for tests and health).</summary>
    public int Running => Volatile.Read(ref _running);

    /// <summary>
    /// Called on the sync loop for an event of an agent the engine does not know. Starts a lookup for a new user;
    /// <paramref name="apply"/> runs on the loop with the agent's Teams user id when it is eligible.
    /// </summary>
    public void OnUnknownAgent(in AgentFeedEvent feedEvent, Action<string, string, AgentFeedEvent> apply, CancellationToken cancellationToken)
    {
        // A signed-in agent whom the last roster read did not list at all: a new user. (Its sign-in event may have come
        // before the event feed was connected; then reconciliation reports it as a state.) A listed user who is not
        // synced (another integration's profile, inactive, no Teams user) waits for the roster refresh, as profile
        // changes do: a shift of such agents signing in costs no requests.
        var newUser = feedEvent.Event.State.Kind != AgentStateKind.LoggedOut
            && (Volatile.Read(ref _rosterUsers) is not { } users || !users.Contains(feedEvent.AgentId));
        if (!newUser || !_looked.Add(feedEvent.AgentId))
        {
            return;
        }

        var copy = feedEvent;
        Interlocked.Increment(ref _running);
        _ = Task.Run(() => LoadAsync(copy, apply, cancellationToken), CancellationToken.None);
    }

    /// <summary>On the sync loop: adds a loaded agent to the engine and watches its Teams user.</summary>
    /// <returns><see langword="true"/> when the agent is tracked, so its sign-in event should be applied again.</returns>
    public bool Add(SyncEngine engine, string agentId, string teamsUserId)
    {
        try
        {
            engine.AddAgent(agentId, teamsUserId);
        }
        catch (ArgumentException)
        {
            _telemetry.Reject("teams_user_shared");
            return false;
        }

        _ports.PresenceFeed.SetWatchedUsers(engine.GetTeamsUserIds());
        return true;
    }

    /// <summary>Remembers every user a roster read listed, eligible or not (any thread).</summary>
    /// <param name="users">The users.</param>
    public void SetRosterUsers(IEnumerable<ContactCenterUser> users) =>
        Volatile.Write(ref _rosterUsers, new HashSet<string>(users.Select(static u => u.AgentId), StringComparer.Ordinal));

    /// <summary>Forgets the agents looked up so far (called when the roster is refreshed).</summary>
    public void Forget() => _looked.Clear();

    private async Task LoadAsync(AgentFeedEvent feedEvent, Action<string, string, AgentFeedEvent> apply, CancellationToken cancellationToken)
    {
        try
        {
            var teams = await ResolveEligibleAsync(feedEvent.AgentId, cancellationToken).ConfigureAwait(false);
            if (teams is null)
            {
                _telemetry.Reject("sign_in_not_eligible");
                Log.SignInNotEligible(_logger, feedEvent.AgentId);
                return;
            }

            Log.SignInLoaded(_logger, feedEvent.AgentId);
            _post(() => apply(feedEvent.AgentId, teams, feedEvent));
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The roster refresh picks the agent up later; say why it was not loaded now.
            _telemetry.Reject("sign_in_lookup_failed");
            Log.SignInLookupFailed(_logger, feedEvent.AgentId, ex.GetType().Name + ": " + ex.Message);
            _post(() => _looked.Remove(feedEvent.AgentId));
        }
        finally
        {
            Interlocked.Decrement(ref _running);
        }
    }

    private async Task<string?> ResolveEligibleAsync(string agentId, CancellationToken cancellationToken)
    {
        var user = await _ports.Directory.GetUserByAgentIdAsync(agentId, cancellationToken).ConfigureAwait(false);
        if (user is null || !user.Active || !user.ContactCenterEnabled)
        {
            return null;
        }

        if (!_options.SyncAllEligibleAgents
            && !_options.Agents.Contains(user.AgentId, StringComparer.OrdinalIgnoreCase)
            && (user.Email is null || !_options.Agents.Contains(user.Email, StringComparer.OrdinalIgnoreCase)))
        {
            return null;
        }

        DesktopProfile? profile = null;
        if (user.DesktopProfileId is { } profileId && !_runtime.Record.DesktopProfiles.TryGetValue(profileId, out profile))
        {
            profile = await _ports.Directory.GetDesktopProfileAsync(profileId, cancellationToken).ConfigureAwait(false);
        }

        if (!DesktopProfileRules.MaySyncState(profile) || user.Email is null)
        {
            return null;
        }

        return await _ports.UserResolver.ResolveAsync(user.Email, cancellationToken).ConfigureAwait(false);
    }
}
