namespace Webex.TeamsConnector;

/// <summary>The names under which the connector reports metrics and traces.</summary>
public static class TeamsConnectorDiagnostics
{
    /// <summary>The name of the connector's <c>Meter</c> and <c>ActivitySource</c>.</summary>
    public const string Name = "Webex.TeamsConnector";
}
