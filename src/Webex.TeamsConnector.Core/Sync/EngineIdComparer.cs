using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Webex.TeamsConnector;

/// <summary>
/// The <see cref="SyncEngine"/>'s id comparers: ordinal for WxCC agent ids, ordinal ignoring case for Teams user ids.
/// The hash reads the length and the first and last eight characters of an id (four 8-byte loads) instead of every
/// character; equality still compares every character.
/// </summary>
/// <remarks>
/// Agent and Teams user ids are GUIDs or similar (36 characters) that differ at one end or the other, so the sample
/// spreads them over the buckets as well as a full hash would. Ids that agree in both ends still work, in one bucket
/// chain; the ids come from WxCC and Entra ID, not from an outside caller who could pick them. Ignoring case, ASCII
/// letters are folded with one OR; an id with a non-ASCII character among the sampled ones is hashed by
/// <see cref="StringComparer.OrdinalIgnoreCase"/> instead. That stays consistent with equality because no non-ASCII
/// character equals an ASCII one ignoring case (tests check every character).
/// </remarks>
internal sealed class EngineIdComparer : IEqualityComparer<string>
{
    private const ulong NonAscii = 0xFF80_FF80_FF80_FF80;
    private const ulong AsciiLower = 0x0020_0020_0020_0020;
    private const int Sample = 8;

    private readonly bool _ignoreCase;

    private EngineIdComparer(bool ignoreCase) => _ignoreCase = ignoreCase;

    /// <summary>Ordinal: the WxCC agent ids.</summary>
    public static EngineIdComparer Ordinal { get; } = new(ignoreCase: false);

    /// <summary>Ordinal ignoring case: the Teams user ids (Entra ID object ids).</summary>
    public static EngineIdComparer OrdinalIgnoreCase { get; } = new(ignoreCase: true);

    /// <inheritdoc />
    public bool Equals(string? x, string? y) =>
        _ignoreCase ? string.Equals(x, y, StringComparison.OrdinalIgnoreCase) : string.Equals(x, y);

    /// <inheritdoc />
    public int GetHashCode(string obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        if (obj.Length < Sample)
        {
            return _ignoreCase ? StringComparer.OrdinalIgnoreCase.GetHashCode(obj) : StringComparer.Ordinal.GetHashCode(obj);
        }

        // Four characters per load: the first eight and the last eight (overlapping for ids shorter than 16).
        ref var start = ref Unsafe.As<char, byte>(ref MemoryMarshal.GetReference(obj.AsSpan()));
        var tail = (obj.Length - Sample) * sizeof(char);
        var a = Unsafe.ReadUnaligned<ulong>(ref start);
        var b = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref start, 4 * sizeof(char)));
        var c = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref start, tail));
        var d = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref start, tail + (4 * sizeof(char))));
        if (_ignoreCase)
        {
            if (((a | b | c | d) & NonAscii) != 0)
            {
                return StringComparer.OrdinalIgnoreCase.GetHashCode(obj);
            }

            a |= AsciiLower;
            b |= AsciiLower;
            c |= AsciiLower;
            d |= AsciiLower;
        }

        // Each 64-bit sample mixed whole (HashCode.Combine would fold each to 32 bits first, and XOR of the two halves
        // of a sample of hex digits leaves few distinct values).
        var hash = Mix(Mix(Mix(Mix((ulong)obj.Length, a), b), c), d);
        return (int)(hash ^ (hash >> 32));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Mix(ulong hash, ulong value) =>
        BitOperations.RotateLeft(hash ^ (value * 0x9E37_79B9_7F4A_7C15), 27) * 0xC2B2_AE3D_27D4_EB4F;
}
