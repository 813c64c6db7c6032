using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Webex.TeamsConnector;

/// <summary>Settings of the audit trail (<c>TeamsConnector:Audit</c>).</summary>
public sealed class AuditOptions
{
    /// <summary>
    /// Whether every sync decision is recorded. <see langword="null"/>: on when an <see cref="IAuditStore"/> is
    /// registered (<c>AddSqliteAuditStore</c>, <c>AddRedisAuditStore</c>, <c>AddAuditStore</c>, or the app's own), else
    /// off. <see langword="true"/>: on, into the embedded SQLite store when no other store is registered (set in
    /// configuration, the embedded store is then also the registered <see cref="IAuditStore"/>). <see langword="false"/>: off.
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public bool? Enabled { get; set; }

    /// <summary>The WxCC organization id written into each record.</summary>
    /// <value>The default value is <see langword="null"/>: <c>TeamsConnector:ContactCenter:OrgId</c>, else <c>default</c>.</value>
    [StringLength(256)]
    public string? OrgId { get; set; }

    /// <summary>How many records may wait for the store; more are dropped and counted (<c>webex.teamsconnector.audit.dropped</c>).</summary>
    /// <value>The default value is 100000.</value>
    [Range(1, 10_000_000, ErrorMessage = "TeamsConnector:Audit:BufferCapacity must be between 1 and 10000000.")]
    public int BufferCapacity { get; set; } = 100_000;

    /// <summary>The most records written to the store at once.</summary>
    /// <value>The default value is 500.</value>
    [Range(1, 100_000, ErrorMessage = "TeamsConnector:Audit:BatchSize must be between 1 and 100000.")]
    public int BatchSize { get; set; } = 500;

    /// <summary>How long one write to the store may take before it is given up (the records are dropped and counted).</summary>
    /// <value>The default value is ten seconds.</value>
    [TimeSpanRange("00:00:00.001", "00:10:00", ErrorMessage = "TeamsConnector:Audit:WriteTimeout must be between 1 ms and 10 minutes.")]
    public TimeSpan WriteTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Whether each record is also written as a structured log event (event id 1600, category <c>Webex.TeamsConnector.Audit</c>).</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool LogRecords { get; set; } = true;

    /// <summary>The UTC time of day at which the previous day's sync report is logged (event id 1603).</summary>
    /// <value>The default value is 00:05 UTC.</value>
    [TimeSpanRange("00:00:00", "23:59:59", ErrorMessage = "TeamsConnector:Audit:DailyReportTime must be a time of day (00:00:00 to 23:59:59).")]
    public TimeSpan DailyReportTime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The embedded SQLite store (<c>TeamsConnector:Audit:Sqlite</c>).</summary>
    [ValidateObjectMembers]
    public SqliteAuditStoreOptions Sqlite { get; set; } = new();
}

/// <summary>Settings of the embedded SQLite audit store (<c>TeamsConnector:Audit:Sqlite</c>).</summary>
public sealed class SqliteAuditStoreOptions
{
    /// <summary>The database file (created with its folder when missing).</summary>
    /// <value>The default value is <c>teams-connector-audit.db</c> (in the working directory).</value>
    [Required(ErrorMessage = "TeamsConnector:Audit:Sqlite:Path is required.")]
    public string Path { get; set; } = "teams-connector-audit.db";

    /// <summary>How long records are kept.</summary>
    /// <value>The default value is 30 days.</value>
    [TimeSpanRange("00:01:00", "3650.00:00:00", ErrorMessage = "TeamsConnector:Audit:Sqlite:Retention must be between one minute and 3650 days.")]
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>The largest the database may grow, in bytes; the oldest records go first.</summary>
    /// <value>The default value is 268435456 (256 MiB).</value>
    [Range(65_536L, long.MaxValue, ErrorMessage = "TeamsConnector:Audit:Sqlite:MaxSizeBytes must be at least 65536.")]
    public long MaxSizeBytes { get; set; } = 256L * 1024 * 1024;
}

/// <summary>The DataAnnotations rules of <see cref="AuditOptions"/>, generated at compile time.</summary>
[OptionsValidator]
internal sealed partial class AuditOptionsValidator : IValidateOptions<AuditOptions>;
