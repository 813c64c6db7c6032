namespace Webex.TeamsConnector.TestFixtures;

/// <summary>Audit records for the store tests (SQLite and Redis): one Teams call decision, with what varies as arguments.</summary>
internal static class AuditRecords
{
    /// <summary>A decision on a Teams call; a left-alone decision carries no command.</summary>
    public static AuditRecord Record(string agent, DateTimeOffset time, string rule = "Engage", AuditOutcome outcome = AuditOutcome.Sent, string org = "org-1") => new()
    {
        Time = time,
        OrgId = org,
        AgentId = agent,
        Trigger = "TeamsPresenceChanged",
        TeamsAvailability = "Busy",
        TeamsActivity = "InACall",
        StateBefore = "Available",
        StateAfter = "Idle(c-call)",
        Origin = "Agent",
        Rule = rule,
        Command = outcome == AuditOutcome.LeftAlone ? null : "SetIdle(c-call)",
        Outcome = outcome,
        Latency = TimeSpan.FromMilliseconds(3),
    };
}
