using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Webex.TeamsConnector;

/// <summary>
/// Validates <see cref="TeamsConnectorOptions"/> and the <c>TeamsConnector</c> section it came from: every error is
/// listed at once, unknown keys are refused, and values are never echoed (only key names).
/// </summary>
internal sealed class TeamsConnectorOptionsValidator : IValidateOptions<TeamsConnectorOptions>
{
    private static readonly HashSet<string> s_topLevel = new(StringComparer.OrdinalIgnoreCase) { "StateSync", "Admin", "Graph", "ContactCenter" };
    private static readonly HashSet<string> s_stateSync = PropertyNames<StateSyncOptions>();
    private static readonly HashSet<string> s_admin = PropertyNames<ConnectorAdminOptions>();

    private readonly IConfiguration? _section;
    private readonly ConfigurationErrors<TeamsConnectorOptions>? _bindingErrors;

    public TeamsConnectorOptionsValidator(IConfiguration? section, ConfigurationErrors<TeamsConnectorOptions>? bindingErrors = null)
    {
        _section = section;
        _bindingErrors = bindingErrors;
    }

    public ValidateOptionsResult Validate(string? name, TeamsConnectorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>(_bindingErrors?.Errors ?? []);
        if (_section is not null)
        {
            CheckKeys(_section, errors);
        }

        var sync = options.StateSync ?? new StateSyncOptions();
        TryBuildRules(sync, new OriginClassifier(), out _, errors);

        if (sync.RosterRefreshInterval <= TimeSpan.Zero)
        {
            errors.Add("TeamsConnector:StateSync:RosterRefreshInterval must be positive.");
        }

        if (sync.PresenceSyncCheckInterval < TimeSpan.FromMilliseconds(10) || sync.PresenceSyncCheckInterval > TimeSpan.FromHours(1))
        {
            errors.Add("TeamsConnector:StateSync:PresenceSyncCheckInterval must be between 00:00:00.010 and 01:00:00.");
        }

        if (sync.TimerResolution <= TimeSpan.Zero || sync.TimerResolution > TimeSpan.FromMinutes(1))
        {
            errors.Add("TeamsConnector:StateSync:TimerResolution must be between zero and one minute.");
        }

        if (!sync.SyncAllEligibleAgents && (sync.Agents is null || sync.Agents.Count == 0))
        {
            errors.Add("TeamsConnector:StateSync:Agents must list at least one agent when SyncAllEligibleAgents is false.");
        }

        var admin = options.Admin ?? new ConnectorAdminOptions();
        if (admin.ConsentTimeout <= TimeSpan.Zero)
        {
            errors.Add("TeamsConnector:Admin:ConsentTimeout must be positive.");
        }

        if (!Enum.IsDefined(admin.InitialState))
        {
            errors.Add("TeamsConnector:Admin:InitialState must be NotConfigured, Active, Inactive or Deleted.");
        }

        if (admin.ConsentRedirectUri is { IsAbsoluteUri: false })
        {
            errors.Add("TeamsConnector:Admin:ConsentRedirectUri must be an absolute URI.");
        }

        if (admin.ConsentRedirectUri is not null && !string.IsNullOrWhiteSpace(admin.TenantId) && !Guid.TryParse(admin.TenantId, out _))
        {
            errors.Add("TeamsConnector:Admin:TenantId must be the tenant (directory) id, a GUID, when admin consent is used: the consent's tenant is checked against it (Graph:TenantId may stay a domain name).");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    /// <summary>Builds the Core rules from the options, adding every problem to <paramref name="errors"/>.</summary>
    internal static bool TryBuildRules(StateSyncOptions sync, OriginClassifier classifier, out SyncRules? rules, List<string> errors)
    {
        var before = errors.Count;
        rules = null;
        IdleCodeMapping? mapping = null;
        if (sync.IdleCodes is not null)
        {
            if (!IdleCodeMapping.TryCreate(sync.IdleCodes.Select(e => new KeyValuePair<string, string?>(e.Key, e.Value)), out mapping, out var mappingErrors))
            {
                errors.AddRange(mappingErrors.Select(e => "TeamsConnector:StateSync:" + e));
            }
        }

        if (string.IsNullOrWhiteSpace(sync.ReasonMarker) || sync.ReasonMarker.Length > 128)
        {
            errors.Add("TeamsConnector:StateSync:ReasonMarker must be 1 to 128 characters.");
        }

        var contact = PublishedPresence.None;
        if (!string.Equals(sync.ContactPresence?.Trim(), "None", StringComparison.OrdinalIgnoreCase)
            && !PublishedPresenceExtensions.TryParse(sync.ContactPresence, out contact))
        {
            errors.Add("TeamsConnector:StateSync:ContactPresence must be None or one of Available/Available, Busy/InACall, Busy/InAConferenceCall, Away/Away, DoNotDisturb/Presenting.");
        }

        var channels = ContactPresenceSettings.Parse(sync.ContactPresences, errors);

        var idlePresences = new Dictionary<string, PublishedPresence>(StringComparer.Ordinal);
        foreach (var (code, pair) in sync.IdleCodePresences ?? [])
        {
            if (string.IsNullOrWhiteSpace(code) || code == AgentState.AvailableCodeId || code.Length > IdleCodeMapping.MaxIdleCodeIdLength)
            {
                errors.Add($"TeamsConnector:StateSync:IdleCodePresences:{Safe(code)} is not a valid idle code id.");
            }
            else if (!PublishedPresenceExtensions.TryParse(pair, out var presence))
            {
                errors.Add($"TeamsConnector:StateSync:IdleCodePresences:{Safe(code)} must be one of Available/Available, Busy/InACall, Busy/InAConferenceCall, Away/Away, DoNotDisturb/Presenting.");
            }
            else
            {
                idlePresences[code] = presence;
            }
        }

        var candidate = new SyncRules
        {
            Mapping = mapping ?? IdleCodeMapping.Empty,
            Classifier = classifier,
            ContactPresence = channels.Telephony ?? contact,
            ChatContactPresence = channels.Chat,
            EmailContactPresence = channels.Email,
            SocialContactPresence = channels.Social,
            EngageFrom = sync.EngageFrom,
            IgnoreInactivity = sync.IgnoreInactivity,
            KeepContactPresenceDuringWrapUp = sync.KeepContactPresenceDuringWrapUp,
            IdleCodePresences = idlePresences,
            PublishExpiration = sync.PublishExpiration,
            PublishRefreshMargin = sync.PublishRefreshMargin,
            EchoGracePeriod = sync.EchoGracePeriod,
            PendingWriteTimeout = sync.PendingWriteTimeout,
            MaxEventClockSkew = sync.MaxEventClockSkew,
            WriteRetryDelay = sync.WriteRetryDelay,
            WriteRetryMaxDelay = sync.WriteRetryMaxDelay,
            VerifyTimeout = sync.VerifyTimeout,
        };
        errors.AddRange(candidate.Validate().Select(e => "TeamsConnector:StateSync: " + e));
        if (errors.Count == before)
        {
            rules = candidate;
            return true;
        }

        return false;
    }

    private static void CheckKeys(IConfiguration section, List<string> errors)
    {
        foreach (var child in section.GetChildren())
        {
            if (!s_topLevel.Contains(child.Key))
            {
                errors.Add($"TeamsConnector:{Safe(child.Key)} is not a known setting (allowed: StateSync, Admin, Graph, ContactCenter).");
                continue;
            }

            var known = child.Key.Equals("StateSync", StringComparison.OrdinalIgnoreCase) ? s_stateSync
                : child.Key.Equals("Admin", StringComparison.OrdinalIgnoreCase) ? s_admin
                : null;
            if (known is null)
            {
                continue; // the adapters check their own sections
            }

            foreach (var setting in child.GetChildren())
            {
                if (!known.Contains(setting.Key))
                {
                    errors.Add($"TeamsConnector:{child.Key}:{Safe(setting.Key)} is not a known setting.");
                }
            }
        }
    }

    private static HashSet<string> PropertyNames<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] T>() =>
        new(typeof(T).GetProperties().Select(p => p.Name), StringComparer.OrdinalIgnoreCase);

    private static string Safe(string? key) => key is null ? "(null)" : key.Length <= 64 ? key : key[..64] + "...";
}
