using System.Net;
using System.Text.Json;

namespace Webex.TeamsConnector.ContactCenter;

/// <summary>What became of one state write.</summary>
internal enum WriteOutcomeKind
{
    /// <summary>WxCC accepted the write.</summary>
    Accepted,

    /// <summary>Put the write back, not before <see cref="WriteOutcome.Delay"/> has passed.</summary>
    Retry,

    /// <summary>WxCC refused the write, or it failed too often.</summary>
    Failed,

    /// <summary>The outbox stopped before WxCC answered.</summary>
    Stopped,
}

/// <summary>The outcome of one state write.</summary>
/// <param name="Kind">What became of it.</param>
/// <param name="Delay">For <see cref="WriteOutcomeKind.Retry"/>: the back-off before the write may go again.</param>
/// <param name="Reason">Why it failed, or (for a retry after a transient failure) what happened; null for a 429.</param>
/// <param name="TrackingId">The request's tracking id, if one was sent.</param>
internal readonly record struct WriteOutcome(WriteOutcomeKind Kind, TimeSpan Delay, string? Reason, string? TrackingId);

/// <summary>
/// Sends one agent-state write (<c>PUT /v1/agents/session/state</c>, its budget slot already held) and maps the answer:
/// 2xx accepted; 429 put back at once (up to <see cref="MaxThrottledRetries"/> times: the budget holds it for the
/// <c>Retry-After</c>); transient failures put back after a back-off within <c>MaxWriteAttempts</c>; anything else refused.
/// </summary>
internal sealed class AgentStateWriteSender
{
    /// <summary>How often one write may be answered 429 before further 429s count as transient failures.</summary>
    internal const int MaxThrottledRetries = 20;

    private readonly WxccApiClient _api;
    private readonly Func<string> _reasonMarker;
    private readonly Uri _stateUri;

    public AgentStateWriteSender(WxccApiClient api, Func<string> reasonMarker)
    {
        _api = api;
        _reasonMarker = reasonMarker;
        _stateUri = new Uri(ContactCenterDirectory.WithSlash(api.Options.BaseUrl), "v1/agents/session/state");
    }

    /// <summary>Sends the write; never throws but for cancellation of a caller's own token (reported as stopped).</summary>
    public async Task<WriteOutcome> SendAsync(PendingWrite write, CancellationToken cancellationToken)
    {
        WxccResponse response;
        try
        {
            response = await _api.SendAsync(HttpMethod.Put, _stateUri, Body(write, _reasonMarker()), retry: false, leaseHeld: true, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return new WriteOutcome(WriteOutcomeKind.Stopped, TimeSpan.Zero, "the outbox stopped before WxCC answered the write", null);
        }
        catch (ContactCenterException ex)
        {
            // The token could not be had: a transient failure of this write.
            response = new WxccResponse(ex.StatusCode, [], ex.TrackingId ?? string.Empty, ex.Message);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Anything else (an I/O error of a handler or a custom store, an unexpected failure of the HTTP stack):
            // transient for this write, retried within MaxWriteAttempts. The type only: messages may carry details.
            response = new WxccResponse(null, [], string.Empty, "unexpected " + ex.GetType().Name);
        }

        return Map(write, response, _api.Options.MaxWriteAttempts);
    }

    /// <summary>Maps WxCC's answer to the write's outcome, counting the write's attempts and throttles.</summary>
    internal static WriteOutcome Map(PendingWrite write, WxccResponse response, int maxWriteAttempts)
    {
        if (response.IsSuccess)
        {
            return new WriteOutcome(WriteOutcomeKind.Accepted, TimeSpan.Zero, null, response.TrackingId);
        }

        if (response.Status == HttpStatusCode.TooManyRequests && ++write.Throttles <= MaxThrottledRetries)
        {
            return new WriteOutcome(WriteOutcomeKind.Retry, TimeSpan.Zero, null, response.TrackingId);
        }

        if (response.IsTransient && ++write.Attempts < maxWriteAttempts)
        {
            return new WriteOutcome(WriteOutcomeKind.Retry, WxccApiClient.Backoff(write.Attempts), response.Describe(), response.TrackingId);
        }

        return new WriteOutcome(WriteOutcomeKind.Failed, TimeSpan.Zero, $"WxCC refused the write ({response.Describe()})", response.TrackingId);
    }

    /// <summary>The request body: the state, its code, the connector's reason marker and the agent.</summary>
    internal static byte[] Body(PendingWrite write, string reasonMarker)
    {
        using var stream = new MemoryStream(160);
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            json.WriteString("state", write.State.Kind == AgentStateKind.Available ? "Available" : "Idle");
            json.WriteString("auxCodeId", write.State.Kind == AgentStateKind.Available ? AgentState.AvailableCodeId : write.State.IdleCodeId);
            json.WriteString("lastStateChangeReason", reasonMarker);
            json.WriteString("agentId", write.AgentId);
            json.WriteEndObject();
        }

        return stream.ToArray();
    }
}
