using Microsoft.Extensions.Options;

namespace Webex.TeamsConnector;

/// <summary>
/// Expert search on behalf of a WxCC agent or supervisor: allowed only while the connector is Active and only for a
/// user whose desktop profile has Microsoft Teams <em>show user details</em> on (and no Webex App toggle). The user need
/// not be synced (a supervisor's profile may have Teams state synchronization off); a user without a desktop profile is
/// refused.
/// </summary>
public interface IAgentExpertSearch
{
    /// <summary>Searches the Teams directory for experts if <paramref name="agentId"/> may.</summary>
    /// <param name="agentId">The WxCC user (<c>ciUserId</c>) asking.</param>
    /// <param name="query">The search.</param>
    /// <param name="cancellationToken">Cancels the search.</param>
    /// <returns>The experts, or why the search was refused.</returns>
    Task<AgentExpertSearchResult> SearchAsync(string agentId, ExpertQuery query, CancellationToken cancellationToken);
}

/// <summary>The result of <see cref="IAgentExpertSearch.SearchAsync"/>.</summary>
/// <param name="Allowed">Whether the user may search experts.</param>
/// <param name="Experts">The experts found (empty when refused).</param>
/// <param name="Reason">Why the search was refused, for the user; <see langword="null"/> when allowed.</param>
public sealed record AgentExpertSearchResult(bool Allowed, IReadOnlyList<Expert> Experts, string? Reason)
{
    internal static AgentExpertSearchResult Refused(string reason) => new(false, [], reason);
}

/// <summary>
/// Checks the asking user's desktop profile (the admin API's setting first, else WxCC's, both read at most once per
/// <see cref="StateSyncOptions.RosterRefreshInterval"/>) before searching.
/// </summary>
internal sealed class AgentExpertSearch : IAgentExpertSearch, IDisposable
{
    // A user not known yet (a new agent) makes the users be read again, but not more often than this.
    private static readonly TimeSpan s_unknownUserReread = TimeSpan.FromMinutes(1);

    private readonly IServiceProvider _services;
    private readonly ConnectorRuntime _runtime;
    private readonly IOptionsMonitor<TeamsConnectorOptions> _options;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<string, (DesktopProfile? Profile, DateTimeOffset ReadAt)> _profiles = new(StringComparer.Ordinal);
    private Dictionary<string, string?> _profileOfUser = new(StringComparer.Ordinal);
    private DateTimeOffset _usersReadAt = DateTimeOffset.MinValue;

    public AgentExpertSearch(IServiceProvider services, ConnectorRuntime runtime, IOptionsMonitor<TeamsConnectorOptions> options, TimeProvider timeProvider)
    {
        _services = services;
        _runtime = runtime;
        _options = options;
        _time = timeProvider;
    }

    public void Dispose() => _gate.Dispose();

    public async Task<AgentExpertSearchResult> SearchAsync(string agentId, ExpertQuery query, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(agentId);
        ArgumentNullException.ThrowIfNull(query);
        var status = (await _runtime.LoadAsync(cancellationToken).ConfigureAwait(false)).Status;
        if (status.State != ConnectorState.Active)
        {
            return AgentExpertSearchResult.Refused($"the Teams connector is {status.State}");
        }

        if (_services.GetService(typeof(IExpertDirectory)) is not IExpertDirectory experts
            || _services.GetService(typeof(IContactCenterDirectory)) is not IContactCenterDirectory directory)
        {
            throw new InvalidOperationException("Expert search needs the Graph adapter (.AddGraphPresence()) and the Contact Center adapter (.AddWebexContactCenter()).");
        }

        var (knownUser, profile) = await ProfileOfAsync(directory, agentId, cancellationToken).ConfigureAwait(false);
        if (profile is null && knownUser)
        {
            // A contact-center user (a supervisor, say) without a desktop profile: no profile allows the search.
            return AgentExpertSearchResult.Refused("the user has no desktop profile, so none shows Microsoft Teams user details");
        }

        if (profile is null)
        {
            return AgentExpertSearchResult.Refused("the user is not a contact-center user with a desktop profile");
        }

        if (!DesktopProfileRules.MaySearchExperts(profile))
        {
            return AgentExpertSearchResult.Refused($"the desktop profile {profile.Id} does not show Microsoft Teams user details");
        }

        return new AgentExpertSearchResult(true, await experts.SearchAsync(query, cancellationToken).ConfigureAwait(false), null);
    }

    /// <summary>The user's desktop profile; <c>KnownUser</c> when the user is an active contact-center user without one.</summary>
    private async Task<(bool KnownUser, DesktopProfile? Profile)> ProfileOfAsync(IContactCenterDirectory directory, string agentId, CancellationToken cancellationToken)
    {
        var fresh = _options.CurrentValue.StateSync.RosterRefreshInterval;
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var now = _time.GetUtcNow();
            if (now - _usersReadAt >= fresh || !_profileOfUser.ContainsKey(agentId) && now - _usersReadAt >= s_unknownUserReread)
            {
                var users = await directory.GetUsersAsync(cancellationToken).ConfigureAwait(false);
                var map = new Dictionary<string, string?>(StringComparer.Ordinal);
                foreach (var user in users)
                {
                    if (user.Active && user.ContactCenterEnabled && !string.IsNullOrWhiteSpace(user.AgentId))
                    {
                        map[user.AgentId] = user.DesktopProfileId;
                    }
                }

                _profileOfUser = map;
                _usersReadAt = now;
            }

            if (!_profileOfUser.TryGetValue(agentId, out var profileId) || profileId is null)
            {
                return (profileId is null && _profileOfUser.ContainsKey(agentId), null);
            }

            if (_runtime.Record.DesktopProfiles.TryGetValue(profileId, out var overridden))
            {
                return (false, overridden);
            }

            if (!_profiles.TryGetValue(profileId, out var cached) || now - cached.ReadAt >= fresh)
            {
                cached = (await directory.GetDesktopProfileAsync(profileId, cancellationToken).ConfigureAwait(false), now);
                _profiles[profileId] = cached;
            }

            return (false, cached.Profile);
        }
        finally
        {
            _gate.Release();
        }
    }
}
