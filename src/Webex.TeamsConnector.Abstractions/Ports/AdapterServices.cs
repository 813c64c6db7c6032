namespace Webex.TeamsConnector;

/// <summary>
/// The application's own credential at the Entra ID token endpoint (the client secret or certificate that the Graph
/// adapter already holds), for the admin sign-in's authorization-code exchange. Implemented by the Graph adapter.
/// </summary>
internal interface IApplicationClientCredential
{
    /// <summary>
    /// The form fields that authenticate the application in a token request: <c>client_secret</c>, or
    /// <c>client_assertion_type</c> and <c>client_assertion</c> (a JWT signed with the certificate, for
    /// <paramref name="tokenEndpoint"/>). Empty when the application has neither.
    /// </summary>
    /// <param name="tokenEndpoint">The token endpoint (the assertion's audience).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The fields; never logged.</returns>
    ValueTask<IReadOnlyList<KeyValuePair<string, string>>> GetTokenRequestFieldsAsync(Uri tokenEndpoint, CancellationToken cancellationToken);
}

/// <summary>
/// What an adapter removes when the connector is deleted (the WxCC webhook subscription, the Graph subscriptions).
/// Called while the connector is inactive, with its feeds stopped; must be idempotent so that delete can be retried.
/// </summary>
internal interface IConnectorCleanup
{
    /// <summary>What it removes, in words, for the delete result and the log (for example "Graph subscriptions").</summary>
    string Name { get; }

    /// <summary>Removes it; throws when it could not (the message is reported, so it carries no secret).</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>How many items were removed.</returns>
    Task<int> CleanUpAsync(CancellationToken cancellationToken);
}
