namespace Webex.TeamsConnector;

/// <summary>Adds audit records up into an <see cref="AuditReport"/>.</summary>
internal sealed class AuditReportTally
{
    private readonly HashSet<string> _agents = new(StringComparer.Ordinal);
    private readonly HashSet<string> _written = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _writes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _leftAlone = new(StringComparer.Ordinal);
    private long _decisions;
    private long _refusals;
    private long _failures;
    private long _withdrawn;

    /// <summary>Whether a record is an engine decision (not a later outcome of one of its commands).</summary>
    /// <param name="outcome">The record's outcome.</param>
    /// <returns><see langword="true"/> for a decision.</returns>
    public static bool IsDecision(AuditOutcome outcome) =>
        outcome is AuditOutcome.LeftAlone or AuditOutcome.Sent or AuditOutcome.Deferred or AuditOutcome.Dropped;

    public void Add(AuditRecord record)
    {
        _agents.Add(record.AgentId);
        Add(record.AgentId, record.Rule, record.Outcome, 1);
    }

    /// <summary>Adds <paramref name="count"/> records of one agent, rule and outcome (for stores that group).</summary>
    public void Add(string? agentId, string rule, AuditOutcome outcome, long count)
    {
        if (IsDecision(outcome))
        {
            _decisions += count;
        }

        switch (outcome)
        {
            case AuditOutcome.Written:
                _writes[rule] = _writes.GetValueOrDefault(rule) + count;
                if (agentId is not null)
                {
                    _written.Add(agentId);
                }

                break;
            case AuditOutcome.LeftAlone:
            case AuditOutcome.Deferred:
                _leftAlone[rule] = _leftAlone.GetValueOrDefault(rule) + count;
                break;
            case AuditOutcome.Refused:
                _refusals += count;
                break;
            case AuditOutcome.Failed:
                _failures += count;
                break;
            case AuditOutcome.Withdrawn:
            case AuditOutcome.Coalesced:
                _withdrawn += count;
                break;
        }
    }

    /// <summary>Counts an agent as synced (for stores that group).</summary>
    public void AddAgent(string agentId) => _agents.Add(agentId);

    public AuditReport ToReport(string orgId, DateTimeOffset from, DateTimeOffset to) => new()
    {
        OrgId = orgId,
        From = from,
        To = to,
        Decisions = _decisions,
        AgentsSynced = _agents.Count,
        AgentsWritten = _written.Count,
        WritesByRule = new Dictionary<string, long>(_writes, StringComparer.Ordinal),
        LeftAloneByRule = new Dictionary<string, long>(_leftAlone, StringComparer.Ordinal),
        Refusals = _refusals,
        Failures = _failures,
        Withdrawn = _withdrawn,
    };
}
