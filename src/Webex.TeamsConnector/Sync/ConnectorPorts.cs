namespace Webex.TeamsConnector;

/// <summary>The adapters one organization's connector unit drives.</summary>
internal sealed record ConnectorPorts(
    ITeamsPresenceFeed PresenceFeed,
    ITeamsPresencePublisher Publisher,
    ITeamsUserResolver UserResolver,
    IAgentEventFeed AgentFeed,
    IAgentStateOutbox Outbox,
    IContactCenterDirectory Directory);
