using System.Diagnostics.CodeAnalysis;

namespace Webex.TeamsConnector;

/// <summary>
/// E.164 phone numbers (<c>^\+[1-9]\d{1,14}$</c>): validation, and normalisation of business phones as people
/// type them (spaces, dashes, dots, parentheses, a <c>tel:</c> prefix, a leading <c>00</c>).
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
    /// Normalises a phone number to E.164: removes spaces, dashes, dots, slashes and parentheses and a <c>tel:</c>
    /// prefix, and turns a leading international <c>00</c> into <c>+</c>. Numbers without a country code, with letters
    /// or an extension, or of the wrong length are refused.
    /// </summary>
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
            span = span[4..];
        }

        Span<char> digits = stackalloc char[MaxDigits + 1];
        var count = 0;
        var plus = false;
        for (var i = 0; i < span.Length; i++)
        {
            var c = span[i];
            if (c == '+' && count == 0 && !plus)
            {
                plus = true;
            }
            else if (char.IsAsciiDigit(c))
            {
                if (count == MaxDigits + 1)
                {
                    return false;
                }

                digits[count++] = c;
            }
            else if (c is not (' ' or '-' or '.' or '(' or ')' or '/' or '\u00A0'))
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
