using System.Text.Json;
using System.Text.Json.Serialization;

namespace Webex.TeamsConnector.AspNetCore;

/// <summary>The connector's status as the admin API answers it.</summary>
internal sealed record AdminStatus(string State, bool PresenceSyncEnabled, bool IsSyncing, bool CanSync, string? Reason, int TrackedAgents, int OutboxDepth, int PausedAgents, bool AuditAvailable);

/// <summary>An org listed under <c>TeamsConnector:Orgs:&lt;name&gt;</c>: its name (the admin API's <c>orgs/{org}</c>) and WxCC org id.</summary>
internal sealed record AdminOrg(string Name, string? OrgId);

/// <summary>One agent as the admin API answers it.</summary>
internal sealed record AdminAgent(
    string AgentId,
    string? TeamsUserId,
    string State,
    string? IdleCodeId,
    string Origin,
    string? TeamsPresence,
    string? EffectivePresence,
    string? PendingWrite,
    string? PublishedPresence,
    bool Paused,
    DateTimeOffset? LastEventAt);

/// <summary>The answer to a pause or resume.</summary>
internal sealed record AdminPause(string AgentId, bool Paused, bool Changed);

/// <summary>An auxiliary code of the catalogue, and whether the mapping may name it.</summary>
internal sealed record AdminIdleCode(string Id, string Name, bool Active, bool IsSystemCode, bool IsIdleCode, bool Selectable, string? Reason);

/// <summary>The mapping in effect, where it comes from, and the catalogue.</summary>
internal sealed record AdminMapping(IReadOnlyDictionary<string, string> Mapping, string Source, IReadOnlyList<string> States, IReadOnlyList<AdminIdleCode> IdleCodes);

/// <summary>The body of <c>PUT mapping</c>: Teams state name to idle code id; a state left out is not mapped.</summary>
internal sealed record AdminMappingRequest(Dictionary<string, string>? Mapping);

/// <summary>A desktop profile's collaboration toggles.</summary>
internal sealed record AdminProfile(string Id, string? Name, bool StateSynchronizationMS, bool ShowUserDetailsMS, bool StateSynchronizationWebex, bool ShowUserDetailsWebex, bool HasConflictingToggles);

/// <summary>The body of <c>PUT desktop-profiles/{id}/toggles</c>.</summary>
internal sealed record AdminToggleRequest(string? Toggle, bool? Enabled);

/// <summary>The body of deactivate, reactivate and delete: <c>{"confirm": true}</c>.</summary>
internal sealed record AdminConfirmRequest(bool? Confirm);

/// <summary>The answer to a lifecycle operation.</summary>
internal sealed record AdminLifecycle(string State, bool PresenceSyncEnabled, string? Notice);

/// <summary>Audit records, oldest first.</summary>
internal sealed record AdminAudit(string OrgId, string? AgentId, DateTimeOffset From, DateTimeOffset To, IReadOnlyList<AuditRecord> Records);

/// <summary>An RFC 9457 problem: what went wrong, and for a refused mapping every error.</summary>
internal sealed record AdminProblem(
    string Type,
    string Title,
    int Status,
    string? Detail,
    string? Instance,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? Errors);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(IReadOnlyList<AdminOrg>))]
[JsonSerializable(typeof(AdminStatus))]
[JsonSerializable(typeof(IReadOnlyList<AdminAgent>))]
[JsonSerializable(typeof(AdminPause))]
[JsonSerializable(typeof(AdminMapping))]
[JsonSerializable(typeof(AdminMappingRequest))]
[JsonSerializable(typeof(IReadOnlyList<AdminProfile>))]
[JsonSerializable(typeof(AdminProfile))]
[JsonSerializable(typeof(AdminToggleRequest))]
[JsonSerializable(typeof(AdminConfirmRequest))]
[JsonSerializable(typeof(AdminLifecycle))]
[JsonSerializable(typeof(AdminAudit))]
[JsonSerializable(typeof(AdminProblem))]
internal sealed partial class AdminJsonContext : JsonSerializerContext;
