using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Webex.TeamsConnector;

/// <summary>The admin API over the <see cref="ConnectorRuntime"/> and the persisted record.</summary>
internal sealed partial class TeamsConnectorAdmin : ITeamsConnectorAdmin
{
    private readonly ConnectorRuntime _runtime;
    private readonly IOptionsMonitor<TeamsConnectorOptions> _options;
    private readonly TimeProvider _time;
    private readonly ILogger<TeamsConnectorAdmin> _logger;
    private readonly IServiceProvider _services;
    private readonly TeamsConnectorTelemetry _telemetry;
    private readonly AdminSignIn _signIn;
    private readonly IAdminSignInStore _states;
    private readonly ConnectorDeletion _deletion;

    public TeamsConnectorAdmin(
        ConnectorRuntime runtime,
        IOptionsMonitor<TeamsConnectorOptions> options,
        TimeProvider time,
        ILogger<TeamsConnectorAdmin> logger,
        IServiceProvider services,
        TeamsConnectorTelemetry telemetry,
        AdminSignIn signIn,
        IAdminSignInStore states,
        ConnectorDeletion deletion)
    {
        _telemetry = telemetry;
        _runtime = runtime;
        _options = options;
        _time = time;
        _logger = logger;
        _services = services;
        _signIn = signIn;
        _states = states;
        _deletion = deletion;
    }

    public ConnectorStatusReport GetStatus() => _runtime.Report();

    public async Task<IReadOnlyList<AgentSyncSnapshot>> GetAgentsAsync(CancellationToken cancellationToken)
    {
        var session = (_services.GetService(typeof(TeamsConnectorService)) as TeamsConnectorService)?.Session;
        if (session is null)
        {
            return [];
        }

        try
        {
            return await session.SnapshotAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return []; // the session ended before it could answer
        }
    }

    // Kept for callers of 0.9.0; it blocks while the pending sign-in is stored (a grain call on a cluster).
    [Obsolete("Use StartAdminSignInAsync: storing the pending sign-in may need I/O (grain storage on a cluster), and this method blocks on it.")]
    public Uri CreateAdminConsentUrl() => StartAdminSignInAsync(CancellationToken.None).GetAwaiter().GetResult();

    public async Task<Uri> StartAdminSignInAsync(CancellationToken cancellationToken) =>
        await _signIn.StartAsync(cancellationToken).ConfigureAwait(false);

    public async Task<AdminSignInResult> CompleteAdminSignInAsync(AdminSignInCallback callback, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var outcome = await _signIn.CompleteAsync(callback, cancellationToken).ConfigureAwait(false);
        if (outcome.Error is { } error)
        {
            return new AdminSignInResult(false, null, error, AzureAdminRole.None);
        }

        try
        {
            return new AdminSignInResult(true, await IssueConsentUrlAsync(outcome.Role, outcome.TenantId!, cancellationToken).ConfigureAwait(false), null, outcome.Role);
        }
        catch (InvalidOperationException ex)
        {
            return new AdminSignInResult(false, null, ex.Message, outcome.Role);
        }
    }

    /// <summary>
    /// Issues the admin-consent URL for an administrator who signed in with an allowed role, with a fresh single-use
    /// consent <c>state</c> that remembers the role and tenant.
    /// </summary>
    internal async Task<Uri> IssueConsentUrlAsync(AzureAdminRole role, string tenantId, CancellationToken cancellationToken)
    {
        var admin = _options.CurrentValue.Admin;
        if (admin.ConsentRedirectUri is null)
        {
            throw new InvalidOperationException("TeamsConnector:Admin:ConsentRedirectUri is not configured; it must point at the admin-consent callback endpoint.");
        }

        if (string.IsNullOrWhiteSpace(admin.ClientId))
        {
            throw new InvalidOperationException("The application (client) id is not configured (TeamsConnector:Graph:ClientId or TeamsConnector:Admin:ClientId).");
        }

        var state = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var pending = new PendingAdminSignIn(AdminSignInStep.Consent, _time.GetUtcNow() + admin.ConsentTimeout) { Role = role, TenantId = tenantId };
        if (!await _states.TryAddAsync(state, pending, cancellationToken).ConfigureAwait(false))
        {
            throw new InvalidOperationException("Too many admin-consent requests are pending; try again later.");
        }

        var tenant = string.IsNullOrWhiteSpace(admin.TenantId) ? tenantId : admin.TenantId;
        var authority = admin.AuthorityHost.ToString().TrimEnd('/');
        var query = string.Join('&',
            "client_id=" + Uri.EscapeDataString(admin.ClientId),
            "scope=" + Uri.EscapeDataString("https://graph.microsoft.com/.default"),
            "redirect_uri=" + Uri.EscapeDataString(admin.ConsentRedirectUri.ToString()),
            "state=" + state);
        return new Uri($"{authority}/{Uri.EscapeDataString(tenant)}/v2.0/adminconsent?{query}");
    }

    /// <summary>
    /// Refuses an admin-consent callback: a security event, so it is logged (the reason, never the state value or other
    /// text from the request) and counted as a rejection with the reason tag.
    /// </summary>
    private LifecycleResult ConsentRefused(ConnectorStatus status, string reason, string logged, string error)
    {
        _telemetry.Reject(reason);
        Log.ConsentRefused(_logger, reason, logged);
        return Refused(status, error);
    }

    public async Task<LifecycleResult> CompleteAdminConsentAsync(AdminConsentCallback callback, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var status = (await _runtime.LoadAsync(cancellationToken).ConfigureAwait(false)).Status;
        var admin = _options.CurrentValue.Admin;

        var pending = string.IsNullOrEmpty(callback.State) ? null : await _states.TryTakeAsync(callback.State, cancellationToken).ConfigureAwait(false);
        if (pending is not { Step: AdminSignInStep.Consent })
        {
            return ConsentRefused(status, "consent-state-unknown", "the state value is missing, forged or already used", "the consent response has an unknown or expired state value; start authorization again");
        }

        if (pending.ExpiresAt <= _time.GetUtcNow())
        {
            return ConsentRefused(status, "consent-state-expired", "the state value has expired", "the consent response has an unknown or expired state value; start authorization again");
        }

        if (!string.IsNullOrEmpty(callback.Error))
        {
            return ConsentRefused(status, "consent-error", "Entra ID reported an error", $"Entra ID reported {Truncate(callback.Error)}: {Truncate(callback.ErrorDescription ?? "no description")}");
        }

        if (!string.Equals(callback.AdminConsent, "True", StringComparison.OrdinalIgnoreCase))
        {
            return ConsentRefused(status, "consent-not-granted", "admin consent was not granted", "admin consent was not granted");
        }

        if (string.IsNullOrWhiteSpace(callback.Tenant) || !Guid.TryParse(callback.Tenant, out _))
        {
            return ConsentRefused(status, "consent-tenant", "the response names no valid tenant", "the consent response names no valid tenant");
        }

        if (Guid.TryParse(pending.TenantId, out var signedIn) && Guid.Parse(callback.Tenant) != signedIn)
        {
            return ConsentRefused(status, "consent-tenant", "consent was granted in another tenant than the admin signed in to", "consent was granted in another tenant than the one the administrator signed in to");
        }

        if (!string.IsNullOrWhiteSpace(admin.TenantId))
        {
            if (!Guid.TryParse(admin.TenantId, out var expected))
            {
                return ConsentRefused(status, "consent-tenant", "the configured tenant is not a GUID", "the configured tenant is not a tenant (directory) id, so the consent's tenant cannot be checked; set TeamsConnector:Admin:TenantId to the GUID");
            }

            if (Guid.Parse(callback.Tenant) != expected)
            {
                return ConsentRefused(status, "consent-tenant", "consent was granted in another tenant", "consent was granted in another tenant than the configured one");
            }
        }

        // The role comes from the administrator's ID token (its wids claim), checked at sign-in.
        var result = await _runtime.UpdateAsync(
            record =>
            {
                var authorized = ConnectorLifecycle.Authorize(record.Status, pending.Role);
                return authorized.Succeeded
                    ? (record with { State = authorized.Status.State, PresenceSyncEnabled = true, TenantId = callback.Tenant, AuthorizedAt = _time.GetUtcNow() }, authorized)
                    : (null, authorized);
            },
            cancellationToken).ConfigureAwait(false);

        if (result.Succeeded)
        {
            if (_services.GetService(typeof(IPresenceSyncSettingWriter)) is IPresenceSyncSettingWriter writer)
            {
                await writer.SetPresenceSyncSettingAsync(true, cancellationToken).ConfigureAwait(false);
            }

            Log.ConnectorLifecycleChanged(_logger, ConnectorOperation.Authorize, result.Status.State);
        }
        else
        {
            Log.ConnectorOperationRefused(_logger, ConnectorOperation.Authorize, result.Error!);
        }

        return result;
    }

    public Task<LifecycleResult> DeactivateAsync(CancellationToken cancellationToken) =>
        ApplyAsync(ConnectorOperation.Deactivate, ConnectorLifecycle.Deactivate, cancellationToken);

    public Task<LifecycleResult> ReactivateAsync(CancellationToken cancellationToken) =>
        ApplyAsync(ConnectorOperation.Reactivate, ConnectorLifecycle.Reactivate, cancellationToken);

    public async Task<LifecycleResult> DeleteAsync(CancellationToken cancellationToken)
    {
        // Only when the lifecycle allows it (inactive): then clean up, and become Deleted only when all is clean, so
        // that a failed clean-up leaves the connector Inactive and delete can simply be tried again.
        var status = (await _runtime.LoadAsync(cancellationToken).ConfigureAwait(false)).Status;
        var allowed = ConnectorLifecycle.Delete(status);
        if (!allowed.Succeeded)
        {
            Log.ConnectorOperationRefused(_logger, ConnectorOperation.Delete, allowed.Error!);
            return allowed;
        }

        var failures = await _deletion.RunAsync(cancellationToken).ConfigureAwait(false);
        if (failures.Count > 0)
        {
            var error = $"Cannot delete the connector while it is {status.State}: the clean-up failed ({string.Join("; ", failures)}); it stays {status.State}, try delete again.";
            Log.ConnectorOperationRefused(_logger, ConnectorOperation.Delete, error);
            return new LifecycleResult(false, status, error, null);
        }

        return await ApplyAsync(ConnectorOperation.Delete, ConnectorLifecycle.Delete, cancellationToken).ConfigureAwait(false);
    }

    public async Task<ConnectorStatus> RefreshPresenceSyncSettingAsync(CancellationToken cancellationToken)
    {
        if (_services.GetService(typeof(IContactCenterDirectory)) is not IContactCenterDirectory directory)
        {
            return _runtime.Status;
        }

        var enabled = await directory.GetPresenceSyncSettingAsync(cancellationToken).ConfigureAwait(false);
        return await SetPresenceSyncSettingAsync(enabled, cancellationToken).ConfigureAwait(false);
    }

    public async Task<DesktopProfileChange> SetDesktopProfileToggleAsync(string desktopProfileId, DesktopProfileToggle toggle, bool enabled, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(desktopProfileId);
        if (!Enum.IsDefined(toggle))
        {
            throw new ArgumentOutOfRangeException(nameof(toggle), toggle, "Unknown desktop-profile toggle.");
        }

        var record = await _runtime.LoadAsync(cancellationToken).ConfigureAwait(false);
        var current = record.DesktopProfiles.GetValueOrDefault(desktopProfileId);
        if (current is null && _services.GetService(typeof(IContactCenterDirectory)) is IContactCenterDirectory directory)
        {
            current = await directory.GetDesktopProfileAsync(desktopProfileId, cancellationToken).ConfigureAwait(false);
        }

        current ??= new DesktopProfile(desktopProfileId);
        var change = DesktopProfileRules.Set(current, toggle, enabled);
        if (!change.Succeeded)
        {
            Log.DesktopProfileChangeRefused(_logger, desktopProfileId, change.Error!);
            return change;
        }

        if (_services.GetService(typeof(IDesktopProfileWriter)) is IDesktopProfileWriter writer)
        {
            // WxCC holds the profile: the change is written there first, and kept here only once WxCC took it.
            await writer.SetDesktopProfileTogglesAsync(change.Profile, cancellationToken).ConfigureAwait(false);
            Log.DesktopProfileWritten(_logger, desktopProfileId, toggle, enabled);
        }

        await _runtime.UpdateAsync(
            r =>
            {
                var profiles = new Dictionary<string, DesktopProfile>(r.DesktopProfiles, StringComparer.Ordinal) { [desktopProfileId] = change.Profile };
                return (r with { DesktopProfiles = profiles }, true);
            },
            cancellationToken).ConfigureAwait(false);
        return change;
    }

    internal async Task<ConnectorStatus> SetPresenceSyncSettingAsync(bool enabled, CancellationToken cancellationToken)
    {
        return await _runtime.UpdateAsync(
            record =>
            {
                var next = ConnectorLifecycle.WithPresenceSyncSetting(record.Status, enabled);
                return next == record.Status ? (null, next) : (record with { PresenceSyncEnabled = enabled }, next);
            },
            cancellationToken).ConfigureAwait(false);
    }

    private async Task<LifecycleResult> ApplyAsync(ConnectorOperation operation, Func<ConnectorStatus, LifecycleResult> apply, CancellationToken cancellationToken)
    {
        var result = await _runtime.UpdateAsync(
            record =>
            {
                var outcome = apply(record.Status);
                return outcome.Succeeded ? (record with { State = outcome.Status.State }, outcome) : (null, outcome);
            },
            cancellationToken).ConfigureAwait(false);

        if (result.Succeeded)
        {
            Log.ConnectorLifecycleChanged(_logger, operation, result.Status.State);
        }
        else
        {
            Log.ConnectorOperationRefused(_logger, operation, result.Error!);
        }

        return result;
    }

    private static LifecycleResult Refused(ConnectorStatus status, string why) =>
        new(false, status, $"Cannot authorize the connector while it is {status.State}: {why}.", null);

    private static string Truncate(string text) => text.Length <= 200 ? text : text[..200];
}
