using System.Text;

namespace Webex.TeamsConnector.Testing;

/// <summary>
/// The subset of OData <c>$filter</c> and Graph <c>$search</c> the emulator understands for users and for
/// presence subscription resources: <c>eq</c>, <c>ne</c>, <c>startswith(field,'x')</c>, <c>field in ('a','b')</c>,
/// <c>and</c>, <c>or</c>, <c>not</c> and parentheses; <c>$search</c> clauses <c>"field:words"</c> joined by AND / OR.
/// </summary>
internal static class UserQuery
{
    private static readonly string[] s_filterFields = ["id", "displayName", "department", "jobTitle", "mail", "userPrincipalName"];
    private static readonly string[] s_searchFields = ["displayName", "mail", "userPrincipalName", "jobTitle", "department"];

    internal delegate bool Predicate(Func<string, string?> field);

    public static bool TryParseFilter(string text, out Predicate predicate, out string error)
    {
        predicate = static _ => true;
        error = string.Empty;
        try
        {
            var parser = new FilterParser(Tokenize(text));
            predicate = parser.ParseExpression();
            if (!parser.AtEnd)
            {
                throw new FormatException("Unexpected text after the filter expression.");
            }

            return true;
        }
        catch (FormatException ex)
        {
            error = "Invalid filter clause: " + ex.Message;
            return false;
        }
    }

    /// <summary>Parses <c>"displayName:ann lee" AND "department:tax"</c>.</summary>
    public static bool TryParseSearch(string text, out Predicate predicate, out string error)
    {
        predicate = static _ => true;
        error = string.Empty;
        var clauses = new List<(string Field, string[] Words)>();
        var joins = new List<bool>(); // true = AND
        var i = 0;
        while (true)
        {
            while (i < text.Length && text[i] == ' ')
            {
                i++;
            }

            if (i >= text.Length || text[i] != '"')
            {
                error = "Syntax error: $search clauses must be quoted, as in \"displayName:ann\".";
                return false;
            }

            var end = text.IndexOf('"', i + 1);
            if (end < 0)
            {
                error = "Syntax error: unterminated quote in $search.";
                return false;
            }

            var clause = text[(i + 1)..end];
            var colon = clause.IndexOf(':', StringComparison.Ordinal);
            var field = colon > 0 ? clause[..colon].Trim() : string.Empty;
            if (colon <= 0 || Array.FindIndex(s_searchFields, f => f.Equals(field, StringComparison.OrdinalIgnoreCase)) < 0)
            {
                error = $"Unsupported $search property in '{clause}'.";
                return false;
            }

            clauses.Add((field, Words(clause[(colon + 1)..])));
            i = end + 1;
            while (i < text.Length && text[i] == ' ')
            {
                i++;
            }

            if (i >= text.Length)
            {
                break;
            }

            if (text.AsSpan(i).StartsWith("AND ", StringComparison.Ordinal))
            {
                joins.Add(true);
                i += 4;
            }
            else if (text.AsSpan(i).StartsWith("OR ", StringComparison.Ordinal))
            {
                joins.Add(false);
                i += 3;
            }
            else
            {
                error = "Syntax error: $search clauses are joined by AND or OR.";
                return false;
            }
        }

        predicate = get =>
        {
            var result = Matches(get, clauses[0]);
            for (var k = 1; k < clauses.Count; k++)
            {
                result = joins[k - 1] ? result && Matches(get, clauses[k]) : result || Matches(get, clauses[k]);
            }

            return result;
        };
        return true;

        static bool Matches(Func<string, string?> get, (string Field, string[] Words) clause)
        {
            var value = Words(get(clause.Field) ?? string.Empty);
            foreach (var word in clause.Words)
            {
                if (!Array.Exists(value, v => v.StartsWith(word, StringComparison.OrdinalIgnoreCase)))
                {
                    return false;
                }
            }

            return clause.Words.Length > 0;
        }
    }

    private static string[] Words(string text) =>
        text.Split([' ', '.', '-', '_', '@', ',', '(', ')', '/'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static List<string> Tokenize(string text)
    {
        var tokens = new List<string>();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c is '(' or ')' or ',')
            {
                tokens.Add(c.ToString());
                i++;
            }
            else if (c == '\'')
            {
                var sb = new StringBuilder("'");
                i++;
                while (true)
                {
                    if (i >= text.Length)
                    {
                        throw new FormatException("Unterminated string literal.");
                    }

                    if (text[i] == '\'')
                    {
                        if (i + 1 < text.Length && text[i + 1] == '\'')
                        {
                            sb.Append('\'');
                            i += 2;
                            continue;
                        }

                        i++;
                        break;
                    }

                    sb.Append(text[i++]);
                }

                tokens.Add(sb.ToString());
            }
            else
            {
                var start = i;
                while (i < text.Length && !char.IsWhiteSpace(text[i]) && text[i] is not ('(' or ')' or ',' or '\''))
                {
                    i++;
                }

                tokens.Add(text[start..i]);
            }
        }

        return tokens;
    }

    private sealed class FilterParser(List<string> tokens)
    {
        private int _position;

        public bool AtEnd => _position >= tokens.Count;

        public Predicate ParseExpression()
        {
            var left = ParseAnd();
            while (Accept("or"))
            {
                var l = left;
                var r = ParseAnd();
                left = get => l(get) || r(get);
            }

            return left;
        }

        private Predicate ParseAnd()
        {
            var left = ParseUnary();
            while (Accept("and"))
            {
                var l = left;
                var r = ParseUnary();
                left = get => l(get) && r(get);
            }

            return left;
        }

        private Predicate ParseUnary()
        {
            if (Accept("not"))
            {
                var inner = ParseUnary();
                return get => !inner(get);
            }

            if (Accept("("))
            {
                var inner = ParseExpression();
                Expect(")");
                return inner;
            }

            if (Accept("startswith"))
            {
                Expect("(");
                var field = Field();
                Expect(",");
                var prefix = Literal();
                Expect(")");
                return get => get(field)?.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) == true;
            }

            var name = Field();
            if (Accept("eq"))
            {
                var value = Literal();
                return get => string.Equals(get(name), value, StringComparison.OrdinalIgnoreCase);
            }

            if (Accept("ne"))
            {
                var value = Literal();
                return get => !string.Equals(get(name), value, StringComparison.OrdinalIgnoreCase);
            }

            if (Accept("in"))
            {
                Expect("(");
                var values = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { Literal() };
                while (Accept(","))
                {
                    values.Add(Literal());
                }

                Expect(")");
                return get => get(name) is { } v && values.Contains(v);
            }

            throw new FormatException($"Unsupported operator after '{name}'.");
        }

        private string Field()
        {
            var token = Next();
            var index = Array.FindIndex(s_filterFields, f => f.Equals(token, StringComparison.OrdinalIgnoreCase));
            return index >= 0 ? s_filterFields[index] : throw new FormatException($"Unsupported property '{token}'.");
        }

        private string Literal()
        {
            var token = Next();
            return token.StartsWith('\'') ? token[1..] : throw new FormatException($"Expected a string literal, found '{token}'.");
        }

        private string Next() => _position < tokens.Count ? tokens[_position++] : throw new FormatException("Unexpected end of the filter.");

        private bool Accept(string token)
        {
            if (_position < tokens.Count && !tokens[_position].StartsWith('\'') && tokens[_position].Equals(token, StringComparison.OrdinalIgnoreCase))
            {
                _position++;
                return true;
            }

            return false;
        }

        private void Expect(string token)
        {
            if (!Accept(token))
            {
                throw new FormatException($"Expected '{token}'.");
            }
        }
    }
}
