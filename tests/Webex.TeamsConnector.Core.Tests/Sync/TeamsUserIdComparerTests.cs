using FsCheck;
using FsCheck.Fluent;

namespace Webex.TeamsConnector.Tests.Sync;

/// <summary>The engine's Teams user id comparer is OrdinalIgnoreCase with a cheaper hash: equal ids must hash equal.</summary>
public class TeamsUserIdComparerTests
{
    private static readonly TeamsUserIdComparer s_comparer = TeamsUserIdComparer.Instance;

    [FsCheck.Xunit.Property(MaxTest = 1000)]
    public Property GetHashCode_AnyIdInAnyCase_EqualsIgnoringCaseImpliesEqualHash() =>
        Prop.ForAll(
            Gen.Elements("0123456789abcdefABCDEF-ıİſKkSsIi\u00e9\u00c9\u212a\u0130xyzXYZ".ToCharArray()).ArrayOf().Select(c => new string(c)).ToArbitrary(),
            Gen.Choose(0, int.MaxValue).ToArbitrary(),
            (id, seed) =>
            {
                var random = new Random(seed);
                var other = new string(id.Select(c => random.Next(3) switch { 0 => char.ToUpperInvariant(c), 1 => char.ToLowerInvariant(c), _ => c }).ToArray());
                var equal = string.Equals(id, other, StringComparison.OrdinalIgnoreCase);
                s_comparer.Equals(id, other).Should().Be(equal);
                if (equal)
                {
                    s_comparer.GetHashCode(id).Should().Be(s_comparer.GetHashCode(other), "\"{0}\" and \"{1}\" are equal ignoring case", id, other);
                }
            });

    [Theory]
    [InlineData("fa8bf3dc-eca7-46b7-bad1-00000000abcd", "FA8BF3DC-ECA7-46B7-BAD1-00000000ABCD")]
    [InlineData("ıd-0000000000000000-xyz", "ID-0000000000000000-XYZ")]
    [InlineData("ſession-00000000000000", "Session-00000000000000")]
    [InlineData("short", "SHORT")]
    public void GetHashCode_IdsEqualIgnoringCase_HashEqual(string a, string b)
    {
        s_comparer.Equals(a, b).Should().Be(string.Equals(a, b, StringComparison.OrdinalIgnoreCase));
        if (s_comparer.Equals(a, b))
        {
            s_comparer.GetHashCode(a).Should().Be(s_comparer.GetHashCode(b));
        }
    }

    [Fact]
    public void GetHashCode_ThirtyThousandGuidsWithOneVaryingPart_SpreadWithoutManyCollisions()
    {
        // Ids like the benchmark's: one fixed prefix, the last twelve hex digits varying.
        var hashes = Enumerable.Range(0, 30_000).Select(i => s_comparer.GetHashCode($"fa8bf3dc-eca7-46b7-bad1-{i:x12}")).ToHashSet();
        hashes.Count.Should().BeGreaterThan(29_900);
        var guids = Enumerable.Range(0, 30_000).Select(_ => s_comparer.GetHashCode(Guid.NewGuid().ToString())).ToHashSet();
        guids.Count.Should().BeGreaterThan(29_900);
    }

    [Fact]
    public void Dictionary_WithTheComparer_FindsAnIdInAnotherCase()
    {
        var map = new Dictionary<string, int>(s_comparer) { ["fa8bf3dc-eca7-46b7-bad1-00000000abcd"] = 1 };

        map.TryGetValue("FA8BF3DC-ECA7-46B7-BAD1-00000000ABCD", out var found).Should().BeTrue();
        found.Should().Be(1);
        map.ContainsKey("fa8bf3dc-eca7-46b7-bad1-00000000abce").Should().BeFalse();
    }
}
