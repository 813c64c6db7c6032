namespace Webex.TeamsConnector.Tests.Sync;

public class IdleCodeMappingTests
{
    [Fact]
    public void Create_DefaultThreeStates_Resolves()
    {
        var mapping = IdleCodeMapping.Create(new Dictionary<string, string?>
        {
            ["DoNotDisturb"] = "dnd", ["InACall"] = "call", ["Presenting"] = "present",
        });

        mapping.Resolve(TeamsPresence.Parse("DoNotDisturb", "DoNotDisturb")).Should().Be("dnd");
        mapping.Resolve(TeamsPresence.Parse("Busy", "InACall")).Should().Be("call");
        mapping.Resolve(TeamsPresence.Parse("DoNotDisturb", "Presenting")).Should().Be("present");
        mapping.Resolve(TeamsPresence.Parse("Busy", "InAMeeting")).Should().BeNull("unmapped means free");
        mapping.Resolve(TeamsPresence.Parse("Available", "Available")).Should().BeNull();
        mapping.Entries.Should().HaveCount(3);
    }

    [Theory]
    [InlineData("InAConferenceCall", "Busy", "InAConferenceCall")]
    [InlineData("InAMeeting", "Busy", "InAMeeting")]
    [InlineData("Busy", "Busy", "Busy")]
    [InlineData("Away", "Away", "Away")]
    [InlineData("BeRightBack", "BeRightBack", "BeRightBack")]
    [InlineData("Offline", "Offline", "OffWork")]
    [InlineData("OffWork", "Offline", "Offline")]
    [InlineData("OutOfOffice", "Offline", "OutOfOffice")]
    [InlineData("Focusing", "Focusing", "Focusing")]
    [InlineData("inacall", "busy", "inacall")]
    public void Create_ExtendedStates_Resolve(string key, string availability, string activity)
    {
        var mapping = IdleCodeMapping.Create([new KeyValuePair<string, string?>(key, "code-1")]);

        mapping.Resolve(TeamsPresence.Parse(availability, activity)).Should().Be("code-1");
    }

    [Fact]
    public void TryCreate_ListsEveryError()
    {
        var ok = IdleCodeMapping.TryCreate(
            [
                new("Sleeping", "x"),
                new("InACall", ""),
                new("Presenting", new string('x', 37)),
                new("DoNotDisturb", "0"),
                new("Away", null),
            ],
            out var mapping,
            out var errors);

        ok.Should().BeFalse();
        mapping.Should().BeNull();
        errors.Should().HaveCount(5);
        errors.Should().Contain(e => e.Contains("IdleCodes:Sleeping is not a Teams state", StringComparison.Ordinal));
        errors.Should().Contain(e => e.Contains("IdleCodes:InACall has an empty idle code id", StringComparison.Ordinal));
        errors.Should().Contain(e => e.Contains("37 characters", StringComparison.Ordinal));
        errors.Should().Contain(e => e.Contains("means Available", StringComparison.Ordinal));
    }

    [Fact]
    public void Create_SameStateTwiceWithDifferentCodes_IsRefused()
    {
        var act = () => IdleCodeMapping.Create([new KeyValuePair<string, string?>("Offline", "a"), new("OffWork", "b")]);
        act.Should().Throw<ArgumentException>().WithMessage("*second time*");
    }

    [Fact]
    public void Create_IdOf36Characters_IsAccepted()
    {
        var id = new string('x', 36);
        IdleCodeMapping.Create([new KeyValuePair<TeamsState, string>(TeamsState.Busy, id)]).Resolve(TeamsState.Busy).Should().Be(id);
    }

    [Fact]
    public void Empty_MapsNothing()
    {
        foreach (var state in Enum.GetValues<TeamsState>())
        {
            IdleCodeMapping.Empty.Resolve(state).Should().BeNull();
        }

        IdleCodeMapping.Empty.Resolve((TeamsState)999).Should().BeNull();
    }

    [Fact]
    public void Keys_ListsTheMappableStates()
    {
        IdleCodeMapping.Keys.Should().BeEquivalentTo(
            ["DoNotDisturb", "InACall", "Presenting", "InAConferenceCall", "InAMeeting", "Busy", "Away", "BeRightBack", "Offline", "OffWork", "OutOfOffice", "Focusing"]);
    }
}
