using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;

namespace Webex.TeamsConnector.Abstractions.Tests.Configuration;

public class ConfigurationBindingTests
{
    [Fact]
    public void Check_EveryValueConverts_ReturnsTheSectionItself()
    {
        var section = Section(new() { ["Adapter:Interval"] = "00:00:05", ["Adapter:Retries"] = "3" });

        var clean = ConfigurationBinding.Check<AdapterOptions>(section, e => throw new InvalidOperationException(e));

        clean.Should().BeSameAs(section);
    }

    [Fact]
    public void Check_UnconvertibleValues_AreHiddenFromBinding_AtEveryLevel_AndNeverEchoed()
    {
        var errors = new List<string>();
        var section = Section(new()
        {
            ["Adapter:Interval"] = "SECRET-soon",
            ["Adapter:Retries"] = "4",
            ["Adapter:Nested:Enabled"] = "SECRET-perhaps",
            ["Adapter:Nested:Name"] = "kept",
            ["Adapter:Codes:0"] = "7",
            ["Adapter:Codes:1"] = "SECRET-eight",
            ["Adapter:Codes:2"] = "9",
        });

        var clean = ConfigurationBinding.Check<AdapterOptions>(section, errors.Add);
        var options = new AdapterOptions();
        clean.Bind(options);

        errors.Should().HaveCount(3).And.OnlyContain(e => !e.Contains("SECRET", StringComparison.Ordinal));
        errors.Should().Contain("Adapter:Interval is not a valid TimeSpan (for example 00:00:30).");
        errors.Should().Contain("Adapter:Nested:Enabled is not a valid boolean (true or false).");
        options.Interval.Should().Be(new AdapterOptions().Interval, "the bad value is left out");
        options.Retries.Should().Be(4);
        options.Nested.Enabled.Should().BeFalse();
        options.Nested.Name.Should().Be("kept");
        options.Codes.Should().Equal(7, 9);
        clean["Interval"].Should().BeNull();
        clean.GetSection("Nested")["Name"].Should().Be("kept");
        ((IConfigurationSection)clean).Path.Should().Be("Adapter");
    }

    [Fact]
    public void Check_UnknownKey_IsReportedByItsPath()
    {
        var errors = new List<string>();

        ConfigurationBinding.Check<AdapterOptions>(Section(new() { ["Adapter:Colour"] = "blue", ["Adapter:Skipped:X"] = "1" }), errors.Add, "Skipped");

        errors.Should().ContainSingle().Which.Should().StartWith("Adapter:Colour is not a known setting");
    }

    [Fact]
    public void Check_TheCheckedView_IsReadOnly()
    {
        var clean = ConfigurationBinding.Check<AdapterOptions>(Section(new() { ["Adapter:Retries"] = "x" }), _ => { });

        var act = () => clean["Retries"] = "1";

        act.Should().Throw<NotSupportedException>();
    }

    [Theory]
    [InlineData("00:00:00.500", false)]
    [InlineData("00:00:01", true)]
    [InlineData("00:01:00", true)]
    [InlineData("00:01:00.001", false)]
    public void TimeSpanRange_BoundsAreInclusive(string value, bool valid)
    {
        var range = new TimeSpanRangeAttribute("00:00:01", "00:01:00") { ErrorMessage = "{0} must be between {1} and {2}." };

        range.IsValid(TimeSpan.Parse(value, System.Globalization.CultureInfo.InvariantCulture)).Should().Be(valid);
        range.FormatErrorMessage("Adapter:Interval").Should().Be("Adapter:Interval must be between 00:00:01 and 00:01:00.");
    }

    private static IConfigurationSection Section(Dictionary<string, string?> settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings).Build().GetSection("Adapter");

    public sealed class AdapterOptions
    {
        [TimeSpanRange("00:00:01", "00:01:00")]
        public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(10);

        [Range(0, 10)]
        public int Retries { get; set; }

        public NestedOptions Nested { get; set; } = new();

        public IList<int> Codes { get; set; } = [];
    }

    public sealed class NestedOptions
    {
        public bool Enabled { get; set; }

        public string? Name { get; set; }
    }
}
