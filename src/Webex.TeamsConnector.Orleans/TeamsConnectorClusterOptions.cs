namespace Webex.TeamsConnector.Orleans;

/// <summary>Settings of the connector's cluster hosting (<c>siloBuilder.AddTeamsConnector(...)</c>).</summary>
public sealed class TeamsConnectorClusterOptions
{
    /// <summary>The name of the grain storage provider the org grains use (register it, for example with Redis).</summary>
    public const string DefaultStorageName = "teams-connector";

    /// <summary>How often each silo makes sure every listed org's grain is active (and so its unit runs somewhere).</summary>
    /// <value>The default value is five seconds.</value>
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The period of the reminder that activates an org's grain again (used when a reminder service is configured).</summary>
    /// <value>The default value is one minute (Orleans' shortest reminder period).</value>
    public TimeSpan ReminderPeriod { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long a deactivating grain waits for its unit's loops to stop.</summary>
    /// <value>The default value is ten seconds.</value>
    public TimeSpan StopTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
