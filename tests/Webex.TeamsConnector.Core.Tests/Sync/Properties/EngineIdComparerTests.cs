using FsCheck;
using FsCheck.Fluent;

namespace Webex.TeamsConnector.Tests.Sync.Properties;

/// <summary>
/// The engine's sampled id hash is consistent with its equality (equal ids, ignoring case for Teams users, hash the
/// same), and the engine still finds every agent by either id.
/// </summary>
public class EngineIdComparerTests
{
    // ASCII letters of both cases, digits, a dash, and characters above ASCII that have case (é/É, ı, ſ, the Kelvin sign).
    private static readonly char[] s_alphabet = ['0', '7', '9', 'a', 'A', 'f', 'F', 'i', 'I', 'k', 'K', 's', 'S', 'z', 'Z', '-', '\u00e9', '\u00c9', '\u0131', '\u017f', '\u212a', '\uffff'];

    private static Arbitrary<(string Id, bool[] Flips)> Ids() =>
        Gen.Choose(0, 40).SelectMany(length =>
            Gen.ArrayOf(Gen.Elements(s_alphabet), length).SelectMany(chars =>
                Gen.ArrayOf(Gen.Elements(false, true), length).Select(flips => (new string(chars), flips))))
        .ToArbitrary();

    [FsCheck.Xunit.Property(MaxTest = 2000)]
    public Property GetHashCode_IdsEqualIgnoringCase_HashTheSame() =>
        Prop.ForAll(Ids(), sample =>
        {
            var (id, flips) = sample;
            var other = string.Create(id.Length, (id, flips), static (span, s) =>
            {
                for (var i = 0; i < span.Length; i++)
                {
                    var c = s.id[i];
                    span[i] = !s.flips[i] ? c : char.IsUpper(c) ? char.ToLowerInvariant(c) : char.ToUpperInvariant(c);
                }
            });
            var ignoreCase = EngineIdComparer.OrdinalIgnoreCase;

            ignoreCase.Equals(id, other).Should().Be(string.Equals(id, other, StringComparison.OrdinalIgnoreCase));
            if (string.Equals(id, other, StringComparison.OrdinalIgnoreCase))
            {
                ignoreCase.GetHashCode(other).Should().Be(ignoreCase.GetHashCode(id), "'{0}' equals '{1}' ignoring case", other, id);
            }

            EngineIdComparer.Ordinal.Equals(id, other).Should().Be(string.Equals(id, other, StringComparison.Ordinal));
            EngineIdComparer.Ordinal.GetHashCode(new string(id.AsSpan())).Should().Be(EngineIdComparer.Ordinal.GetHashCode(id));
        });

    [Fact]
    public void OrdinalIgnoreCase_EveryCharacterAboveAscii_EqualsNoAsciiCharacter()
    {
        // What the ASCII fast path of the ignore-case hash relies on (see EngineIdComparer's remarks).
        Span<char> ascii = stackalloc char[1];
        Span<char> other = stackalloc char[1];
        var found = new List<string>();
        for (var c = 0x80; c <= char.MaxValue; c++)
        {
            other[0] = (char)c;
            for (var a = 0; a < 0x80; a++)
            {
                ascii[0] = (char)a;
                if (MemoryExtensions.Equals(other, ascii, StringComparison.OrdinalIgnoreCase))
                {
                    found.Add($"U+{c:X4} = U+{a:X4}");
                }
            }
        }

        found.Should().BeEmpty();
    }

    [Fact]
    public void GetHashCode_GuidsDifferingInFourHexDigits_SpreadOverDistinctHashes()
    {
        // The shapes of real ids: a counter in the first or the last hex digits of a GUID. Folding each sample to 32
        // bits by XOR gave about one distinct hash per ten ids here.
        var first = Enumerable.Range(0, 10_000).Select(i => $"{i:x8}-194b-49af-9b93-074b3ecc852a").ToArray();
        var last = Enumerable.Range(0, 10_000).Select(i => $"fa8bf3dc-eca7-46b7-bad1-{i:x12}").ToArray();

        first.Select(EngineIdComparer.Ordinal.GetHashCode).Distinct().Count().Should().BeGreaterThan(9_990);
        last.Select(EngineIdComparer.OrdinalIgnoreCase.GetHashCode).Distinct().Count().Should().BeGreaterThan(9_990);
        last.Select(id => EngineIdComparer.OrdinalIgnoreCase.GetHashCode(id) % 10_007).Distinct().Count().Should().BeGreaterThan(6_000, "ids spread over a dictionary's prime-sized buckets");
    }

    [Fact]
    public void SyncEngine_IdsAgreeingInBothEnds_FindsEachAgentByEitherId()
    {
        // Ids that differ only between the sampled ends share a hash: the engine must still tell them apart.
        var engine = new SyncEngine(new SyncRules());
        var agents = Enumerable.Range(0, 50).Select(i => $"agent-00-{i:D4}-0000-agent-01").ToArray();
        var users = Enumerable.Range(0, 50).Select(i => $"FA8BF3DC-{i:D4}-46B7-BAD1-00000000C0DE").ToArray();
        for (var i = 0; i < agents.Length; i++)
        {
            engine.AddAgent(agents[i], users[i]).Should().BeTrue();
        }

        for (var i = 0; i < agents.Length; i++)
        {
            engine.TryGetAgent(agents[i], out var byAgent).Should().BeTrue();
            byAgent.TeamsUserId.Should().Be(users[i]);
            engine.TryGetAgentByTeamsUserId(users[i].ToLowerInvariant(), out var byUser).Should().BeTrue();
            byUser.AgentId.Should().Be(agents[i]);
        }

        engine.TryGetAgent(agents[0].ToUpperInvariant(), out _).Should().BeFalse("agent ids are compared ordinally");
        engine.Count.Should().Be(50);
    }
}
