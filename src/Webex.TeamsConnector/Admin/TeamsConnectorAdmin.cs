using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Webex.TeamsConnector;

/// <summary>The admin API over the <see cref="ConnectorRuntime"/> and the persisted record.</summary>
internal sealed class TeamsConnectorAdmin : ITeamsConnectorAdmin
{
    private const int MaxPendingConsents = 256;

    private readonly ConnectorRuntime _runtime;
    private readonly IOptionsMonitor<TeamsConnectorOptions> _options;
    private readonly TimeProvider _time;
    private readonly ILogger<TeamsConnectorAdmin> _logger;
    private readonly IServiceProvider _services;
    private readonly TeamsConnectorTelemetry _telemetry;
    private readonly ConcurrentDictionary<string, DateTimeOffset> _pendingConsents = new(StringComparer.Ordinal);

    public TeamsConnectorAdmin(
        ConnectorRuntime runtime,
        IOptionsMonitor<TeamsConnectorOptions> options,
        TimeProvider time,
        ILogger<TeamsConnectorAdmin> logger,
        IServiceProvider services,
        TeamsConnectorTelemetry telemetry)
    {
        _telemetry = telemetry;
        _runtime = runtime;
        _options = options;
        _time = time;
        _logger = logger;
        _services = services;
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

    /// <summary>Whether <paramref name="state"/> is a consent <c>state</c> this org issued and still waits for (routing only).</summary>
    public bool HasPendingConsent(string? state) => state is { Length: > 0 } && _pendingConsents.ContainsKey(state);

    public Uri CreateAdminConsentUrl()
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

        var now = _time.GetUtcNow();
        foreach (var (key, expires) in _pendingConsents)
        {
            if (expires <= now)
            {
                _pendingConsents.TryRemove(key, out _);
            }
        }

        if (_pendingConsents.Count >= MaxPendingConsents)
        {
            throw new InvalidOperationException("Too many admin-consent requests are pending; try again later.");
        }

        var state = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        _pendingConsents[state] = now + admin.ConsentTimeout;
        var tenant = string.IsNullOrWhiteSpace(admin.TenantId) ? "organizations" : admin.TenantId;
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

        if (string.IsNullOrEmpty(callback.State) || !_pendingConsents.TryRemove(callback.State, out var expires))
        {
            return ConsentRefused(status, "consent-state-unknown", "the state value is missing, forged or already used", "the consent response has an unknown or expired state value; start authorization again");
        }

        if (expires <= _time.GetUtcNow())
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

        // Entra ID lets only a Global Administrator or a Privileged Role Administrator grant tenant-wide consent to
        // Microsoft Graph application permissions, so a granted consent carries that role.
        var result = await _runtime.UpdateAsync(
            record =>
            {
                var authorized = ConnectorLifecycle.Authorize(record.Status, AzureAdminRole.GlobalAdministrator);
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

    public Task<LifecycleResult> DeleteAsync(CancellationToken cancellationToken) =>
        ApplyAsync(ConnectorOperation.Delete, ConnectorLifecycle.Delete, cancellationToken);

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
