using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Webex.TeamsConnector.Graph;

namespace Webex.TeamsConnector.Benchmarks.Graph;

/// <summary>The Graph adapter wired as an application would, for benchmarks.</summary>
internal static class GraphBenchmarkHost
{
    public const string TenantId = "8f3c8f4e-5c1b-4f7a-9d3e-0a1b2c3d4e5f";
    public const string AppId = "11111111-2222-4333-8444-555555555555";

    public static ServiceProvider Build(Uri baseUrl, Action<GraphOptions>? configure = null, Dictionary<string, string?>? extra = null)
    {
        var values = new Dictionary<string, string?>
        {
            ["TeamsConnector:Graph:BaseUrl"] = baseUrl.ToString(),
            ["TeamsConnector:Graph:TenantId"] = TenantId,
            ["TeamsConnector:Graph:ClientId"] = AppId,
        };
        foreach (var (key, value) in extra ?? [])
        {
            values[key] = value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection();
        services.AddTeamsConnector(configuration.GetSection("TeamsConnector")).AddGraphPresence(configure ?? (_ => { }));
        return services.BuildServiceProvider();
    }
}
