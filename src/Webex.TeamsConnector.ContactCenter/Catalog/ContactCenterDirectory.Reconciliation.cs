using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Webex.TeamsConnector.ContactCenter;

/// <summary>
/// Reconciliation: the current state of many agents by <c>GET /v1/agents/activities</c> (at most 100 agents a request),
/// handed over group by group as each request answers, so that the first agents sync while the rest are still read.
/// </summary>
internal sealed partial class ContactCenterDirectory
{
    public async Task<IReadOnlyList<AgentFeedEvent>> GetCurrentStatesAsync(IReadOnlyCollection<string> agentIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(agentIds);
        if (agentIds.Count <= UrgentRequests.MaxAgents)
        {
            // A verification before a write (or a few agents that just joined): someone waits for it.
            UrgentRequests.Enter();
        }

        var all = new List<AgentFeedEvent>();
        await ReadCurrentStatesAsync(
            agentIds,
            priority: null,
            (part, _) =>
            {
                all.AddRange(part);
                return ValueTask.CompletedTask;
            },
            cancellationToken).ConfigureAwait(false);
        return all;
    }

    /// <summary>
    /// Reads the current state of every agent in <paramref name="agentIds"/>, at most
    /// <see cref="MaxAgentsPerActivitiesCall"/> agents a request, and hands each group's states to
    /// <paramref name="onPart"/> as soon as its request answered (before the next request is made). Agents that
    /// <paramref name="priority"/> marks (their Teams presence waits for a decision) go into the next request first,
    /// whenever they were marked.
    /// </summary>
    /// <param name="agentIds">The agents.</param>
    /// <param name="priority">The agents to read first, if any (read again before every request).</param>
    /// <param name="onPart">Receives the states found by each request (agents without a current state are left out).</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns>The number of agents with a current state.</returns>
    public async Task<int> ReadCurrentStatesAsync(
        IReadOnlyCollection<string> agentIds,
        AgentStartPriority? priority,
        Func<IReadOnlyList<AgentFeedEvent>, CancellationToken, ValueTask> onPart,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(agentIds);
        ArgumentNullException.ThrowIfNull(onPart);

        // A minute of slack past now covers clock skew between the connector and WxCC.
        var now = _time.GetUtcNow();
        var to = now + TimeSpan.FromMinutes(1);
        var from = to - Options.ReconciliationWindow;
        var pending = agentIds.Where(static a => !string.IsNullOrWhiteSpace(a)).Distinct(StringComparer.Ordinal).ToList();
        var wanted = new HashSet<string>(pending, StringComparer.Ordinal);
        var next = 0;
        var found = 0;
        var latest = new Dictionary<string, AgentFeedEvent>(StringComparer.Ordinal);
        while (wanted.Count > 0)
        {
            var batch = NextBatch(pending, ref next, wanted, priority);
            latest.Clear();
            await FindCurrentAsync(batch, from, to, now, latest, cancellationToken).ConfigureAwait(false);
            found += latest.Count;
            if (latest.Count > 0)
            {
                await onPart([.. latest.Values], cancellationToken).ConfigureAwait(false);
            }
        }

        Log.Reconciled(_logger, agentIds.Count, found);
        return found;
    }

    /// <summary>The next group of at most 100 agents still wanted: marked agents first, then in the given order.</summary>
    private static List<string> NextBatch(List<string> pending, ref int next, HashSet<string> wanted, AgentStartPriority? priority)
    {
        var batch = new List<string>(Math.Min(MaxAgentsPerActivitiesCall, wanted.Count));
        if (priority is { IsOpen: true, Count: > 0 })
        {
            foreach (var agent in priority.Marked)
            {
                if (batch.Count == MaxAgentsPerActivitiesCall)
                {
                    break;
                }

                if (wanted.Remove(agent))
                {
                    batch.Add(agent);
                }
            }
        }

        while (batch.Count < MaxAgentsPerActivitiesCall && next < pending.Count)
        {
            var agent = pending[next++];
            if (wanted.Remove(agent))
            {
                batch.Add(agent);
            }
        }

        return batch;
    }

    /// <summary>
    /// Finds the active activity record (the current state) of each agent in <paramref name="agents"/> between
    /// <paramref name="from"/> and <paramref name="to"/>. WxCC answers at most <see cref="ActivitiesPageSize"/> records
    /// and offers no next page, so a full answer may have left out the newest records: the agents whose active record
    /// was not in it are asked for again over the newer half of the window (then, for those still missing, the older
    /// half), and when the window cannot shrink any more, in smaller groups. Every call goes through the shared budget.
    /// </summary>
    private async Task FindCurrentAsync(
        IReadOnlyList<string> agents,
        DateTimeOffset from,
        DateTimeOffset to,
        DateTimeOffset now,
        Dictionary<string, AgentFeedEvent> latest,
        CancellationToken cancellationToken)
    {
        var query = string.Create(
            CultureInfo.InvariantCulture,
            $"v1/agents/activities?from={from.ToUnixTimeMilliseconds()}&to={to.ToUnixTimeMilliseconds()}&agentIds={Uri.EscapeDataString(string.Join(',', agents))}&pageSize={ActivitiesPageSize}");
        var response = await _api.GetAsync(new Uri(WithSlash(Options.BaseUrl), query), allowNotFound: false, cancellationToken).ConfigureAwait(false);
        var records = 0;
        using (var doc = Parse(response, "agents/activities"))
        {
            if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Array)
            {
                foreach (var record in data.EnumerateArray())
                {
                    records++;
                    if (AgentEventParser.FromActivity(record, now) is { } feedEvent
                        && (!latest.TryGetValue(feedEvent.AgentId, out var seen) || seen.Event.Timestamp <= feedEvent.Event.Timestamp))
                    {
                        latest[feedEvent.AgentId] = feedEvent;
                    }
                }
            }
        }

        if (records < ActivitiesPageSize)
        {
            return;
        }

        var missing = agents.Where(a => !latest.ContainsKey(a)).ToList();
        if (missing.Count == 0)
        {
            return;
        }

        if (to - from > MinimumActivitiesWindow)
        {
            var middle = from + ((to - from) / 2);
            await FindCurrentAsync(missing, middle, to, now, latest, cancellationToken).ConfigureAwait(false);
            var older = missing.Where(a => !latest.ContainsKey(a)).ToList();
            if (older.Count > 0)
            {
                await FindCurrentAsync(older, from, middle, now, latest, cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        if (missing.Count > 1)
        {
            var half = missing.Count / 2;
            await FindCurrentAsync(missing[..half], from, to, now, latest, cancellationToken).ConfigureAwait(false);
            await FindCurrentAsync(missing[half..], from, to, now, latest, cancellationToken).ConfigureAwait(false);
            return;
        }

        Log.ActivitiesTruncated(_logger, missing[0], ActivitiesPageSize, to - from);
    }
}
