using System.Text;
using System.Text.Json.Nodes;

namespace Webex.TeamsConnector.Testing;

/// <summary>
/// Per-channel agent states as WxCC's v2 webhooks report them (<c>agent:channel_state_change</c> with
/// <c>channelType</c>): a digital channel's state, delivered to every active webhook subscription. The agent's voice
/// state does not change.
/// </summary>
public sealed partial class ContactCenterEmulator
{
    /// <summary>Delivers a v2 <c>agent:channel_state_change</c> of one channel to every active subscription.</summary>
    /// <param name="agentId">The agent.</param>
    /// <param name="channelType">The channel, for example <c>chat</c>.</param>
    /// <param name="currentState">The channel's state, for example <c>Engaged</c> or <c>Available</c>.</param>
    public void DeliverChannelState(string agentId, string channelType, string currentState)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(channelType);
        ArgumentException.ThrowIfNullOrWhiteSpace(currentState);
        lock (_gate)
        {
            var agent = Agent(agentId);
            var now = NowMs();
            foreach (var subscription in _subscriptions.Values)
            {
                if (!subscription.Active)
                {
                    continue;
                }

                var envelope = new JsonObject
                {
                    ["id"] = Guid.NewGuid().ToString(),
                    ["specversion"] = "1.0",
                    ["type"] = "agent:channel_state_change",
                    ["source"] = "/com/cisco/wxcc/" + subscription.Id,
                    ["comciscoorgid"] = OrgId,
                    ["comciscotimestamp"] = now,
                    ["datacontenttype"] = "application/json",
                    ["data"] = new JsonObject
                    {
                        ["agentId"] = agent.AgentId,
                        ["orgId"] = OrgId,
                        ["currentState"] = currentState,
                        ["channelType"] = channelType,
                        ["createdTime"] = now,
                        ["teamId"] = null,
                    },
                };
                var body = Encoding.UTF8.GetBytes(envelope.ToJsonString());
                var timestamp = Invariant(now);
                var signature = Sign(subscription.Secret, Encoding.UTF8.GetBytes(timestamp + ".").Concat(body).ToArray());
                subscription.Queue.Writer.TryWrite(new Delivery(body, signature, timestamp));
            }
        }
    }
}
