namespace Webex.TeamsConnector.Tests.Phones;

public class E164Tests
{
    [Theory]
    [InlineData("+14255550100")]
    [InlineData("+44")]
    [InlineData("+123456789012345")]
    public void IsValid_StrictE164(string value) => E164.IsValid(value).Should().BeTrue();

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("+")]
    [InlineData("+1")]
    [InlineData("+0123456")]
    [InlineData("14255550100")]
    [InlineData("+1 425 555 0100")]
    [InlineData("+1234567890123456")]
    [InlineData("+١٢٣٤٥")]
    public void IsValid_Rejects(string? value) => E164.IsValid(value).Should().BeFalse();

    [Theory]
    [InlineData("+1 (425) 555-0100", "+14255550100")]
    [InlineData("+44 20 7946 0958", "+442079460958")]
    [InlineData("0049 30 1234567", "+49301234567")]
    [InlineData("tel:+1-425-555-0100", "+14255550100")]
    [InlineData(" +33.1.23.45.67.89 ", "+33123456789")]
    [InlineData("+1/425/5550100", "+14255550100")]
    [InlineData("+44 (0) 20 7946 0958", "+442079460958")]
    [InlineData("+44(0)20 7946 0958", "+442079460958")]
    [InlineData("+49 (0)30 1234567", "+49301234567")]
    [InlineData("0044 (0) 20 7946 0958", "+442079460958")]
    [InlineData("0044 20 7946 0958", "+442079460958")]
    [InlineData(" tel:+44 20 7946 0958", "+442079460958")]
    [InlineData("TEL: +44 20 7946 0958", "+442079460958")]
    [InlineData("Tel:0044 20 7946 0958", "+442079460958")]
    [InlineData("+44\t20\t7946 0958", "+442079460958")]
    [InlineData("\t+44 20 7946 0958\t", "+442079460958")]
    public void TryNormalize_CommonForms(string input, string expected)
    {
        E164.TryNormalize(input, out var normalized).Should().BeTrue();
        normalized.Should().Be(expected);
        E164.IsValid(normalized).Should().BeTrue();
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("(425) 555-0100")]
    [InlineData("+1 425 555 0100 x123")]
    [InlineData("+1 425 555 0100;ext=12")]
    [InlineData("+0 425 555")]
    [InlineData("+1 2345 6789 0123 4567")]
    [InlineData("++14255550100")]
    [InlineData("+1425+5550100")]
    [InlineData("call me")]
    [InlineData("00")]
    [InlineData("011 44 20 7946 0958")]
    [InlineData("020 7946 0958")]
    [InlineData("+44 20 (0) 7946 0958")]
    [InlineData("+44 (0) (0) 20 7946 0958")]
    [InlineData("(0) 20 7946 0958")]
    [InlineData("+ (0) 20 7946 0958")]
    [InlineData("tel:")]
    [InlineData("tel:tel:+442079460958")]
    public void TryNormalize_Refuses(string? input)
    {
        E164.TryNormalize(input, out var normalized).Should().BeFalse();
        normalized.Should().BeNull();
    }

    [Fact]
    public void Normalize_Invalid_ThrowsFormatException()
    {
        var act = () => E164.Normalize("555-0100");
        act.Should().Throw<FormatException>().WithMessage("*E.164*");
        E164.Normalize("+1 425 555 0100").Should().Be("+14255550100");
    }
}
