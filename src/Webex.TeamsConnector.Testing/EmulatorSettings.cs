using System.Globalization;

namespace Webex.TeamsConnector.Testing;

/// <summary>
/// The configuration that points the connector at the emulators, for your own tests and demos:
/// <c>configuration.AddInMemoryCollection(EmulatorSettings.For(graph, wxcc))</c>, then
/// <c>AddTeamsConnector(configuration.GetSection("TeamsConnector")).AddGraphPresence().AddWebexContactCenter()</c>.
/// </summary>
public static class EmulatorSettings
{
    /// <summary>The application (client) id the settings give the Graph adapter (also its presence session id).</summary>
    public const string GraphClientId = "0f5f3a58-4c1e-4a0f-9d1b-5e6c7d8e9f00";

    /// <summary>
    /// Settings for <c>TeamsConnector:Graph</c> (polling) and <c>TeamsConnector:ContactCenter</c> (websocket events)
    /// against the two emulators. Add idle-code mappings (<c>TeamsConnector:StateSync:IdleCodes:*</c>) and change
    /// what you need before adding them to the configuration.
    /// </summary>
    /// <param name="graph">The Graph emulator.</param>
    /// <param name="wxcc">The WxCC emulator.</param>
    /// <param name="pollInterval">The Graph poll interval; one second when <see langword="null"/>.</param>
    /// <returns>A new, mutable dictionary of settings.</returns>
    public static Dictionary<string, string?> For(GraphEmulator graph, ContactCenterEmulator wxcc, TimeSpan? pollInterval = null)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(wxcc);
        return new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["TeamsConnector:Graph:BaseUrl"] = graph.BaseUrl.ToString(),
            ["TeamsConnector:Graph:TenantId"] = graph.TenantId,
            ["TeamsConnector:Graph:ClientId"] = GraphClientId,
            ["TeamsConnector:Graph:ClientSecret"] = "emulator-client-secret",
            ["TeamsConnector:Admin:AuthorityHost"] = graph.Authority.Host.ToString(),
            ["TeamsConnector:Graph:PollInterval"] = (pollInterval ?? TimeSpan.FromSeconds(1)).ToString("c", CultureInfo.InvariantCulture),
            ["TeamsConnector:ContactCenter:BaseUrl"] = wxcc.BaseUrl.ToString(),
            ["TeamsConnector:ContactCenter:TokenUrl"] = wxcc.TokenUrl.ToString(),
            ["TeamsConnector:ContactCenter:WebexApiBaseUrl"] = wxcc.WebexApiBaseUrl.ToString(),
            ["TeamsConnector:ContactCenter:OrgId"] = wxcc.OrgId,
            ["TeamsConnector:ContactCenter:ClientId"] = wxcc.ClientId,
            ["TeamsConnector:ContactCenter:ClientSecret"] = wxcc.ClientSecret,
            ["TeamsConnector:ContactCenter:RefreshToken"] = wxcc.RefreshToken,
            ["TeamsConnector:ContactCenter:EventSource"] = "WebSocket",
        };
    }
}
