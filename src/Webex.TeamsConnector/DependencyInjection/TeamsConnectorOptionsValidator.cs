using Microsoft.Extensions.Options;

namespace Webex.TeamsConnector;

/// <summary>
/// The DataAnnotations rules of <see cref="TeamsConnectorOptions"/> and its nested options, generated at compile time.
/// </summary>
[OptionsValidator]
internal sealed partial class TeamsConnectorOptionsAnnotations : IValidateOptions<TeamsConnectorOptions>;

/// <summary>
/// Validates <see cref="TeamsConnectorOptions"/>: the configuration errors found while binding, the DataAnnotations
/// rules, and the rules across fields; every error is listed at once and values are never echoed (only key names).
/// </summary>
internal sealed class TeamsConnectorOptionsValidator(ConfigurationErrors<TeamsConnectorOptions>? bindingErrors = null) : IValidateOptions<TeamsConnectorOptions>
{
    private const string Prefix = "TeamsConnector";

    private readonly TeamsConnectorOptionsAnnotations _annotations = new();

    public ValidateOptionsResult Validate(string? name, TeamsConnectorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>(bindingErrors?.Errors ?? []);
        if (_annotations.Validate(Prefix, options) is { Failed: true, Failures: { } failures })
        {
            errors.AddRange(failures);
        }

        var sync = options.StateSync ?? new StateSyncOptions();
        TryBuildRules(sync, new OriginClassifier(), out _, errors);

        if (!sync.SyncAllEligibleAgents && (sync.Agents is null || sync.Agents.Count == 0))
        {
            errors.Add("TeamsConnector:StateSync:Agents must list at least one agent when SyncAllEligibleAgents is false.");
        }

        var admin = options.Admin ?? new ConnectorAdminOptions();
        if (admin.ConsentRedirectUri is { IsAbsoluteUri: false })
        {
            errors.Add("TeamsConnector:Admin:ConsentRedirectUri must be an absolute URI.");
        }

        if (admin.SignInRedirectUri is { IsAbsoluteUri: false })
        {
            errors.Add("TeamsConnector:Admin:SignInRedirectUri must be an absolute URI.");
        }

        if (admin.AuthorityHost is not { IsAbsoluteUri: true } host || host.Scheme != Uri.UriSchemeHttps && !(host.Scheme == Uri.UriSchemeHttp && host.IsLoopback))
        {
            errors.Add("TeamsConnector:Admin:AuthorityHost must be an absolute https URI (http only on loopback).");
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
            // No Teams state has a long name: a long key is refused here, cut, so that it is never echoed in full.
            foreach (var key in sync.IdleCodes.Keys.Where(static k => k.Length > ConfigurationBinding.MaxQuotedKeyLength))
            {
                errors.Add($"TeamsConnector:StateSync:IdleCodes:{Safe(key)} is not a Teams state that can be mapped.");
            }

            var entries = sync.IdleCodes.Where(static e => e.Key.Length <= ConfigurationBinding.MaxQuotedKeyLength);
            if (!IdleCodeMapping.TryCreate(entries.Select(e => new KeyValuePair<string, string?>(e.Key, e.Value)), out mapping, out var mappingErrors))
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

    private static string Safe(string? key) => ConfigurationBinding.Quote(key);
}
