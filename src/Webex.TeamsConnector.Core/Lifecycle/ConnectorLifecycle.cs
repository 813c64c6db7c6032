namespace Webex.TeamsConnector;

/// <summary>The lifecycle state of the Teams connector.</summary>
public enum ConnectorState
{
    /// <summary>Not authorized yet.</summary>
    NotConfigured = 0,
    /// <summary>Authorized and running (unless degraded).</summary>
    Active,
    /// <summary>Deactivated by an administrator: no sync.</summary>
    Inactive,
    /// <summary>Deleted. The Azure authorization stays until the enterprise application is removed in Azure.</summary>
    Deleted,
}

/// <summary>An administrator's operation on the connector.</summary>
public enum ConnectorOperation
{
    /// <summary>Grant admin consent in Azure and create the connector.</summary>
    Authorize = 0,
    /// <summary>Stop the connector.</summary>
    Deactivate,
    /// <summary>Start a deactivated connector again.</summary>
    Reactivate,
    /// <summary>Delete an inactive connector.</summary>
    Delete,
}

/// <summary>The Azure (Microsoft Entra) role of the account that grants admin consent.</summary>
public enum AzureAdminRole
{
    /// <summary>No administrator role, or not known.</summary>
    None = 0,
    /// <summary>Global Administrator.</summary>
    GlobalAdministrator,
    /// <summary>Privileged Role Administrator.</summary>
    PrivilegedRoleAdministrator,
    /// <summary>Another administrator role, not enough to authorize the connector.</summary>
    Other,
}

/// <summary>The connector's status: its lifecycle state and the organization's presence-sync setting.</summary>
/// <param name="State">The lifecycle state.</param>
/// <param name="PresenceSyncEnabled">The organization's Webex Calling presence-sync setting (<c>PRESENCE_SYNC</c>).</param>
public sealed record ConnectorStatus(ConnectorState State, bool PresenceSyncEnabled)
{
    /// <summary>A connector that was never authorized.</summary>
    public static ConnectorStatus NotConfigured { get; } = new(ConnectorState.NotConfigured, false);

    /// <summary>Active while the presence-sync setting is off: sync is stopped.</summary>
    public bool IsDegraded => State == ConnectorState.Active && !PresenceSyncEnabled;

    /// <summary>Whether presence sync runs: Active and not degraded.</summary>
    public bool CanSync => State == ConnectorState.Active && PresenceSyncEnabled;

    /// <summary>Why the connector does not sync, in words, or <see langword="null"/> when it does.</summary>
    public string? Reason => State switch
    {
        ConnectorState.Active when !PresenceSyncEnabled =>
            "The organization's presence-sync setting (Webex Calling PRESENCE_SYNC) is off; turn it on to resume sync.",
        ConnectorState.Active => null,
        ConnectorState.NotConfigured => "The connector is not authorized yet.",
        ConnectorState.Inactive => "The connector is deactivated.",
        _ => "The connector is deleted.",
    };
}

/// <summary>The result of a lifecycle operation.</summary>
/// <param name="Succeeded">Whether the operation was allowed.</param>
/// <param name="Status">The status afterwards (unchanged when refused).</param>
/// <param name="Error">Why it was refused: which operation, which state and why.</param>
/// <param name="Notice">Information for the administrator after success (for example after delete).</param>
public readonly record struct LifecycleResult(bool Succeeded, ConnectorStatus Status, string? Error, string? Notice);

/// <summary>One allowed lifecycle transition.</summary>
/// <param name="From">The state before.</param>
/// <param name="Operation">The operation.</param>
/// <param name="To">The state after.</param>
internal readonly record struct LifecycleTransition(ConnectorState From, ConnectorOperation Operation, ConnectorState To);

/// <summary>
/// The connector lifecycle: NotConfigured -> Active (authorize), Active -> Inactive (deactivate), Inactive -> Active
/// (reactivate), Inactive -> Deleted (delete). Pure functions over an immutable <see cref="ConnectorStatus"/>.
/// </summary>
internal static class ConnectorLifecycle
{
    /// <summary>What the administrator is told after delete.</summary>
    public const string DeleteNotice =
        "The connector is deleted. Its Azure authorization stays: remove the enterprise application in Azure (Microsoft Entra admin center > Enterprise applications) to revoke it.";

    private const string AuthorizeNeedsRole =
        "authorize needs the Azure role of the account that granted admin consent; use ConnectorLifecycle.Authorize(status, role)";

    private static readonly LifecycleTransition[] s_transitions =
    [
        new(ConnectorState.NotConfigured, ConnectorOperation.Authorize, ConnectorState.Active),
        new(ConnectorState.Deleted, ConnectorOperation.Authorize, ConnectorState.Active),
        new(ConnectorState.Active, ConnectorOperation.Deactivate, ConnectorState.Inactive),
        new(ConnectorState.Inactive, ConnectorOperation.Reactivate, ConnectorState.Active),
        new(ConnectorState.Inactive, ConnectorOperation.Delete, ConnectorState.Deleted),
    ];

    /// <summary>Every allowed transition; anything else is refused.</summary>
    public static IReadOnlyList<LifecycleTransition> Transitions => s_transitions;

    /// <summary>
    /// Authorizes the connector with admin consent from an account of the given role; creating it turns the
    /// organization's presence-sync setting on.
    /// </summary>
    /// <param name="status">The current status.</param>
    /// <param name="role">The role of the consenting Azure account.</param>
    /// <returns>The result.</returns>
    public static LifecycleResult Authorize(ConnectorStatus status, AzureAdminRole role)
    {
        ArgumentNullException.ThrowIfNull(status);
        if (role is not (AzureAdminRole.GlobalAdministrator or AzureAdminRole.PrivilegedRoleAdministrator))
        {
            return Refuse(status, ConnectorOperation.Authorize,
                "admin consent must be granted by an Azure account with the Global Administrator or Privileged Role Administrator role");
        }

        var result = Transition(status, ConnectorOperation.Authorize);
        return result.Succeeded ? result with { Status = result.Status with { PresenceSyncEnabled = true } } : result;
    }

    /// <summary>Deactivates an active connector.</summary>
    /// <param name="status">The current status.</param>
    /// <returns>The result.</returns>
    public static LifecycleResult Deactivate(ConnectorStatus status) => Apply(status, ConnectorOperation.Deactivate);

    /// <summary>Reactivates an inactive connector.</summary>
    /// <param name="status">The current status.</param>
    /// <returns>The result.</returns>
    public static LifecycleResult Reactivate(ConnectorStatus status) => Apply(status, ConnectorOperation.Reactivate);

    /// <summary>Deletes an inactive connector; refused while active.</summary>
    /// <param name="status">The current status.</param>
    /// <returns>The result, with <see cref="DeleteNotice"/> on success.</returns>
    public static LifecycleResult Delete(ConnectorStatus status) => Apply(status, ConnectorOperation.Delete);

    /// <summary>Records a change of the organization's presence-sync setting (allowed in every state).</summary>
    /// <param name="status">The current status.</param>
    /// <param name="enabled">The setting.</param>
    /// <returns>The new status; Active with the setting off is degraded.</returns>
    public static ConnectorStatus WithPresenceSyncSetting(ConnectorStatus status, bool enabled)
    {
        ArgumentNullException.ThrowIfNull(status);
        return status with { PresenceSyncEnabled = enabled };
    }

    /// <summary>
    /// Applies an operation by the transition table. <see cref="ConnectorOperation.Authorize"/> is always refused here:
    /// it needs the consenting account's role, so it goes through <see cref="Authorize"/> only.
    /// </summary>
    /// <param name="status">The current status.</param>
    /// <param name="operation">The operation.</param>
    /// <returns>The result; a refusal names the operation, the state and why.</returns>
    public static LifecycleResult Apply(ConnectorStatus status, ConnectorOperation operation)
    {
        ArgumentNullException.ThrowIfNull(status);
        if (operation == ConnectorOperation.Authorize && status.State is ConnectorState.NotConfigured or ConnectorState.Deleted)
        {
            return Refuse(status, operation, AuthorizeNeedsRole);
        }

        return Transition(status, operation);
    }

    private static LifecycleResult Transition(ConnectorStatus status, ConnectorOperation operation)
    {
        foreach (var transition in s_transitions)
        {
            if (transition.From == status.State && transition.Operation == operation)
            {
                var next = status with { State = transition.To };
                return new(true, next, null, operation == ConnectorOperation.Delete ? DeleteNotice : null);
            }
        }

        return Refuse(status, operation, WhyRefused(status.State, operation));
    }

    private static LifecycleResult Refuse(ConnectorStatus status, ConnectorOperation operation, string why) =>
        new(false, status, $"Cannot {Verb(operation)} the connector while it is {status.State}: {why}.", null);

    private static string WhyRefused(ConnectorState state, ConnectorOperation operation) => (state, operation) switch
    {
        (ConnectorState.Active, ConnectorOperation.Delete) => "deactivate the connector before deleting it",
        (ConnectorState.NotConfigured, ConnectorOperation.Delete) => "there is no connector to delete",
        (ConnectorState.Deleted, ConnectorOperation.Delete) => "it is already deleted",
        (ConnectorState.Active, ConnectorOperation.Authorize) or (ConnectorState.Inactive, ConnectorOperation.Authorize) =>
            "it is already authorized; reactivate it if it is inactive",
        (ConnectorState.Active, ConnectorOperation.Reactivate) => "it is already active",
        (ConnectorState.Inactive, ConnectorOperation.Deactivate) => "it is already inactive",
        (ConnectorState.NotConfigured, _) => "authorize the connector first",
        (ConnectorState.Deleted, _) => "it is deleted; authorize a new connector first",
        _ => "the operation is not allowed in this state",
    };

    private static string Verb(ConnectorOperation operation) => operation switch
    {
        ConnectorOperation.Authorize => "authorize",
        ConnectorOperation.Deactivate => "deactivate",
        ConnectorOperation.Reactivate => "reactivate",
        _ => "delete",
    };
}
