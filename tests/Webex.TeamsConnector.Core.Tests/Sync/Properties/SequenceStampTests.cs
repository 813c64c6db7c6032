using FsCheck;
using FsCheck.Fluent;

namespace Webex.TeamsConnector.Tests.Sync.Properties;

/// <summary>The machine's inline sequence stamp orders every pair of stamps as string.CompareOrdinal does.</summary>
public class SequenceStampTests
{
    // Short and long stamps (around the inline capacity), digits, letters of both cases, and characters above ASCII.
    private static Arbitrary<string[]> Stamps() =>
        Gen.ArrayOf(
            Gen.Choose(0, SequenceStamp.InlineCapacity + 4).SelectMany(length =>
                Gen.ArrayOf(Gen.Elements('0', '1', '9', 'A', 'B', 'F', 'a', 'f', 'z', '\u00e9', '\uffff'), length)
                    .Select(chars => new string(chars))))
        .ToArbitrary();

    [FsCheck.Xunit.Property(MaxTest = 500)]
    public Property CompareFrom_AnySequenceOfStamps_OrdersAsCompareOrdinal() =>
        Prop.ForAll(Stamps(), stamps =>
        {
            var stamp = default(SequenceStamp);
            string? last = null;
            foreach (var next in stamps)
            {
                stamp.IsSet.Should().Be(last is not null);
                if (last is not null)
                {
                    Math.Sign(stamp.CompareFrom(next)).Should().Be(Math.Sign(string.CompareOrdinal(next, last)), "'{0}' after '{1}'", next, last);
                }

                stamp.Set(next);
                last = next;
            }
        });

    [Theory]
    [InlineData("0000000010", "0000000009", 1)]
    [InlineData("0000000009", "0000000010", -1)]
    [InlineData("C4F2E9A1B", "C4F2E9A1B", 0)]
    [InlineData("", "", 0)]
    [InlineData("A", "", 1)]
    [InlineData("0123456789abcdefX", "0123456789abcdef", 1)]
    [InlineData("0123456789abcdef", "0123456789abcdefX", -1)]
    [InlineData("0123456789abcdefY", "0123456789abcdefX", 1)]
    public void CompareFrom_ShortEmptyAndLongerThanInline_OrdersAsCompareOrdinal(string next, string stored, int expected)
    {
        var stamp = default(SequenceStamp);
        stamp.Set(stored);

        Math.Sign(stamp.CompareFrom(next)).Should().Be(expected);
    }
}
