using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Webex.TeamsConnector.Tests.Fakes;

namespace Webex.TeamsConnector.Tests.Audit;

/// <summary>An audit store in memory that can be made to fail or to hang, raising a pulse on every write.</summary>
internal sealed class CapturingAuditStore : IAuditStore
{
    public ConcurrentQueue<AuditRecord> Records { get; } = new();

    public volatile bool Fail;

    public TaskCompletionSource? Hang { get; set; }

    public int Appends;

    public async ValueTask AppendAsync(IReadOnlyList<AuditRecord> records, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref Appends);
        try
        {
            if (Hang is { } hang)
            {
                await hang.Task.WaitAsync(cancellationToken);
            }

            if (Fail)
            {
                throw new InvalidOperationException("the audit store is down");
            }

            foreach (var record in records)
            {
                Records.Enqueue(record);
            }
        }
        finally
        {
            Wait.Pulse.Raise();
        }
    }

    public ValueTask<IReadOnlyList<AuditRecord>> QueryAsync(AuditQuery query, CancellationToken cancellationToken)
    {
        var selected = Records
            .Where(r => r.OrgId == query.OrgId && (query.AgentId is null || r.AgentId == query.AgentId) && r.Time >= query.From && r.Time < query.To)
            .OrderBy(r => r.Time)
            .ToList();
        return ValueTask.FromResult<IReadOnlyList<AuditRecord>>(query.Latest ? selected.TakeLast(query.Limit).ToList() : selected.Take(query.Limit).ToList());
    }

    public List<AuditRecord> Of(string agentId) => Records.Where(r => r.AgentId == agentId).ToList();

    /// <summary>
    /// A connector with Do Not Disturb mapped to <c>c-dnd</c>, auditing into this store for <paramref name="orgId"/> on
    /// <paramref name="time"/>, records not logged: the recorder tests' services.
    /// </summary>
    public ServiceProvider BuildServices(TimeProvider time, string orgId)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(time);
        services.AddTeamsConnector(o => o.StateSync.IdleCodes["DoNotDisturb"] = "c-dnd").AddAuditStore(_ => this);
        services.Configure<AuditOptions>(o =>
        {
            o.OrgId = orgId;
            o.LogRecords = false;
        });
        return services.BuildServiceProvider();
    }
}
