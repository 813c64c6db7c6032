using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Webex.TeamsConnector;

/// <summary>Settings of the Redis Streams audit store (<c>TeamsConnector:Audit:Redis</c>).</summary>
public sealed class RedisAuditStoreOptions
{
    /// <summary>
    /// The StackExchange.Redis configuration string, for example <c>redis-1:6379,redis-2:6379,password=...</c>. Never
    /// logged. Not needed when the app registers an <c>IConnectionMultiplexer</c> (it is then shared).
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? Configuration { get; set; }

    /// <summary>The prefix of each org's stream key (the key is the prefix followed by the org id).</summary>
    /// <value>The default value is <c>teamsconnector:audit:</c>.</value>
    [Required(ErrorMessage = "TeamsConnector:Audit:Redis:KeyPrefix is required.")]
    [StringLength(200, ErrorMessage = "TeamsConnector:Audit:Redis:KeyPrefix must be at most 200 characters.")]
    public string KeyPrefix { get; set; } = "teamsconnector:audit:";

    /// <summary>How long records are kept (older entries are trimmed with <c>XTRIM MINID</c>; an org's stream expires after this long without a record).</summary>
    /// <value>The default value is 30 days.</value>
    [TimeSpanRange("00:01:00", "3650.00:00:00", ErrorMessage = "TeamsConnector:Audit:Redis:Retention must be between one minute and 3650 days.")]
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>The most records kept per org (older ones are trimmed with <c>XTRIM MAXLEN</c>).</summary>
    /// <value>The default value is 1000000.</value>
    [Range(1, int.MaxValue, ErrorMessage = "TeamsConnector:Audit:Redis:MaxLengthPerOrg must be positive.")]
    public int MaxLengthPerOrg { get; set; } = 1_000_000;
}

/// <summary>The DataAnnotations rules of <see cref="RedisAuditStoreOptions"/>, generated at compile time.</summary>
[OptionsValidator]
internal sealed partial class RedisAuditStoreOptionsValidator : IValidateOptions<RedisAuditStoreOptions>;
