using System.Text;
using System.Text.Json.Nodes;

namespace Webex.TeamsConnector.Testing;

/// <summary>
/// Digital contacts (chat, email, social) on the notification websocket: <c>AgentOfferContact</c>,
/// <c>AgentContactAssigned</c> and <c>AgentContactEnded</c> with <c>data.interaction.mediaType</c>. They do not change
/// the agent's voice state, which is what the emulator's agent state models.
/// </summary>
public sealed partial class ContactCenterEmulator
{
    /// <summary>Offers a digital contact to the agent (<c>AgentOfferContact</c> with the media type).</summary>
    /// <param name="agentId">The agent id.</param>
    /// <param name="mediaType">The media type, for example <c>chat</c>, <c>email</c> or <c>social</c>.</param>
    /// <returns>The contact (interaction) id.</returns>
    public string OfferDigitalContact(string agentId, string mediaType)
    {
        var contactId = Guid.NewGuid().ToString();
        EmitDigital(agentId, "AgentOfferContact", mediaType, contactId);
        return contactId;
    }

    /// <summary>The agent accepts a digital contact (<c>AgentContactAssigned</c>).</summary>
    /// <param name="agentId">The agent id.</param>
    /// <param name="mediaType">The media type.</param>
    /// <param name="contactId">The contact id from <see cref="OfferDigitalContact"/>.</param>
    public void AssignDigitalContact(string agentId, string mediaType, string contactId) =>
        EmitDigital(agentId, "AgentContactAssigned", mediaType, contactId);

    /// <summary>A digital contact ends (<c>AgentContactEnded</c>).</summary>
    /// <param name="agentId">The agent id.</param>
    /// <param name="mediaType">The media type.</param>
    /// <param name="contactId">The contact id.</param>
    public void EndDigitalContact(string agentId, string mediaType, string contactId) =>
        EmitDigital(agentId, "AgentContactEnded", mediaType, contactId);

    private void EmitDigital(string agentId, string innerType, string mediaType, string contactId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(mediaType);
        lock (_gate)
        {
            var agent = Agent(agentId);
            var now = NowMs();
            var message = new JsonObject
            {
                ["type"] = "RoutingMessage",
                ["orgId"] = OrgId,
                ["trackingId"] = "emulator_" + Guid.NewGuid().ToString("N"),
                ["data"] = new JsonObject
                {
                    ["eventType"] = "RoutingMessage",
                    ["type"] = innerType,
                    ["agentId"] = agent.AgentId,
                    ["interactionId"] = contactId,
                    ["mediaType"] = mediaType,
                    ["interaction"] = new JsonObject { ["interactionId"] = contactId, ["mediaType"] = mediaType },
                    ["eventTime"] = now,
                },
            };
            var bytes = Encoding.UTF8.GetBytes(message.ToJsonString());
            foreach (var socket in _sockets)
            {
                if (Carries(socket, agent.AgentId))
                {
                    socket.Outgoing.Writer.TryWrite(bytes);
                }
            }
        }

        Changed();
    }
}
