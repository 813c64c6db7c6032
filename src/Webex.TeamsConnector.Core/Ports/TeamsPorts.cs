using System.Threading.Channels;

namespace Webex.TeamsConnector;

/// <summary>A Teams presence read by polling or received by a change notification.</summary>
/// <param name="TeamsUserId">The user's Entra ID object id.</param>
/// <param name="Availability">Graph's <c>availability</c> string, as received.</param>
/// <param name="Activity">Graph's <c>activity</c> string, as received.</param>
/// <param name="SequenceNumber">Graph's <c>sequenceNumber</c>, when present.</param>
/// <param name="ReceivedAt">When the connector received it (for latency measurement).</param>
public readonly record struct TeamsPresenceUpdate(
    string TeamsUserId,
    string? Availability,
    string? Activity,
    string? SequenceNumber,
    DateTimeOffset ReceivedAt);

/// <summary>
/// The source of Teams presence (implemented by the Graph adapter: polling, or change notifications with a
/// reconciliation poll). The host sets the users to watch and runs the feed.
/// </summary>
public interface ITeamsPresenceFeed
{
    /// <summary>Replaces the set of watched Teams users. Users added are read in the next cycle.</summary>
    /// <param name="teamsUserIds">The Entra ID object ids.</param>
    void SetWatchedUsers(IReadOnlyCollection<string> teamsUserIds);

    /// <summary>Runs until cancelled, writing presence changes to <paramref name="updates"/>.</summary>
    /// <param name="updates">Where to write presence updates.</param>
    /// <param name="cancellationToken">Stops the feed.</param>
    /// <returns>A task that ends when the feed stops.</returns>
    Task RunAsync(ChannelWriter<TeamsPresenceUpdate> updates, CancellationToken cancellationToken);
}

/// <summary>Publishes the connector's presence session to Teams (Graph <c>setPresence</c> / <c>clearPresence</c>).</summary>
public interface ITeamsPresencePublisher
{
    /// <summary>Publishes (or refreshes) a presence for the user with the application's session id.</summary>
    /// <param name="teamsUserId">The user's object id.</param>
    /// <param name="presence">One of the pairs <c>setPresence</c> accepts.</param>
    /// <param name="expiration">The <c>expirationDuration</c>, PT5M..PT4H.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when Graph accepted it.</returns>
    Task PublishAsync(string teamsUserId, PublishedPresence presence, TimeSpan expiration, CancellationToken cancellationToken);

    /// <summary>Clears the application's presence session of the user; an absent session counts as cleared.</summary>
    /// <param name="teamsUserId">The user's object id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the session is gone.</returns>
    Task ClearAsync(string teamsUserId, CancellationToken cancellationToken);
}

/// <summary>Resolves an agent's e-mail or UPN to the Teams (Entra ID) user object id.</summary>
public interface ITeamsUserResolver
{
    /// <summary>Resolves a user; <see langword="null"/> when no such user exists.</summary>
    /// <param name="emailOrUserPrincipalName">The agent's e-mail or UPN.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The object id, or <see langword="null"/>.</returns>
    ValueTask<string?> ResolveAsync(string emailOrUserPrincipalName, CancellationToken cancellationToken);

    /// <summary>
    /// Resolves many users, yielding results as they arrive, so that the first agents can be synced while the others
    /// are still resolved. Every name given is reported exactly once. The default resolves them one at a time with
    /// <see cref="ResolveAsync"/>; the Graph adapter uses JSON batching or a paged read of the directory, whichever costs
    /// fewer requests.
    /// </summary>
    /// <param name="emailsOrUserPrincipalNames">The agents' e-mails or UPNs.</param>
    /// <param name="cancellationToken">Cancels the resolution.</param>
    /// <returns>Groups of results, in the order they were resolved.</returns>
    async IAsyncEnumerable<IReadOnlyList<TeamsUserResolution>> ResolveManyAsync(
        IReadOnlyCollection<string> emailsOrUserPrincipalNames,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(emailsOrUserPrincipalNames);
        foreach (var name in emailsOrUserPrincipalNames)
        {
            yield return [new TeamsUserResolution(name, await ResolveAsync(name, cancellationToken).ConfigureAwait(false))];
        }
    }
}

/// <summary>One result of <see cref="ITeamsUserResolver.ResolveManyAsync"/>.</summary>
/// <param name="EmailOrUserPrincipalName">The name as given.</param>
/// <param name="TeamsUserId">The Teams user's object id, or <see langword="null"/> when there is no such user.</param>
public readonly record struct TeamsUserResolution(string EmailOrUserPrincipalName, string? TeamsUserId);

/// <summary>An expert search: any combination of name, department and job title.</summary>
public sealed record ExpertQuery
{
    /// <summary>Words of the display name to search for.</summary>
    public string? Name { get; init; }

    /// <summary>The department (exact, case-insensitive) or its beginning.</summary>
    public string? Department { get; init; }

    /// <summary>The job title (exact, case-insensitive) or its beginning.</summary>
    public string? JobTitle { get; init; }

    /// <summary>The most results to return (1..999).</summary>
    /// <value>The default value is 25.</value>
    public int MaxResults { get; init; } = 25;
}

/// <summary>A subject-matter expert found in Teams, callable at an E.164 business phone.</summary>
/// <param name="TeamsUserId">The Entra ID object id.</param>
/// <param name="DisplayName">The display name.</param>
/// <param name="JobTitle">The job title.</param>
/// <param name="Department">The department.</param>
/// <param name="BusinessPhone">The business phone, normalised to E.164.</param>
/// <param name="Presence">The live Teams presence, when it could be read.</param>
/// <param name="Mail">The e-mail address.</param>
public sealed record Expert(
    string TeamsUserId,
    string DisplayName,
    string? JobTitle,
    string? Department,
    string BusinessPhone,
    TeamsPresence? Presence,
    string? Mail);

/// <summary>Searches Teams users for experts (implemented by the Graph adapter).</summary>
public interface IExpertDirectory
{
    /// <summary>Finds users matching the query who have an E.164 business phone, with their presence.</summary>
    /// <param name="query">The search.</param>
    /// <param name="cancellationToken">Cancels the search.</param>
    /// <returns>At most <see cref="ExpertQuery.MaxResults"/> experts.</returns>
    Task<IReadOnlyList<Expert>> SearchAsync(ExpertQuery query, CancellationToken cancellationToken);
}
