namespace Webex.TeamsConnector.Tests.Lifecycle;

public class ConnectorLifecycleTests
{
    private static ConnectorStatus Active() =>
        ConnectorLifecycle.Authorize(ConnectorStatus.NotConfigured, AzureAdminRole.GlobalAdministrator).Status;

    private static ConnectorStatus Inactive() => ConnectorLifecycle.Deactivate(Active()).Status;

    [Theory]
    [InlineData(AzureAdminRole.GlobalAdministrator)]
    [InlineData(AzureAdminRole.PrivilegedRoleAdministrator)]
    public void Authorize_ByAllowedRole_IsActiveAndTurnsPresenceSyncOn(AzureAdminRole role)
    {
        var result = ConnectorLifecycle.Authorize(ConnectorStatus.NotConfigured, role);

        result.Succeeded.Should().BeTrue();
        result.Status.Should().Be(new ConnectorStatus(ConnectorState.Active, PresenceSyncEnabled: true));
        result.Status.CanSync.Should().BeTrue();
        result.Status.Reason.Should().BeNull();
    }

    [Theory]
    [InlineData(AzureAdminRole.None)]
    [InlineData(AzureAdminRole.Other)]
    public void Authorize_ByOtherRole_IsRefused(AzureAdminRole role)
    {
        var result = ConnectorLifecycle.Authorize(ConnectorStatus.NotConfigured, role);

        result.Succeeded.Should().BeFalse();
        result.Status.Should().Be(ConnectorStatus.NotConfigured);
        result.Error.Should().Be("Cannot authorize the connector while it is NotConfigured: admin consent must be granted by an Azure account with the Global Administrator or Privileged Role Administrator role.");
    }

    [Fact]
    public void Authorize_WhenAlreadyActive_IsRefused()
    {
        ConnectorLifecycle.Authorize(Active(), AzureAdminRole.GlobalAdministrator).Error
            .Should().Be("Cannot authorize the connector while it is Active: it is already authorized; reactivate it if it is inactive.");
    }

    [Theory]
    [InlineData(ConnectorState.NotConfigured)]
    [InlineData(ConnectorState.Deleted)]
    public void Apply_Authorize_IsRefusedAndPointsToTheRoleCheckedOperation(ConnectorState state)
    {
        var status = new ConnectorStatus(state, false);

        var result = ConnectorLifecycle.Apply(status, ConnectorOperation.Authorize);

        result.Succeeded.Should().BeFalse();
        result.Status.Should().BeSameAs(status);
        result.Error.Should().Be($"Cannot authorize the connector while it is {state}: authorize needs the Azure role of the account that granted admin consent; use ConnectorLifecycle.Authorize(status, role).");
    }

    [Fact]
    public void Authorize_AfterDeleteWithTheSettingOff_TurnsPresenceSyncOn()
    {
        var deleted = new ConnectorStatus(ConnectorState.Deleted, PresenceSyncEnabled: false);

        var result = ConnectorLifecycle.Authorize(deleted, AzureAdminRole.GlobalAdministrator);

        result.Succeeded.Should().BeTrue();
        result.Status.Should().Be(new ConnectorStatus(ConnectorState.Active, PresenceSyncEnabled: true));
        result.Status.CanSync.Should().BeTrue();
    }

    [Fact]
    public void Deactivate_Active_IsInactive()
    {
        var result = ConnectorLifecycle.Deactivate(Active());

        result.Succeeded.Should().BeTrue();
        result.Status.State.Should().Be(ConnectorState.Inactive);
        result.Status.CanSync.Should().BeFalse();
        result.Status.Reason.Should().Be("The connector is deactivated.");
    }

    [Fact]
    public void Reactivate_Inactive_IsActive()
    {
        var result = ConnectorLifecycle.Reactivate(Inactive());

        result.Succeeded.Should().BeTrue();
        result.Status.State.Should().Be(ConnectorState.Active);
    }

    [Fact]
    public void Delete_Active_IsRefusedWithTheReason()
    {
        var result = ConnectorLifecycle.Delete(Active());

        result.Succeeded.Should().BeFalse();
        result.Status.State.Should().Be(ConnectorState.Active);
        result.Error.Should().Be("Cannot delete the connector while it is Active: deactivate the connector before deleting it.");
    }

    [Fact]
    public void Delete_Inactive_IsDeletedWithTheAzureNotice()
    {
        var result = ConnectorLifecycle.Delete(Inactive());

        result.Succeeded.Should().BeTrue();
        result.Status.State.Should().Be(ConnectorState.Deleted);
        result.Notice.Should().Contain("enterprise application").And.Contain("Azure");
    }

    [Fact]
    public void Authorize_AfterDelete_CreatesANewConnector()
    {
        var deleted = ConnectorLifecycle.Delete(Inactive()).Status;

        ConnectorLifecycle.Authorize(deleted, AzureAdminRole.PrivilegedRoleAdministrator).Status.State.Should().Be(ConnectorState.Active);
    }

    [Theory]
    [InlineData(ConnectorState.NotConfigured, ConnectorOperation.Deactivate, "Cannot deactivate the connector while it is NotConfigured: authorize the connector first.")]
    [InlineData(ConnectorState.NotConfigured, ConnectorOperation.Reactivate, "Cannot reactivate the connector while it is NotConfigured: authorize the connector first.")]
    [InlineData(ConnectorState.NotConfigured, ConnectorOperation.Delete, "Cannot delete the connector while it is NotConfigured: there is no connector to delete.")]
    [InlineData(ConnectorState.Active, ConnectorOperation.Reactivate, "Cannot reactivate the connector while it is Active: it is already active.")]
    [InlineData(ConnectorState.Inactive, ConnectorOperation.Deactivate, "Cannot deactivate the connector while it is Inactive: it is already inactive.")]
    [InlineData(ConnectorState.Inactive, ConnectorOperation.Authorize, "Cannot authorize the connector while it is Inactive: it is already authorized; reactivate it if it is inactive.")]
    [InlineData(ConnectorState.Deleted, ConnectorOperation.Delete, "Cannot delete the connector while it is Deleted: it is already deleted.")]
    [InlineData(ConnectorState.Deleted, ConnectorOperation.Reactivate, "Cannot reactivate the connector while it is Deleted: it is deleted; authorize a new connector first.")]
    [InlineData(ConnectorState.Deleted, ConnectorOperation.Deactivate, "Cannot deactivate the connector while it is Deleted: it is deleted; authorize a new connector first.")]
    public void RefusedOperation_SaysWhichOperationWhichStateAndWhy(ConnectorState state, ConnectorOperation operation, string message)
    {
        var status = new ConnectorStatus(state, true);

        var result = ConnectorLifecycle.Apply(status, operation);

        result.Succeeded.Should().BeFalse();
        result.Status.Should().BeSameAs(status);
        result.Error.Should().Be(message);
    }

    [Fact]
    public void PresenceSyncSettingOff_WhileActive_IsDegraded()
    {
        var degraded = ConnectorLifecycle.WithPresenceSyncSetting(Active(), enabled: false);

        degraded.IsDegraded.Should().BeTrue();
        degraded.CanSync.Should().BeFalse();
        degraded.Reason.Should().Contain("presence-sync setting");

        var healed = ConnectorLifecycle.WithPresenceSyncSetting(degraded, enabled: true);
        healed.IsDegraded.Should().BeFalse();
        healed.CanSync.Should().BeTrue();
    }

    [Fact]
    public void PresenceSyncSettingOff_WhileInactive_IsNotDegraded()
    {
        ConnectorLifecycle.WithPresenceSyncSetting(Inactive(), enabled: false).IsDegraded.Should().BeFalse();
    }

    [Fact]
    public void Transitions_AreTheFourOfTheDesignPlusReauthorizeAfterDelete()
    {
        ConnectorLifecycle.Transitions.Should().BeEquivalentTo(new[]
        {
            new LifecycleTransition(ConnectorState.NotConfigured, ConnectorOperation.Authorize, ConnectorState.Active),
            new LifecycleTransition(ConnectorState.Deleted, ConnectorOperation.Authorize, ConnectorState.Active),
            new LifecycleTransition(ConnectorState.Active, ConnectorOperation.Deactivate, ConnectorState.Inactive),
            new LifecycleTransition(ConnectorState.Inactive, ConnectorOperation.Reactivate, ConnectorState.Active),
            new LifecycleTransition(ConnectorState.Inactive, ConnectorOperation.Delete, ConnectorState.Deleted),
        });
    }
}
