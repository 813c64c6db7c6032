namespace Webex.TeamsConnector.Orleans;

/// <summary>
/// The grain of one organization, keyed by its WxCC org id: its single activation in the cluster hosts the org's
/// connector unit (the one writer of the org's agent states), keeps the admin's record and the org's Graph
/// subscription ids in grain storage, and takes the webhooks any silo checked for the org.
/// </summary>
internal interface IOrgConnectorGrain : IGrainWithStringKey
{
    /// <summary>Activates the grain if needed and makes sure the org's unit runs; returns where it runs.</summary>
    Task<OrgOwner> EnsureRunningAsync();

    /// <summary>Delivers a WxCC webhook checked by the receiving silo to the org's unit (which drops repeats).</summary>
    Task<int> DeliverWxccAsync(byte[] body, string[] headerNames, string?[] headerValues);

    /// <summary>Delivers a Graph notification batch checked by the receiving silo to the org's unit.</summary>
    Task<OrgDelivery> DeliverGraphAsync(byte[] body);

    /// <summary>Completes an admin-consent callback on the org's unit (interleaved: the unit stores its record through this grain).</summary>
    [global::Orleans.Concurrency.AlwaysInterleave]
    Task<OrgDelivery> CompleteAdminConsentAsync(string? state, string? tenant, string? adminConsent, string? error, string? errorDescription);

    /// <summary>
    /// Runs an admin API request against the org's unit (interleaved, as admin calls run beside the unit's work on one
    /// node; the unit stores its record through this grain).
    /// </summary>
    [global::Orleans.Concurrency.AlwaysInterleave]
    Task<OrgAdminAnswer> InvokeAdminAsync(string operation, string method, string path, string[] routeKeys, string[] routeValues, string queryString, string? contentType, byte[] body);

    /// <summary>Stores the admin's record (JSON, as a whole, so fields added later are kept).</summary>
    Task SaveRecordAsync(string recordJson);

    /// <summary>Stores the WxCC refresh token the token endpoint last issued (WxCC rotates them: every owner must use the newest).</summary>
    Task SaveRefreshTokenAsync(string refreshToken);

    /// <summary>Stores the Graph subscription ids the org's unit holds now.</summary>
    Task SaveSubscriptionsAsync(string[] subscriptionIds);
}

/// <summary>Where an org's unit runs.</summary>
/// <param name="Silo">The silo address.</param>
/// <param name="Activation">An id of this activation (changes on every takeover).</param>
/// <param name="Running">Whether the unit runs (false when the org is not listed on that silo).</param>
[GenerateSerializer]
[Alias("Webex.TeamsConnector.Orleans.OrgOwner")]
internal sealed record OrgOwner([property: Id(0)] string Silo, [property: Id(1)] string Activation, [property: Id(2)] bool Running);

/// <summary>The answer of the org's unit to a delivery.</summary>
/// <param name="StatusCode">The HTTP status.</param>
/// <param name="ContentType">The content type.</param>
/// <param name="Body">The body.</param>
[GenerateSerializer]
[Alias("Webex.TeamsConnector.Orleans.OrgDelivery")]
internal sealed record OrgDelivery([property: Id(0)] int StatusCode, [property: Id(1)] string? ContentType, [property: Id(2)] string? Body);

/// <summary>The answer of the org's unit to an admin API request.</summary>
/// <param name="StatusCode">The HTTP status.</param>
/// <param name="ContentType">The content type.</param>
/// <param name="Location">The redirect target, if any.</param>
/// <param name="Body">The body.</param>
[GenerateSerializer]
[Alias("Webex.TeamsConnector.Orleans.OrgAdminAnswer")]
internal sealed record OrgAdminAnswer([property: Id(0)] int StatusCode, [property: Id(1)] string? ContentType, [property: Id(2)] string? Location, [property: Id(3)] byte[] Body);

/// <summary>What the org's grain keeps in grain storage.</summary>
[GenerateSerializer]
[Alias("Webex.TeamsConnector.Orleans.OrgGrainState")]
internal sealed class OrgGrainState
{
    /// <summary>The admin's <see cref="ConnectorStateRecord"/> as JSON (null until first saved).</summary>
    [Id(0)]
    public string? RecordJson { get; set; }

    /// <summary>The Graph subscriptions the org's unit held when last told.</summary>
    [Id(1)]
    public List<string> SubscriptionIds { get; set; } = [];

    /// <summary>The newest WxCC refresh token (a secret, kept only here and in the token endpoint's answers).</summary>
    [Id(2)]
    public string? RefreshToken { get; set; }
}
