using System.Text;

namespace PingActors.Node.Configuration;

/// <summary>A syntax problem in one HOCON text: where, under which key, what was expected and what was found.</summary>
public sealed class HoconSyntaxException(int line, string? key, string expected, string got)
    : Exception($"line {line}: {key}: expected {expected}, got {got}")
{
    public int Line { get; } = line;

    public string? Key { get; } = key;

    public string Expected { get; } = expected;

    public string Got { get; } = got;
}

/// <summary>
/// Checks the structure of a HOCON text and substitutes environment variables, before Akka's parser sees it.
/// Akka's parser silently accepts an unclosed <c>{</c>, a stray <c>}</c> or a key with no value (the node
/// would start on half a config), and it has no environment lookup: <c>${?VAR}</c> comes back as an empty
/// object. So this does what HOCON specifies for substitutions that name no key of the same text:
/// <c>${VAR}</c> and <c>${?VAR}</c> take the variable's value as a string; an unset <c>${?VAR}</c> that is
/// a field's whole value leaves the field out (the earlier file or reference.conf value stays), inside a
/// longer value it is an empty string; an unset <c>${VAR}</c> is an error. Substitutions that name a key of
/// the same text are left to Akka. It is deliberately lenient about everything Akka handles correctly.
/// </summary>
public static class HoconSyntax
{
    private enum Kind
    {
        Newline,
        Comma,
        OpenBrace,
        CloseBrace,
        OpenBracket,
        CloseBracket,
        Separator,
        Unquoted,
        Quoted,
        Substitution,
        End,
    }

    /// <summary>Returns <paramref name="text"/> with environment substitutions applied; throws <see cref="HoconSyntaxException"/> if it is not valid HOCON.</summary>
    public static string Prepare(string text, Func<string, string?> environment)
    {
        var parser = new Parser(Lex(text));
        parser.ParseDocument();

        var edits = new List<(int Start, int End, string Replacement)>();
        foreach (var use in parser.Substitutions)
        {
            var token = use.Token;
            if (parser.DefinedPaths.Contains(token.Text))
            {
                continue;
            }

            var value = environment(token.Text);
            if (value is not null)
            {
                edits.Add((token.Start, token.End, HoconString.Quote(value)));
            }
            else if (!token.Optional)
            {
                throw new HoconSyntaxException(token.Line, use.Key, $"the environment variable {token.Text} to be set (write ${{?{token.Text}}} to make it optional)", "nothing");
            }
            else if (use.WholeSpan is var (start, end))
            {
                edits.Add((start, end, string.Empty));
            }
            else
            {
                // Inside a concatenation: the empty string, i.e. nothing. (A literal "" could run into a
                // neighbouring quote and open a """ string.)
                edits.Add((token.Start, token.End, string.Empty));
            }
        }

        if (edits.Count == 0)
        {
            return text;
        }

        var result = new StringBuilder(text.Length);
        var at = 0;
        foreach (var (start, end, replacement) in edits.OrderBy(e => e.Start))
        {
            if (start < at)
            {
                continue;
            }

            result.Append(text, at, start - at).Append(replacement);
            at = end;
        }

        return result.Append(text, at, text.Length - at).ToString();
    }

    private sealed record Token(Kind Kind, int Start, int End, int Line, string Text, bool Optional = false)
    {
        public string Describe() => Kind switch
        {
            Kind.Newline => "end of line",
            Kind.End => "end of file",
            Kind.Unquoted => $"\"{Text}\"",
            Kind.Quoted => "a quoted string",
            Kind.Substitution => "a substitution",
            _ => $"'{Text}'",
        };
    }

    private sealed record SubstitutionUse(Token Token, string? Key, (int Start, int End)? WholeSpan);

    private static List<Token> Lex(string text)
    {
        var tokens = new List<Token>();
        var line = 1;
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (c == '\n')
            {
                tokens.Add(new Token(Kind.Newline, i, i + 1, line, "\\n"));
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
                    ',' => Kind.Comma,
                    '{' => Kind.OpenBrace,
                    '}' => Kind.CloseBrace,
                    '[' => Kind.OpenBracket,
                    ']' => Kind.CloseBracket,
                    _ => Kind.Separator,
                };
                tokens.Add(new Token(kind, i, i + 1, line, c.ToString()));
                i++;
            }
            else if (At(text, i, "+="))
            {
                tokens.Add(new Token(Kind.Separator, i, i + 2, line, "+="));
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

                tokens.Add(new Token(Kind.Quoted, i, end, line, text[(i + 3)..(end - 3)]));
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

                tokens.Add(new Token(Kind.Quoted, i, j + 1, line, value.ToString()));
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

                tokens.Add(new Token(Kind.Substitution, i, close + 1, line, path, optional));
                i = close + 1;
            }
            else
            {
                var start = i;
                while (i < text.Length && !EndsUnquoted(text, i))
                {
                    i++;
                }

                tokens.Add(new Token(Kind.Unquoted, start, i, line, text[start..i]));
            }
        }

        tokens.Add(new Token(Kind.End, text.Length, text.Length, line, string.Empty));
        return tokens;
    }

    private static bool At(string text, int i, string what) => string.CompareOrdinal(text, i, what, 0, what.Length) == 0;

    private static bool EndsUnquoted(string text, int i)
    {
        var c = text[i];
        return char.IsWhiteSpace(c) || c is ',' or '{' or '}' or '[' or ']' or '=' or ':' or '"' or '#'
            || At(text, i, "//") || At(text, i, "${") || At(text, i, "+=");
    }

    private sealed class Parser(List<Token> tokens)
    {
        private int _at;

        public HashSet<string> DefinedPaths { get; } = new(StringComparer.Ordinal);

        public List<SubstitutionUse> Substitutions { get; } = [];

        private Token Current => tokens[_at];

        public void ParseDocument()
        {
            SkipNewlines();
            if (Current.Kind == Kind.OpenBrace)
            {
                var open = Next();
                ParseObjectBody([], open);
                SkipNewlines();
                if (Current.Kind != Kind.End)
                {
                    throw Problem(Current, null, "end of file after the closing '}'");
                }

                return;
            }

            ParseObjectBody([], null);
        }

        // Fields separated by newlines or commas, up to the '}' matching `open` (or the end of the text at the root).
        private void ParseObjectBody(List<string> path, Token? open)
        {
            while (true)
            {
                while (Current.Kind is Kind.Newline or Kind.Comma)
                {
                    _at++;
                }

                switch (Current.Kind)
                {
                    case Kind.End when open is null:
                        return;
                    case Kind.End:
                        throw Problem(Current, Join(path), $"'}}' closing the object opened on line {open.Line}");
                    case Kind.CloseBrace when open is not null:
                        _at++;
                        return;
                    case Kind.CloseBrace:
                        throw Problem(Current, null, "a key (this '}' closes no object)");
                    case Kind.Unquoted when Current.Text == "include" && tokens[_at + 1].Kind is Kind.Quoted or Kind.Unquoted:
                        SkipToEndOfLine();
                        continue;
                }

                ParseField(path);
            }
        }

        private void ParseField(List<string> path)
        {
            var keyStart = Current;
            var key = new List<string>();
            string[] firstWord = [];
            Token? previous = null;
            while (Current.Kind is Kind.Unquoted or Kind.Quoted)
            {
                var token = Next();
                var parts = token.Kind == Kind.Quoted ? [token.Text] : token.Text.Split('.');
                if (previous is null)
                {
                    firstWord = parts.Where(p => p.Length > 0).ToArray();
                }

                if (previous is not null && previous.End != token.Start && key.Count > 0)
                {
                    // Whitespace inside a key is part of it: `a b = 1` is the key "a b".
                    key[^1] += " " + parts[0];
                    parts = parts[1..];
                }

                key.AddRange(parts.Where(p => p.Length > 0));
                previous = token;
            }

            if (key.Count == 0)
            {
                throw Problem(Current, path.Count > 0 ? Join(path) : null, "a key");
            }

            var full = new List<string>(path);
            full.AddRange(key);
            for (var n = 1; n <= full.Count; n++)
            {
                DefinedPaths.Add(string.Join('.', full.Take(n)));
            }

            var fullKey = Join(full);
            switch (Current.Kind)
            {
                case Kind.OpenBrace:
                    break;
                case Kind.Separator:
                    _at++;
                    if (Current.Kind is Kind.Newline or Kind.End or Kind.Comma or Kind.CloseBrace or Kind.CloseBracket)
                    {
                        throw Problem(Current, fullKey, "a value after '=' on the same line");
                    }

                    break;
                default:
                    // `key value` is most likely a missing '=': name the key as the first word.
                    throw Problem(Current, Join([.. path, .. firstWord]) ?? fullKey, "'=', ':' or '{' after the key");
            }

            var valueStart = _at;
            ParseValue(full, Kind.CloseBrace);
            if (_at - valueStart == 1 && tokens[valueStart] is { Kind: Kind.Substitution } only)
            {
                // The field is `key = ${...}` and nothing else: an unset optional variable drops it whole.
                var end = Current.Kind == Kind.Comma ? Current.End : only.End;
                Substitutions[^1] = new SubstitutionUse(only, fullKey, (keyStart.Start, end));
            }
        }

        // Parts of one value on one line (a concatenation), up to a newline, a comma or the closing bracket.
        private void ParseValue(List<string> path, Kind closing)
        {
            var parts = 0;
            while (true)
            {
                switch (Current.Kind)
                {
                    case Kind.Unquoted or Kind.Quoted:
                        _at++;
                        break;
                    case Kind.Substitution:
                        Substitutions.Add(new SubstitutionUse(Current, Join(path), null));
                        _at++;
                        break;
                    case Kind.OpenBrace:
                        ParseObjectBody(path, Next());
                        break;
                    case Kind.OpenBracket:
                        ParseList(path, Next());
                        break;
                    case Kind.Newline or Kind.Comma or Kind.End:
                        return;
                    case var k when k == closing:
                        return;
                    default:
                        throw Problem(
                            Current,
                            Join(path),
                            parts == 0 ? "a value" : "a new line or ',' after the value (quote a value that contains ':' or '=', e.g. \"127.0.0.1:8080\")");
                }

                parts++;
            }
        }

        private void ParseList(List<string> path, Token open)
        {
            while (true)
            {
                while (Current.Kind is Kind.Newline or Kind.Comma)
                {
                    _at++;
                }

                switch (Current.Kind)
                {
                    case Kind.CloseBracket:
                        _at++;
                        return;
                    case Kind.End:
                        throw Problem(Current, Join(path), $"']' closing the list opened on line {open.Line}");
                }

                var elementStart = _at;
                ParseValue(path, Kind.CloseBracket);
                if (_at - elementStart == 1 && tokens[elementStart] is { Kind: Kind.Substitution } only)
                {
                    // A list element that is only an unset optional variable is left out, with its comma.
                    var end = Current.Kind == Kind.Comma ? Current.End : only.End;
                    Substitutions[^1] = new SubstitutionUse(only, Join(path), (only.Start, end));
                }
            }
        }

        private Token Next() => tokens[_at++];

        private void SkipNewlines()
        {
            while (Current.Kind == Kind.Newline)
            {
                _at++;
            }
        }

        private void SkipToEndOfLine()
        {
            while (Current.Kind is not (Kind.Newline or Kind.End))
            {
                _at++;
            }
        }

        private static string? Join(List<string> path) => path.Count == 0 ? null : string.Join('.', path);

        private static HoconSyntaxException Problem(Token at, string? key, string expected) => new(at.Line, key, expected, at.Describe());
    }
}
