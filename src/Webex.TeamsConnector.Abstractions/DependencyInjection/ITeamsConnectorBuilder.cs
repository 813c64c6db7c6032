using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Webex.TeamsConnector;

/// <summary>
/// Returned by <c>AddTeamsConnector()</c>; the Graph and Contact Center adapters add themselves with extension
/// methods on it (<c>.AddGraphPresence()</c>, <c>.AddWebexContactCenter()</c>).
/// </summary>
public interface ITeamsConnectorBuilder
{
    /// <summary>The service collection the connector is registered in.</summary>
    IServiceCollection Services { get; }

    /// <summary>
    /// The <c>TeamsConnector</c> configuration section given to <c>AddTeamsConnector</c>, if any; adapters bind
    /// their own sub-section (<c>Graph</c>, <c>ContactCenter</c>) from it.
    /// </summary>
    IConfiguration? Configuration { get; }
}
