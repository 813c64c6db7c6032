using System.Diagnostics.CodeAnalysis;

namespace Webex.TeamsConnector;

/// <summary>
/// E.164 phone numbers (<c>^\+[1-9]\d{1,14}$</c>): validation, and normalisation of business phones as people
/// type them (spaces, tabs, dashes, dots, parentheses, a <c>tel:</c> prefix, a leading <c>00</c>, a <c>(0)</c> trunk prefix).
/// </summary>
public static class E164
{
    /// <summary>The most digits an E.164 number has.</summary>
    public const int MaxDigits = 15;

    /// <summary>Whether the text is already a strict E.164 number.</summary>
    /// <param name="value">The text.</param>
    /// <returns><see langword="true"/> for <c>+</c> followed by 2 to 15 digits, the first not 0.</returns>
    public static bool IsValid([NotNullWhen(true)] string? value)
    {
        if (value is null || value.Length < 3 || value.Length > MaxDigits + 1 || value[0] != '+' || value[1] is < '1' or > '9')
        {
            return false;
        }

        for (var i = 2; i < value.Length; i++)
        {
            if (!char.IsAsciiDigit(value[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Normalises a phone number to E.164. Removes spaces, tabs, dashes, dots, slashes and parentheses, and a
    /// <c>tel:</c> prefix (any case, with blanks around it). Drops a national trunk prefix written as <c>(0)</c> right
    /// after the country code (<c>+44 (0) 20 7946 0958</c> is <c>+442079460958</c>); a <c>(0)</c> anywhere else is
    /// refused, since it cannot be told apart from a digit of the number.
    /// </summary>
    /// <remarks>
    /// A leading <c>00</c> is read as the international call prefix that most countries use and becomes <c>+</c>
    /// (<c>0044 20 7946 0958</c> is <c>+442079460958</c>). Other international prefixes (such as <c>011</c>) and
    /// national numbers are refused, because their country cannot be known. Numbers with letters or an extension, or
    /// of the wrong length, are refused too.
    /// </remarks>
    /// <param name="input">The number as written.</param>
    /// <param name="normalized">The E.164 number.</param>
    /// <returns><see langword="true"/> when the input is an international number.</returns>
    public static bool TryNormalize(string? input, [NotNullWhen(true)] out string? normalized)
    {
        normalized = null;
        if (string.IsNullOrWhiteSpace(input) || input.Length > 64)
        {
            return false;
        }

        var span = input.AsSpan().Trim();
        if (span.StartsWith("tel:", StringComparison.OrdinalIgnoreCase))
        {
            span = span[4..].TrimStart();
        }

        Span<char> digits = stackalloc char[MaxDigits + 1];
        var count = 0;
        var plus = false;
        var trunkDropped = false;
        for (var i = 0; i < span.Length; i++)
        {
            var c = span[i];
            if (c == '+' && count == 0 && !plus)
            {
                plus = true;
            }
            else if (c == '(' && span[i..].StartsWith("(0)", StringComparison.Ordinal))
            {
                // "(0)": the national trunk prefix, dropped only right after a country code of 1 to 3 digits.
                var countryDigits = plus ? count : count - 2;
                if (trunkDropped || countryDigits is < 1 or > 3 || (!plus && (count < 2 || digits[0] != '0' || digits[1] != '0')))
                {
                    return false;
                }

                trunkDropped = true;
                i += 2;
            }
            else if (char.IsAsciiDigit(c))
            {
                if (count == MaxDigits + 1)
                {
                    return false;
                }

                digits[count++] = c;
            }
            else if (c is not (' ' or '\t' or '-' or '.' or '(' or ')' or '/' or '\u00A0'))
            {
                return false;
            }
        }

        var number = digits[..count];
        if (!plus)
        {
            if (count < 2 || number[0] != '0' || number[1] != '0')
            {
                return false;
            }

            number = number[2..];
        }

        if (number.Length < 2 || number.Length > MaxDigits || number[0] == '0')
        {
            return false;
        }

        normalized = string.Concat("+", number);
        return true;
    }

    /// <summary>Normalises a phone number to E.164, or throws.</summary>
    /// <param name="input">The number as written.</param>
    /// <returns>The E.164 number.</returns>
    /// <exception cref="FormatException">The input is not an international phone number.</exception>
    public static string Normalize(string? input) =>
        TryNormalize(input, out var normalized)
            ? normalized
            : throw new FormatException("The phone number is not an international number that can be written in E.164 (+ country code and 2 to 15 digits).");
}
