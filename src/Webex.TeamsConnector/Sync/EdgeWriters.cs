using System.Threading.Channels;

namespace Webex.TeamsConnector;

/// <summary>A Teams presence as the session's loop takes it: parsed, with its agent's handle taken at the edge.</summary>
internal readonly record struct RoutedPresence(TeamsPresenceUpdate Update, TeamsPresence Presence, AgentHandle Agent);

/// <summary>A WxCC agent event as the session's loop takes it, with its agent's handle taken at the edge.</summary>
internal readonly record struct RoutedAgentEvent(AgentFeedEvent Event, AgentHandle Agent);

/// <summary>
/// The writer the presence feed writes to: on the feed's thread it parses each presence and takes its agent's handle from
/// the engine's <see cref="AgentEdgeIndex"/>, then passes it on to the loop's channel.
/// </summary>
internal sealed class PresenceEdgeWriter(ChannelWriter<RoutedPresence> inner, AgentEdgeIndex index) : ChannelWriter<TeamsPresenceUpdate>
{
    public override bool TryWrite(TeamsPresenceUpdate item) => inner.TryWrite(Route(item));

    public override ValueTask<bool> WaitToWriteAsync(CancellationToken cancellationToken = default) => inner.WaitToWriteAsync(cancellationToken);

    public override ValueTask WriteAsync(TeamsPresenceUpdate item, CancellationToken cancellationToken = default) => inner.WriteAsync(Route(item), cancellationToken);

    public override bool TryComplete(Exception? error = null) => inner.TryComplete(error);

    private RoutedPresence Route(in TeamsPresenceUpdate item) =>
        new(item, TeamsPresence.Parse(item.Availability, item.Activity), index.ByTeamsUserId(item.TeamsUserId));
}

/// <summary>
/// The writer the agent feed, the reconciler and the state verifier write to: on the writer's thread it takes each
/// event's agent handle from the engine's <see cref="AgentEdgeIndex"/>, then passes it on to the loop's channel.
/// </summary>
internal sealed class AgentEventEdgeWriter(ChannelWriter<RoutedAgentEvent> inner, AgentEdgeIndex index) : ChannelWriter<AgentFeedEvent>
{
    public override bool TryWrite(AgentFeedEvent item) => inner.TryWrite(new(item, index.ByAgentId(item.AgentId)));

    public override ValueTask<bool> WaitToWriteAsync(CancellationToken cancellationToken = default) => inner.WaitToWriteAsync(cancellationToken);

    public override ValueTask WriteAsync(AgentFeedEvent item, CancellationToken cancellationToken = default) => inner.WriteAsync(new(item, index.ByAgentId(item.AgentId)), cancellationToken);

    public override bool TryComplete(Exception? error = null) => inner.TryComplete(error);
}
