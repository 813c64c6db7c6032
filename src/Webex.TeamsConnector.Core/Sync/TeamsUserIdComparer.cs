using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Webex.TeamsConnector;

/// <summary>
/// Compares Teams user ids (Entra object ids, GUIDs in text) ignoring case, as <see cref="StringComparer.OrdinalIgnoreCase"/>
/// does, with a hash of their first and last eight characters read as two vectors: the engine's lookup of every Teams
/// presence, without a pass over all 36 characters.
/// </summary>
/// <remarks>
/// Strings equal under <see cref="StringComparer.OrdinalIgnoreCase"/> must hash equal. That comparison relates ASCII
/// letters to ASCII letters only (it keeps dotless i and long s apart from I and S), so ASCII letters hash in lower
/// case, every character from U+0080 up as one value, and the rest as themselves: every hex digit of a GUID stays
/// distinct. Ids shorter than 16 characters use <see cref="StringComparer.OrdinalIgnoreCase"/>'s hash. Not randomized:
/// the ids come from Graph and the roster, not from callers who could choose colliding ones.
/// </remarks>
internal sealed class TeamsUserIdComparer : IEqualityComparer<string>
{
    public static TeamsUserIdComparer Instance { get; } = new();

    private TeamsUserIdComparer()
    {
    }

    public bool Equals(string? x, string? y) => string.Equals(x, y, StringComparison.OrdinalIgnoreCase);

    public int GetHashCode(string obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        if (obj.Length < 16 || !Vector128.IsHardwareAccelerated)
        {
            return StringComparer.OrdinalIgnoreCase.GetHashCode(obj);
        }

        ref var first = ref Unsafe.As<char, ushort>(ref MemoryMarshal.GetReference(obj.AsSpan()));
        var head = Fold(Vector128.LoadUnsafe(ref first));
        var tail = Fold(Vector128.LoadUnsafe(ref first, (nuint)(obj.Length - 8)));
        var a = head.AsUInt64();
        var b = tail.AsUInt64();
        var h = (a.GetElement(0) * 0x9E3779B97F4A7C15UL) ^ (a.GetElement(1) + (ulong)obj.Length);
        h = (h * 0xC2B2AE3D27D4EB4FUL) ^ b.GetElement(0);
        h = (h * 0x165667B19E3779F9UL) ^ b.GetElement(1);
        h ^= h >> 31;
        h *= 0x9E3779B97F4A7C15UL;
        return (int)(h >> 32) ^ (int)h;
    }

    /// <summary>ASCII letters to lower case, every character from U+0080 up to '?', the rest as it is.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<ushort> Fold(Vector128<ushort> chars)
    {
        var lower = chars | Vector128.Create((ushort)0x20);
        var letter = Vector128.LessThanOrEqual(lower - Vector128.Create((ushort)'a'), Vector128.Create((ushort)('z' - 'a')));
        var folded = Vector128.ConditionalSelect(letter, lower, chars);
        var wide = Vector128.GreaterThanOrEqual(chars, Vector128.Create((ushort)0x80));
        return Vector128.ConditionalSelect(wide, Vector128.Create((ushort)'?'), folded);
    }
}
