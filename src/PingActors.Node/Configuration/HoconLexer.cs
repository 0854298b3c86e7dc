using System.Text;

namespace PingActors.Node.Configuration;

/// <summary>Splits a HOCON text into tokens; a string or substitution left open is reported here, with its line.</summary>
internal static class HoconLexer
{
    public static List<HoconToken> Lex(string text)
    {
        var tokens = new List<HoconToken>();
        var line = 1;
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (c == '\n')
            {
                tokens.Add(new HoconToken(HoconTokenKind.Newline, i, i + 1, line, "\\n"));
                line++;
                i++;
            }
            else if (char.IsWhiteSpace(c) || c == '\uFEFF')
            {
                i++;
            }
            else if (c == '#' || (c == '/' && At(text, i, "//")))
            {
                while (i < text.Length && text[i] != '\n')
                {
                    i++;
                }
            }
            else if (c is ',' or '{' or '}' or '[' or ']' or '=' or ':')
            {
                var kind = c switch
                {
                    ',' => HoconTokenKind.Comma,
                    '{' => HoconTokenKind.OpenBrace,
                    '}' => HoconTokenKind.CloseBrace,
                    '[' => HoconTokenKind.OpenBracket,
                    ']' => HoconTokenKind.CloseBracket,
                    _ => HoconTokenKind.Separator,
                };
                tokens.Add(new HoconToken(kind, i, i + 1, line, c.ToString()));
                i++;
            }
            else if (At(text, i, "+="))
            {
                tokens.Add(new HoconToken(HoconTokenKind.Separator, i, i + 2, line, "+="));
                i += 2;
            }
            else if (At(text, i, "\"\"\""))
            {
                var close = text.IndexOf("\"\"\"", i + 3, StringComparison.Ordinal);
                if (close < 0)
                {
                    throw new HoconSyntaxException(line, null, "\"\"\" closing the multi-line string", "end of file");
                }

                // HOCON lets extra quotes end the string: """a"""" is a" .
                var end = close + 3;
                while (end < text.Length && text[end] == '"')
                {
                    end++;
                }

                tokens.Add(new HoconToken(HoconTokenKind.Quoted, i, end, line, text[(i + 3)..(end - 3)]));
                line += text.AsSpan(i, end - i).Count('\n');
                i = end;
            }
            else if (c == '"')
            {
                var j = i + 1;
                var value = new StringBuilder();
                while (true)
                {
                    if (j >= text.Length || text[j] == '\n')
                    {
                        throw new HoconSyntaxException(line, null, "'\"' closing the string on the same line", j >= text.Length ? "end of file" : "end of line");
                    }

                    if (text[j] == '\\' && j + 1 < text.Length && text[j + 1] != '\n')
                    {
                        value.Append(text[j + 1]);
                        j += 2;
                        continue;
                    }

                    if (text[j] == '"')
                    {
                        break;
                    }

                    value.Append(text[j++]);
                }

                tokens.Add(new HoconToken(HoconTokenKind.Quoted, i, j + 1, line, value.ToString()));
                i = j + 1;
            }
            else if (At(text, i, "${"))
            {
                var close = text.IndexOfAny(['}', '\n'], i + 2);
                if (close < 0 || text[close] != '}')
                {
                    throw new HoconSyntaxException(line, null, "'}' closing the substitution on the same line", close < 0 ? "end of file" : "end of line");
                }

                var inner = text[(i + 2)..close].Trim();
                var optional = inner.StartsWith('?');
                var path = (optional ? inner[1..] : inner).Trim().Trim('"');
                if (path.Length == 0)
                {
                    throw new HoconSyntaxException(line, null, "a name inside ${...}", "nothing");
                }

                tokens.Add(new HoconToken(HoconTokenKind.Substitution, i, close + 1, line, path, optional));
                i = close + 1;
            }
            else
            {
                var start = i;
                while (i < text.Length && !EndsUnquoted(text, i))
                {
                    i++;
                }

                tokens.Add(new HoconToken(HoconTokenKind.Unquoted, start, i, line, text[start..i]));
            }
        }

        tokens.Add(new HoconToken(HoconTokenKind.End, text.Length, text.Length, line, string.Empty));
        return tokens;
    }

    private static bool At(string text, int i, string what) => string.CompareOrdinal(text, i, what, 0, what.Length) == 0;

    private static bool EndsUnquoted(string text, int i)
    {
        var c = text[i];
        return char.IsWhiteSpace(c) || c is ',' or '{' or '}' or '[' or ']' or '=' or ':' or '"' or '#'
            || At(text, i, "//") || At(text, i, "${") || At(text, i, "+=");
    }
}
