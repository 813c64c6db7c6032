using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Graph.Users.Item.Presence.ClearPresence;
using Microsoft.Graph.Users.Item.Presence.SetPresence;
using Microsoft.Kiota.Abstractions;

namespace Webex.TeamsConnector.Graph;

/// <summary>
/// Publishes the connector's presence session with <c>setPresence</c> (session id = the application id; only the
/// pairs Graph accepts; <c>expirationDuration</c> PT5M..PT4H) and removes it with <c>clearPresence</c>, where 404
/// means it is already gone. The sync engine refreshes a published presence before it expires by publishing it
/// again (<c>SyncRules.PublishRefreshMargin</c>); each call replaces the session and restarts its expiry.
/// </summary>
internal sealed class GraphPresencePublisher(GraphClientProvider graph, IOptions<GraphOptions> options, ILogger<GraphPresencePublisher> logger) : ITeamsPresencePublisher
{
    private readonly string _sessionId = options.Value.ClientId ?? string.Empty;

    public async Task PublishAsync(string teamsUserId, PublishedPresence presence, TimeSpan expiration, CancellationToken cancellationToken)
    {
        RequireUserId(teamsUserId);
        if (presence == PublishedPresence.None || !Enum.IsDefined(presence))
        {
            throw new ArgumentOutOfRangeException(nameof(presence), presence, "Only the pairs setPresence accepts can be published: Available/Available, Busy/InACall, Busy/InAConferenceCall, Away/Away, DoNotDisturb/Presenting.");
        }

        if (expiration < PresenceLimits.MinPublishExpiration || expiration > PresenceLimits.MaxPublishExpiration)
        {
            throw new ArgumentOutOfRangeException(nameof(expiration), expiration, "The expiration of a published presence must be from 5 minutes to 4 hours (PT5M..PT4H).");
        }

        await graph.Client.Users[teamsUserId].Presence.SetPresence.PostAsync(
            new SetPresencePostRequestBody
            {
                SessionId = _sessionId,
                Availability = presence.Availability(),
                Activity = presence.Activity(),
                ExpirationDuration = expiration,
            },
            cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    public async Task ClearAsync(string teamsUserId, CancellationToken cancellationToken)
    {
        RequireUserId(teamsUserId);
        try
        {
            await graph.Client.Users[teamsUserId].Presence.ClearPresence.PostAsync(new ClearPresencePostRequestBody { SessionId = _sessionId }, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (ApiException ex) when (ex.ResponseStatusCode == 404)
        {
            Log.AlreadyCleared(logger, teamsUserId);
        }
    }

    private static void RequireUserId(string teamsUserId)
    {
        if (!Guid.TryParseExact(teamsUserId, "D", out _))
        {
            throw new ArgumentException("The Teams user id must be an Entra ID object id (a GUID).", nameof(teamsUserId));
        }
    }
}
