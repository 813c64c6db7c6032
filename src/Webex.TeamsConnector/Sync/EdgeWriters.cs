using System.Threading.Channels;

namespace Webex.TeamsConnector;

/// <summary>A Teams presence as the session's loop takes it: parsed, with its agent's handle taken at the edge.</summary>
internal readonly record struct RoutedPresence(TeamsPresenceUpdate Update, TeamsPresence Presence, AgentHandle Agent);

/// <summary>A WxCC agent event as the session's loop takes it, with its agent's handle taken at the edge.</summary>
internal readonly record struct RoutedAgentEvent(AgentFeedEvent Event, AgentHandle Agent);

/// <summary>
/// The writer a feed writes its events to: on the feed's own thread it routes each event (takes its agent's handle from
/// the engine's <see cref="AgentEdgeIndex"/>, and parses a presence), then passes it on to the loop's channel.
/// </summary>
internal sealed class EdgeWriter<TEvent, TRouted>(ChannelWriter<TRouted> inner, Func<TEvent, TRouted> route) : ChannelWriter<TEvent>
{
    public override bool TryWrite(TEvent item) => inner.TryWrite(route(item));

    public override ValueTask<bool> WaitToWriteAsync(CancellationToken cancellationToken = default) => inner.WaitToWriteAsync(cancellationToken);

    public override ValueTask WriteAsync(TEvent item, CancellationToken cancellationToken = default) => inner.WriteAsync(route(item), cancellationToken);

    public override bool TryComplete(Exception? error = null) => inner.TryComplete(error);
}

/// <summary>The session's two edge writers.</summary>
internal static class EdgeWriter
{
    /// <summary>For the presence feed: each presence parsed, with the handle of its Teams user's agent.</summary>
    public static ChannelWriter<TeamsPresenceUpdate> ForPresences(ChannelWriter<RoutedPresence> inner, AgentEdgeIndex index) =>
        new EdgeWriter<TeamsPresenceUpdate, RoutedPresence>(inner, item => new(item, TeamsPresence.Parse(item.Availability, item.Activity), index.ByTeamsUserId(item.TeamsUserId)));

    /// <summary>For the agent feed, the reconciler and the state verifier: each event with its agent's handle.</summary>
    public static ChannelWriter<AgentFeedEvent> ForAgentEvents(ChannelWriter<RoutedAgentEvent> inner, AgentEdgeIndex index) =>
        new EdgeWriter<AgentFeedEvent, RoutedAgentEvent>(inner, item => new(item, index.ByAgentId(item.AgentId)));
}
