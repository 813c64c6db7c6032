using System.Runtime.CompilerServices;

namespace Webex.TeamsConnector;

/// <summary>
/// The last Graph <c>sequenceNumber</c> a machine applied, compared ordinally with the next one. Up to
/// <see cref="InlineCapacity"/> characters are kept inside the machine: comparing reads no other object (the string
/// the previous presence came in is usually long out of the cache), and storing keeps no reference to a short-lived
/// string (no GC write barrier, nothing promoted). A longer stamp is kept as its string.
/// </summary>
internal struct SequenceStamp
{
    /// <summary>How many characters are kept inline (Graph's stamps are about ten).</summary>
    public const int InlineCapacity = 16;

    private InlineChars _chars;
    private string? _long;
    private byte _length;
    private bool _isSet;

    /// <summary>Whether a stamp was applied.</summary>
    public readonly bool IsSet => _isSet;

    /// <summary>
    /// Compares <paramref name="next"/> with the stamp as <see cref="string.CompareOrdinal(string, string)"/> would
    /// (only the sign counts).
    /// </summary>
    public readonly int CompareFrom(string next) => _long is { } stored
        ? string.CompareOrdinal(next, stored)
        : next.AsSpan().SequenceCompareTo(((ReadOnlySpan<char>)_chars)[.._length]);

    /// <summary>Keeps <paramref name="value"/> as the last stamp applied.</summary>
    public void Set(string value)
    {
        _isSet = true;
        if (value.Length <= InlineCapacity)
        {
            value.CopyTo(_chars);
            _length = (byte)value.Length;
            if (_long is not null)
            {
                _long = null;
            }
        }
        else
        {
            _long = value;
        }
    }

    [InlineArray(InlineCapacity)]
    private struct InlineChars
    {
        private char _element;
    }
}
