namespace Webex.TeamsConnector;

/// <summary>What became of one engine decision.</summary>
public enum AuditOutcome
{
    /// <summary>The rules changed nothing: the event was applied and the agent was left alone.</summary>
    LeftAlone = 0,
    /// <summary>The command was handed to its adapter and its result is not known yet.</summary>
    Sent,
    /// <summary>The WxCC state write or the Teams publish landed.</summary>
    Written,
    /// <summary>WxCC or Graph refused the command (the reason is in <see cref="AuditRecord.Detail"/>).</summary>
    Refused,
    /// <summary>The command failed after its retries.</summary>
    Failed,
    /// <summary>A queued write was withdrawn because someone else changed the state first.</summary>
    Withdrawn,
    /// <summary>The command was merged into a later one for the same agent.</summary>
    Coalesced,
    /// <summary>The change waits until the agent's contact ends.</summary>
    Deferred,
    /// <summary>The event was dropped (stale, duplicate, an echo, malformed or from too far ahead).</summary>
    Dropped,
}

/// <summary>
/// One decision of the sync engine, as kept by the audit trail: the answer to "why is this agent in this state?".
/// Holds no secret: no token, client secret, clientState or consent <c>state</c> value.
/// </summary>
public sealed record AuditRecord
{
    /// <summary>When the decision was made.</summary>
    public required DateTimeOffset Time { get; init; }

    /// <summary>The WxCC organization id.</summary>
    public required string OrgId { get; init; }

    /// <summary>The WxCC agent id (<c>ciUserId</c>).</summary>
    public required string AgentId { get; init; }

    /// <summary>What triggered the decision, for example <c>TeamsPresenceChanged</c> or <c>AgentStateChanged</c>.</summary>
    public required string Trigger { get; init; }

    /// <summary>For a Teams trigger: Graph's raw <c>availability</c> string.</summary>
    public string? TeamsAvailability { get; init; }

    /// <summary>For a Teams trigger: Graph's raw <c>activity</c> string.</summary>
    public string? TeamsActivity { get; init; }

    /// <summary>For an agent-event trigger: the event kind as WxCC named it.</summary>
    public string? AgentEvent { get; init; }

    /// <summary>The agent's WxCC state before the decision, for example <c>Idle (Teams call)</c>.</summary>
    public string? StateBefore { get; init; }

    /// <summary>The agent's WxCC state the decision leads to.</summary>
    public string? StateAfter { get; init; }

    /// <summary>Who set the state the decision started from: Connector, Agent, Supervisor, Rona or System.</summary>
    public string? Origin { get; init; }

    /// <summary>The rule that decided, for example <c>Engage</c>, <c>Release</c> or <c>AgentOwned</c> (a left-alone rule), or for a dropped event why (<c>Duplicate</c>, <c>Stale</c>, <c>Echo</c>...).</summary>
    public required string Rule { get; init; }

    /// <summary>The command produced, if any, for example <c>SetIdle(Teams call)</c> or <c>PublishPresence(Busy/InACall)</c>.</summary>
    public string? Command { get; init; }

    /// <summary>What became of it.</summary>
    public required AuditOutcome Outcome { get; init; }

    /// <summary>More about the outcome, for example WxCC's refusal reason. Never a secret.</summary>
    public string? Detail { get; init; }

    /// <summary>From the trigger's arrival to the outcome, when known.</summary>
    public TimeSpan? Latency { get; init; }
}

/// <summary>Selects audit records: one org, optionally one agent, within a time range, oldest first.</summary>
/// <param name="OrgId">The WxCC organization id.</param>
/// <param name="AgentId">One agent, or <see langword="null"/> for every agent.</param>
/// <param name="From">The first time included.</param>
/// <param name="To">The first time excluded.</param>
/// <param name="Limit">At most this many records (the oldest first).</param>
public sealed record AuditQuery(string OrgId, string? AgentId, DateTimeOffset From, DateTimeOffset To, int Limit = 1000)
{
    /// <summary>
    /// Whether the <see cref="Limit"/> newest records of the range are taken (an agent's timeline up to a moment)
    /// instead of the oldest; they are still returned oldest first.
    /// </summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool Latest { get; init; }
}

/// <summary>
/// What the sync did for one org over a period (a day for the daily report): agents synced, writes by rule, refusals
/// and failures.
/// </summary>
public sealed record AuditReport
{
    /// <summary>The WxCC organization id.</summary>
    public required string OrgId { get; init; }

    /// <summary>The first time included.</summary>
    public required DateTimeOffset From { get; init; }

    /// <summary>The first time excluded.</summary>
    public required DateTimeOffset To { get; init; }

    /// <summary>Decisions recorded.</summary>
    public long Decisions { get; init; }

    /// <summary>Distinct agents with at least one decision.</summary>
    public int AgentsSynced { get; init; }

    /// <summary>Distinct agents whose state the connector wrote at least once.</summary>
    public int AgentsWritten { get; init; }

    /// <summary>State writes and Teams publishes that landed, by rule (for example <c>Engage</c>, <c>Release</c>).</summary>
    public IReadOnlyDictionary<string, long> WritesByRule { get; init; } = new Dictionary<string, long>();

    /// <summary>Decisions that left the agent alone, by rule (for example <c>AgentOwned</c>, <c>DeferredOnContact</c>).</summary>
    public IReadOnlyDictionary<string, long> LeftAloneByRule { get; init; } = new Dictionary<string, long>();

    /// <summary>Commands that WxCC or Graph refused.</summary>
    public long Refusals { get; init; }

    /// <summary>Commands that failed after their retries.</summary>
    public long Failures { get; init; }

    /// <summary>Queued writes withdrawn or merged into a later one.</summary>
    public long Withdrawn { get; init; }
}

/// <summary>
/// Keeps the audit trail. The host writes to it off the hot path, in batches; a failing store is logged and counted
/// and never stops the sync. Implement it to keep the trail in your own storage.
/// </summary>
public interface IAuditStore
{
    /// <summary>Appends records, in order.</summary>
    /// <param name="records">The records.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the records are stored.</returns>
    ValueTask AppendAsync(IReadOnlyList<AuditRecord> records, CancellationToken cancellationToken);

    /// <summary>Reads records, oldest first.</summary>
    /// <param name="query">What to read.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The records.</returns>
    ValueTask<IReadOnlyList<AuditRecord>> QueryAsync(AuditQuery query, CancellationToken cancellationToken);

    /// <summary>
    /// Sums up one org's records over a period (the daily sync report). The default implementation pages through
    /// <see cref="QueryAsync"/>; a store may answer it more cheaply.
    /// </summary>
    /// <param name="orgId">The WxCC organization id.</param>
    /// <param name="since">The first time included.</param>
    /// <param name="until">The first time excluded.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The report.</returns>
    async ValueTask<AuditReport> ReportAsync(string orgId, DateTimeOffset since, DateTimeOffset until, CancellationToken cancellationToken)
    {
        var tally = new AuditReportTally();
        var from = since;
        const int Page = 1000;
        var skip = 0;
        while (true)
        {
            var page = await QueryAsync(new AuditQuery(orgId, null, from, until, Page + skip), cancellationToken).ConfigureAwait(false);
            for (var i = skip; i < page.Count; i++)
            {
                tally.Add(page[i]);
            }

            if (page.Count < Page + skip)
            {
                return tally.ToReport(orgId, since, until);
            }

            // Next page from the last time read; the records at that time already counted are skipped.
            var last = page[^1].Time;
            skip = 0;
            for (var i = page.Count - 1; i >= 0 && page[i].Time == last; i--)
            {
                skip++;
            }

            from = last;
        }
    }
}
