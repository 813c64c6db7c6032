using Microsoft.Extensions.Configuration;

namespace Webex.TeamsConnector.Tests.Options;

public class ConfigurationBindingTests
{
    private static IConfigurationSection Section(Dictionary<string, string?> settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings).Build().GetSection("TeamsConnector");

    private static (List<string> Errors, IConfiguration Clean) Check(Dictionary<string, string?> settings)
    {
        var errors = new List<string>();
        var clean = ConfigurationBinding.Check<TeamsConnectorOptions>(Section(settings), errors.Add, "Graph", "ContactCenter");
        return (errors, clean);
    }

    [Fact]
    public void Check_UnconvertibleValues_AreListedByKeyAndType_AndTheRestIsBound()
    {
        var (errors, clean) = Check(new()
        {
            ["TeamsConnector:StateSync:EchoGracePeriod"] = "SECRETlime",
            ["TeamsConnector:StateSync:SyncAllEligibleAgents"] = "SECRETmaybe",
            ["TeamsConnector:Admin:InitialState"] = "SECRETmango",
            ["TeamsConnector:Admin:AuthorityHost"] = "https://login.example",
            ["TeamsConnector:StateSync:TimerResolution"] = "00:00:02",
        });
        var options = new TeamsConnectorOptions();

        clean.Bind(options);

        errors.Should().BeEquivalentTo(
            "TeamsConnector:StateSync:EchoGracePeriod is not a valid TimeSpan (for example 00:00:30).",
            "TeamsConnector:StateSync:SyncAllEligibleAgents is not a valid boolean (true or false).",
            "TeamsConnector:Admin:InitialState is not a valid ConnectorState.");
        options.StateSync.TimerResolution.Should().Be(TimeSpan.FromSeconds(2));
        options.StateSync.EchoGracePeriod.Should().Be(new StateSyncOptions().EchoGracePeriod, "the bad value is left out");
        options.Admin.AuthorityHost.Should().Be(new Uri("https://login.example"));
    }

    [Fact]
    public void Check_UnknownKeys_AtEveryLevel_AreRefused_AndIgnoredKeysAreLeftToTheirPackages()
    {
        var (errors, _) = Check(new()
        {
            ["TeamsConnector:Bogus"] = "1",
            ["TeamsConnector:StateSync:Colour"] = "blue",
            ["TeamsConnector:StateSync:TimerResolution:Fine"] = "1",
            ["TeamsConnector:StateSync:Agents:first"] = "ann@example.test",
            ["TeamsConnector:Admin:Extra:Deep"] = "x",
            ["TeamsConnector:Graph:Anything"] = "1",
            ["TeamsConnector:ContactCenter:Colour"] = "1",
        });

        errors.Should().HaveCount(5);
        errors.Should().Contain(e => e.StartsWith("TeamsConnector:Bogus is not a known setting", StringComparison.Ordinal));
        errors.Should().Contain(e => e.StartsWith("TeamsConnector:StateSync:Colour is not a known setting", StringComparison.Ordinal));
        errors.Should().Contain(e => e.StartsWith("TeamsConnector:StateSync:TimerResolution:Fine is not a known setting", StringComparison.Ordinal));
        errors.Should().Contain("TeamsConnector:StateSync:Agents:first is not a list index (0, 1, 2 ...).");
        errors.Should().Contain(e => e.StartsWith("TeamsConnector:Admin:Extra is not a known setting", StringComparison.Ordinal));
        string.Join("\n", errors).Should().NotContain("blue").And.NotContain("ann@");
    }

    [Fact]
    public void Check_DictionaryAndListEntries_AreAccepted_AndTheSectionItselfIsReturned()
    {
        var section = Section(new()
        {
            ["TeamsConnector:StateSync:IdleCodes:DoNotDisturb"] = "dnd",
            ["TeamsConnector:StateSync:IdleCodePresences:lunch"] = "Away/Away",
            ["TeamsConnector:StateSync:Agents:0"] = "ann@example.test",
            ["TeamsConnector:StateSync:SyncAllEligibleAgents"] = "false",
        });
        var errors = new List<string>();

        var clean = ConfigurationBinding.Check<TeamsConnectorOptions>(section, errors.Add);

        errors.Should().BeEmpty();
        clean.Should().BeSameAs(section, "nothing had to be left out");
    }

    [Fact]
    public void Check_FiveThousandCharacterUnknownKey_IsCutTo64Characters()
    {
        var key = new string('k', 5000);

        var (errors, _) = Check(new() { ["TeamsConnector:StateSync:" + key] = "1" });

        var error = errors.Should().ContainSingle().Subject;
        error.Should().Contain("TeamsConnector:StateSync:" + new string('k', 64) + "…").And.NotContain(new string('k', 65));
        error.Length.Should().BeLessThan(300);
    }

    [Fact]
    public void Validate_FiveThousandCharacterIdleCodeKey_IsCutTo64Characters()
    {
        var options = new TeamsConnectorOptions();
        options.StateSync.IdleCodes[new string('x', 5000)] = "dnd";

        var result = new TeamsConnectorOptionsValidator().Validate(null, options);

        var error = result.Failures.Should().ContainSingle().Subject;
        error.Should().Be("TeamsConnector:StateSync:IdleCodes:" + new string('x', 64) + "… is not a Teams state that can be mapped.");
    }

    [Fact]
    public void Quote_ShortKey_IsKept_LongKeyIsCut()
    {
        ConfigurationBinding.Quote("DoNotDisturb").Should().Be("DoNotDisturb");
        ConfigurationBinding.Quote(new string('a', 64)).Should().Be(new string('a', 64));
        ConfigurationBinding.Quote(new string('a', 65)).Should().Be(new string('a', 64) + "…");
    }
}
