using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Webex.TeamsConnector.Tests.Options;

/// <summary>The connector registered from in-memory settings, and its start-up validation run: the tests of the start-up rules.</summary>
internal static class StartupValidation
{
    /// <summary>Registers the connector with Graph (and WxCC, unless <paramref name="contactCenter"/> is off) and validates.</summary>
    public static bool TryValidate(Dictionary<string, string?> settings, out IReadOnlyList<string> errors, bool contactCenter = true)
    {
        var services = new ServiceCollection();
        var builder = services.AddTeamsConnector(new ConfigurationBuilder().AddInMemoryCollection(settings).Build().GetSection("TeamsConnector")).AddGraphPresence();
        if (contactCenter)
        {
            builder.AddWebexContactCenter();
        }

        using var provider = services.BuildServiceProvider();
        return TeamsConnectorStartup.TryValidate(provider, out errors);
    }
}
