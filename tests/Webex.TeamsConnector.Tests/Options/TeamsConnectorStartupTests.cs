using System.Diagnostics;
using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Webex.TeamsConnector.Tests.Options;

public class TeamsConnectorStartupTests
{
    [Fact]
    public void TryValidate_BadSettingsInEveryPackage_ListsTheDataAnnotationsErrorsOfEach()
    {
        var valid = StartupValidation.TryValidate(
            new Dictionary<string, string?>
            {
                ["TeamsConnector:StateSync:TimerResolution"] = "00:05:00",
                ["TeamsConnector:Graph:PollBatchSize"] = "651",
                ["TeamsConnector:Graph:ClientSecret"] = "super-secret-graph-value",
                ["TeamsConnector:ContactCenter:MaxConcurrentWrites"] = "0",
                ["TeamsConnector:ContactCenter:ClientSecret"] = "super-secret-wxcc-value",
            },
            out var errors);

        valid.Should().BeFalse();
        // "Member: message" is how the generated DataAnnotations validators report a failed attribute.
        errors.Should().Contain("TimerResolution: TeamsConnector:StateSync:TimerResolution must be between zero and one minute.")
            .And.Contain("PollBatchSize: The field GraphOptions.PollBatchSize must be between 1 and 650.")
            .And.Contain("MaxConcurrentWrites: The field ContactCenterOptions.MaxConcurrentWrites must be between 1 and 256.")
            .And.Contain("OrgId: TeamsConnector:ContactCenter:OrgId is required.");
        string.Join("\n", errors).Should().NotContain("super-secret");
    }

    [Fact]
    public void TryValidate_ValidSettings_ReturnsNoErrors()
    {
        var services = new ServiceCollection();
        services.AddTeamsConnector();
        using var provider = services.BuildServiceProvider();

        TeamsConnectorStartup.TryValidate(provider, out var errors).Should().BeTrue();
        errors.Should().BeEmpty();
    }

    [Fact]
    public async Task Sample_InvalidConfiguration_ExitsWithCode2AndTheListedErrors_WithoutACrashOrStackTrace()
    {
        var sample = typeof(TeamsConnectorStartupTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "SampleAssembly").Value!;
        var longKey = new string('z', 5000);
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            ArgumentList =
            {
                sample,
                "--TeamsConnector:StateSync:IdleCodes:" + longKey + "=dnd",
                "--TeamsConnector:StateSync:RosterRefreshInterval=SECRETbanana",
                "--TeamsConnector:ContactCenter:ClientSecret=super-secret-wxcc-value",
                "--urls=http://127.0.0.1:0",
            },
        };
        start.Environment["DOTNET_DbgEnableMiniDump"] = "0";

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        var text = await output + await error;

        process.ExitCode.Should().Be(2, text);
        text.Should().Contain("The TeamsConnector configuration is not valid:")
            .And.Contain("TeamsConnector:StateSync:IdleCodes:" + new string('z', 64) + "… is not a Teams state")
            .And.Contain("TeamsConnector:StateSync:RosterRefreshInterval is not a valid TimeSpan")
            .And.Contain("TeamsConnector:ContactCenter:OrgId is required")
            .And.Contain("TeamsConnector:Graph:ClientId is required");
        text.Should().NotContain(new string('z', 65)).And.NotContain("SECRET").And.NotContain("super-secret");
        text.Should().NotContain("Unhandled exception").And.NotContain("   at ").And.NotContain("OptionsValidationException");
    }
}
