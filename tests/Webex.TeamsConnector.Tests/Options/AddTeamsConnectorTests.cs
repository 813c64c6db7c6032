using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Webex.TeamsConnector.Tests.Options;

public class AddTeamsConnectorTests
{
    [Fact]
    public void AddTeamsConnector_CalledTwice_BindsOnceAndAppliesTheSettingsGivenInCode()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["TeamsConnector:StateSync:ReasonMarker"] = "from-configuration",
            ["TeamsConnector:StateSync:Colour"] = "blue",
        }).Build();
        var services = new ServiceCollection();

        services.AddTeamsConnector(configuration.GetSection("TeamsConnector"));
        services.AddTeamsConnector(configuration.GetSection("TeamsConnector"));
        services.AddTeamsConnector(o => o.StateSync.TimerResolution = TimeSpan.FromSeconds(2));
        using var provider = services.BuildServiceProvider();

        services.Count(static d => d.ServiceType == typeof(IConfigureOptions<TeamsConnectorOptions>)).Should().Be(2, "the section is bound once, plus the one action given in code");
        services.Count(static d => d.ServiceType == typeof(IValidateOptions<TeamsConnectorOptions>)).Should().Be(1);
        services.Count(static d => d.ServiceType == typeof(ITeamsConnectorAdmin)).Should().Be(1);
        TeamsConnectorStartup.TryValidate(provider, out var errors).Should().BeFalse();
        errors.Should().ContainSingle(e => e.StartsWith("TeamsConnector:StateSync:Colour is not a known setting", StringComparison.Ordinal), "each error is reported once");
        var options = provider.GetRequiredService<IOptionsMonitor<TeamsConnectorOptions>>();
        var act = () => options.CurrentValue;
        act.Should().Throw<OptionsValidationException>();
    }

    [Fact]
    public void AddTeamsConnector_CalledTwiceWithValidSettings_AppliesBoth()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["TeamsConnector:StateSync:ReasonMarker"] = "from-configuration",
        }).Build();
        var services = new ServiceCollection();

        services.AddTeamsConnector(configuration.GetSection("TeamsConnector"));
        services.AddTeamsConnector(o => o.StateSync.TimerResolution = TimeSpan.FromSeconds(2));
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<TeamsConnectorOptions>>().Value;
        options.StateSync.ReasonMarker.Should().Be("from-configuration");
        options.StateSync.TimerResolution.Should().Be(TimeSpan.FromSeconds(2));
    }
}
