namespace Webex.TeamsConnector.Graph;

/// <summary>
/// Service keys of the credentials the Graph adapter takes from the services. The application's own credential is
/// an unkeyed <c>Azure.Core.TokenCredential</c> (or <see cref="GraphOptions.ClientSecret"/> /
/// <see cref="GraphOptions.CertificatePath"/>).
/// </summary>
public static class GraphCredentials
{
    /// <summary>
    /// The key of the service account's <c>TokenCredential</c> (delegated permission <c>Presence.Read.All</c>) used to
    /// create, renew, reauthorize and delete presence subscriptions: Graph allows them with delegated permissions only.
    /// Required with <see cref="GraphPresenceSource.ChangeNotifications"/>:
    /// <c>services.AddKeyedSingleton&lt;TokenCredential&gt;(GraphCredentials.Subscriptions, serviceAccountCredential)</c>.
    /// Every other Graph request keeps the application's credential.
    /// </summary>
    public const string Subscriptions = "Webex.TeamsConnector.Graph.Subscriptions";

    internal const string MissingMessage =
        "TeamsConnector:Graph: change notifications need the service account's delegated credential (Presence.Read.All): register it with services.AddKeyedSingleton<TokenCredential>(GraphCredentials.Subscriptions, ...).";
}
