namespace Webex.TeamsConnector.Testing;

/// <summary>Settings of a <see cref="GraphEmulator"/>.</summary>
public sealed class GraphEmulatorOptions
{
    /// <summary>The clock for session and subscription expiry and the throttling window.</summary>
    /// <value>The default value is <see cref="TimeProvider.System"/>; tests pass a <c>FakeTimeProvider</c>.</value>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>The tenant id the emulator reports in change notifications.</summary>
    /// <value>The default value is <c>8f3c8f4e-5c1b-4f7a-9d3e-0a1b2c3d4e5f</c>.</value>
    public string TenantId { get; set; } = "8f3c8f4e-5c1b-4f7a-9d3e-0a1b2c3d4e5f";

    /// <summary>The requests an application may make to the presence API within <see cref="ThrottleWindow"/>.</summary>
    /// <value>The default value is 1,500 (Microsoft's documented limit).</value>
    public int PresenceRequestsPerWindow { get; set; } = 1500;

    /// <summary>
    /// Whether the budget of <see cref="PresenceRequestsPerWindow"/> covers every request of the application (users,
    /// subscriptions, and each request inside a <c>$batch</c>), not only the presence API.
    /// </summary>
    /// <value>The default value is <see langword="false"/>: only presence requests count.</value>
    public bool ThrottleAllRequests { get; set; }

    /// <summary>The most requests one <c>$batch</c> may carry.</summary>
    /// <value>The default value is 20 (Microsoft's limit).</value>
    public int MaxBatchRequests { get; set; } = 20;

    /// <summary>The sliding window of the presence budget.</summary>
    /// <value>The default value is 30 seconds.</value>
    public TimeSpan ThrottleWindow { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The most ids a <c>getPresencesByUserId</c> request or a subscription may carry.</summary>
    /// <value>The default value is 650.</value>
    public int MaxIdsPerRequest { get; set; } = 650;

    /// <summary>The longest lifetime of a presence subscription.</summary>
    /// <value>The default value is 60 minutes.</value>
    public TimeSpan MaxSubscriptionLifetime { get; set; } = TimeSpan.FromMinutes(60);

    /// <summary>How long the subscriber has to answer the validation handshake.</summary>
    /// <value>The default value is 10 seconds.</value>
    public TimeSpan ValidationTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The presence of a user added without one, as the Teams client reports it.</summary>
    /// <value>The default value is <c>Available/Available</c>.</value>
    public (string Availability, string Activity) InitialPresence { get; set; } = ("Available", "Available");
}
