namespace Webex.TeamsConnector;

/// <summary>What Entra ID sends back to the admin-consent redirect URI (query parameters).</summary>
/// <param name="State">The <c>state</c> value the connector put in the consent URL.</param>
/// <param name="Tenant">The <c>tenant</c> that granted consent.</param>
/// <param name="AdminConsent">The <c>admin_consent</c> flag (<c>True</c> when granted).</param>
/// <param name="Error">The <c>error</c> code, when consent failed or was declined.</param>
/// <param name="ErrorDescription">The <c>error_description</c>, when given.</param>
public sealed record AdminConsentCallback(string? State, string? Tenant, string? AdminConsent, string? Error = null, string? ErrorDescription = null);

/// <summary>What Entra ID sends back to the admin sign-in redirect URI (query parameters).</summary>
/// <param name="State">The <c>state</c> value the connector put in the sign-in URL.</param>
/// <param name="Code">The authorization <c>code</c>.</param>
/// <param name="Error">The <c>error</c> code, when sign-in failed or was declined.</param>
/// <param name="ErrorDescription">The <c>error_description</c>, when given.</param>
public sealed record AdminSignInCallback(string? State, string? Code, string? Error = null, string? ErrorDescription = null);

/// <summary>The outcome of the administrator's sign-in.</summary>
/// <param name="Succeeded">Whether the administrator signed in with an allowed role.</param>
/// <param name="ConsentUrl">The Entra ID admin-consent URL to send the administrator on to (only on success).</param>
/// <param name="Error">Why the sign-in was refused, in words (never a token or code).</param>
/// <param name="Role">The role found in the ID token (<see cref="AzureAdminRole.None"/> when refused before or for the role).</param>
public sealed record AdminSignInResult(bool Succeeded, Uri? ConsentUrl, string? Error, AzureAdminRole Role);

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
    /// Starts authorization: returns the URL to send the administrator to. That is the Entra ID sign-in (OpenID Connect,
    /// authorization code + PKCE); only an administrator whose ID token shows the Global Administrator or Privileged
    /// Role Administrator role is then sent on to admin consent. Same as <see cref="StartAdminSignInAsync"/>, which is
    /// preferred (a shared store of pending sign-ins may need I/O).
    /// </summary>
    /// <returns>The URL.</returns>
    /// <exception cref="InvalidOperationException">The redirect URI, the application (client) id or the tenant id is not configured.</exception>
    /// <remarks>Blocks the calling thread while the pending sign-in is stored, which on a cluster is a grain call.</remarks>
    [Obsolete("Use StartAdminSignInAsync: storing the pending sign-in may need I/O (grain storage on a cluster), and this method blocks on it.")]
    Uri CreateAdminConsentUrl();

    /// <summary>
    /// Starts authorization with the administrator's OpenID Connect sign-in: returns the Entra ID authorize URL with a
    /// fresh single-use <c>state</c>, a <c>nonce</c> and a PKCE challenge.
    /// </summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The URL to redirect the administrator to.</returns>
    /// <exception cref="InvalidOperationException">The redirect URI, the application (client) id or the tenant id is not configured.</exception>
#pragma warning disable CS0618 // The default for implementations written before the asynchronous form existed.
    Task<Uri> StartAdminSignInAsync(CancellationToken cancellationToken) => Task.FromResult(CreateAdminConsentUrl());
#pragma warning restore CS0618

    /// <summary>
    /// Completes the sign-in from its callback: checks <c>state</c> (once), redeems the code, validates the ID token
    /// (signature against the tenant's keys, issuer and <c>tid</c>, audience, lifetime, <c>nonce</c>) and its
    /// <c>wids</c>; on success returns the admin-consent URL to send the administrator on to.
    /// </summary>
    /// <param name="callback">The callback's query parameters.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The result; refused, with the reason, when any check fails.</returns>
    Task<AdminSignInResult> CompleteAdminSignInAsync(AdminSignInCallback callback, CancellationToken cancellationToken) =>
        throw new NotSupportedException("This administration service has no admin sign-in.");

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

    /// <summary>
    /// Deletes an inactive connector (refused while active): removes the WxCC webhook subscription and the Graph
    /// subscriptions and clears every Teams presence the connector published; only when all of that succeeded is the
    /// connector Deleted. A failed clean-up is refused with what failed, the connector stays inactive, and delete can
    /// be tried again.
    /// </summary>
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
