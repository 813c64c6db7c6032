namespace Webex.TeamsConnector;

/// <summary>What Entra ID sends back to the admin-consent redirect URI (query parameters).</summary>
/// <param name="State">The <c>state</c> value the connector put in the consent URL.</param>
/// <param name="Tenant">The <c>tenant</c> that granted consent.</param>
/// <param name="AdminConsent">The <c>admin_consent</c> flag (<c>True</c> when granted).</param>
/// <param name="Error">The <c>error</c> code, when consent failed or was declined.</param>
/// <param name="ErrorDescription">The <c>error_description</c>, when given.</param>
public sealed record AdminConsentCallback(string? State, string? Tenant, string? AdminConsent, string? Error = null, string? ErrorDescription = null);

/// <summary>A status report of the connector for administrators and health checks.</summary>
/// <param name="Status">The lifecycle status.</param>
/// <param name="IsSyncing">Whether presence sync is running now.</param>
/// <param name="Reason">Why it does not sync (or why it is impaired), in words; <see langword="null"/> when all is well.</param>
/// <param name="TrackedAgents">How many agents are synced.</param>
/// <param name="OutboxDepth">Agents with a wanted WxCC state not yet sent.</param>
public sealed record ConnectorStatusReport(ConnectorStatus Status, bool IsSyncing, string? Reason, int TrackedAgents, int OutboxDepth);

/// <summary>
/// Administers the connector: authorize through Entra ID admin consent, deactivate, reactivate, delete, status, and
/// desktop-profile toggles. Resolve it from DI.
/// </summary>
public partial interface ITeamsConnectorAdmin
{
    /// <summary>The current status.</summary>
    /// <returns>The status report.</returns>
    ConnectorStatusReport GetStatus();

    /// <summary>The sync state of every synced agent (empty while sync does not run).</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>One snapshot per agent.</returns>
    Task<IReadOnlyList<AgentSyncSnapshot>> GetAgentsAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Starts authorization: returns the Entra ID admin-consent URL to send a Global Administrator or Privileged Role
    /// Administrator to, with a fresh single-use <c>state</c> value.
    /// </summary>
    /// <returns>The URL.</returns>
    /// <exception cref="InvalidOperationException">The redirect URI or the application (client) id is not configured.</exception>
    Uri CreateAdminConsentUrl();

    /// <summary>Completes authorization from the consent callback: checks <c>state</c>, <c>tenant</c> and <c>admin_consent</c>.</summary>
    /// <param name="callback">The callback's query parameters.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The result; refused when any check fails.</returns>
    Task<LifecycleResult> CompleteAdminConsentAsync(AdminConsentCallback callback, CancellationToken cancellationToken);

    /// <summary>Deactivates the connector: sync stops.</summary>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The result.</returns>
    Task<LifecycleResult> DeactivateAsync(CancellationToken cancellationToken);

    /// <summary>Reactivates the connector: sync starts again.</summary>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The result.</returns>
    Task<LifecycleResult> ReactivateAsync(CancellationToken cancellationToken);

    /// <summary>Deletes an inactive connector; refused while active.</summary>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The result, with the notice that the Azure enterprise application must be removed in Azure.</returns>
    Task<LifecycleResult> DeleteAsync(CancellationToken cancellationToken);

    /// <summary>Reads the organization's presence-sync setting again; Active with the setting off is degraded.</summary>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The status afterwards.</returns>
    Task<ConnectorStatus> RefreshPresenceSyncSettingAsync(CancellationToken cancellationToken);

    /// <summary>Turns a desktop-profile toggle on or off, enforcing that Teams and Webex App toggles are exclusive.</summary>
    /// <param name="desktopProfileId">The profile id.</param>
    /// <param name="toggle">The toggle.</param>
    /// <param name="enabled">The wanted value.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The result; the roster is refreshed when it changed.</returns>
    Task<DesktopProfileChange> SetDesktopProfileToggleAsync(string desktopProfileId, DesktopProfileToggle toggle, bool enabled, CancellationToken cancellationToken);
}
