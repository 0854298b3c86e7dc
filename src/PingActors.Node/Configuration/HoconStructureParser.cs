namespace PingActors.Node.Configuration;

/// <summary>
/// A substitution found in a value, and the key it belongs to. <c>WholeSpan</c> is set when the substitution is
/// the whole field or list element: the span an unset optional variable removes.
/// </summary>
internal sealed record HoconSubstitutionUse(HoconToken Token, string? Key, (int Start, int End)? WholeSpan);

/// <summary>
/// Walks the tokens to check the structure (braces, brackets, keys and values) and collects the defined key paths
/// and the substitutions, which <see cref="HoconSyntax.Prepare"/> then resolves.
/// </summary>
internal sealed class HoconStructureParser(List<HoconToken> tokens)
{
    private int _at;

    public HashSet<string> DefinedPaths { get; } = new(StringComparer.Ordinal);

    public List<HoconSubstitutionUse> Substitutions { get; } = [];

    private HoconToken Current => tokens[_at];

    public void ParseDocument()
    {
        SkipNewlines();
        if (Current.Kind == HoconTokenKind.OpenBrace)
        {
            var open = Next();
            ParseObjectBody([], open);
            SkipNewlines();
            if (Current.Kind != HoconTokenKind.End)
            {
                throw Problem(Current, null, "end of file after the closing '}'");
            }

            return;
        }

        ParseObjectBody([], null);
    }

    // Fields separated by newlines or commas, up to the '}' matching `open` (or the end of the text at the root).
    private void ParseObjectBody(List<string> path, HoconToken? open)
    {
        while (true)
        {
            while (Current.Kind is HoconTokenKind.Newline or HoconTokenKind.Comma)
            {
                _at++;
            }

            switch (Current.Kind)
            {
                case HoconTokenKind.End when open is null:
                    return;
                case HoconTokenKind.End:
                    throw Problem(Current, Join(path), $"'}}' closing the object opened on line {open.Line}");
                case HoconTokenKind.CloseBrace when open is not null:
                    _at++;
                    return;
                case HoconTokenKind.CloseBrace:
                    throw Problem(Current, null, "a key (this '}' closes no object)");
                case HoconTokenKind.Unquoted when Current.Text == "include" && tokens[_at + 1].Kind is HoconTokenKind.Quoted or HoconTokenKind.Unquoted:
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
        HoconToken? previous = null;
        while (Current.Kind is HoconTokenKind.Unquoted or HoconTokenKind.Quoted)
        {
            var token = Next();
            var parts = token.Kind == HoconTokenKind.Quoted ? [token.Text] : token.Text.Split('.');
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
            case HoconTokenKind.OpenBrace:
                break;
            case HoconTokenKind.Separator when Current.Text == "+=":
                // Akka's parser has no '+=': it would read a key ending in "+" and not extend anything.
                throw Problem(Current, fullKey, "'=' or ':' (Akka's HOCON parser does not support '+='; write the whole list)");
            case HoconTokenKind.Separator:
                _at++;
                if (Current.Kind is HoconTokenKind.Newline or HoconTokenKind.End or HoconTokenKind.Comma or HoconTokenKind.CloseBrace or HoconTokenKind.CloseBracket)
                {
                    throw Problem(Current, fullKey, "a value after '=' on the same line");
                }

                break;
            default:
                // `key value` is most likely a missing '=': name the key as the first word.
                throw Problem(Current, Join([.. path, .. firstWord]) ?? fullKey, "'=', ':' or '{' after the key");
        }

        var valueStart = _at;
        ParseValue(full, HoconTokenKind.CloseBrace);
        if (_at - valueStart == 1 && tokens[valueStart] is { Kind: HoconTokenKind.Substitution } only)
        {
            // The field is `key = ${...}` and nothing else: an unset optional variable drops it whole.
            var end = Current.Kind == HoconTokenKind.Comma ? Current.End : only.End;
            Substitutions[^1] = new HoconSubstitutionUse(only, fullKey, (keyStart.Start, end));
        }
    }

    // Parts of one value on one line (a concatenation), up to a newline, a comma or the closing bracket.
    private void ParseValue(List<string> path, HoconTokenKind closing)
    {
        var parts = 0;
        while (true)
        {
            switch (Current.Kind)
            {
                case HoconTokenKind.Unquoted or HoconTokenKind.Quoted:
                    _at++;
                    break;
                case HoconTokenKind.Substitution:
                    Substitutions.Add(new HoconSubstitutionUse(Current, Join(path), null));
                    _at++;
                    break;
                case HoconTokenKind.OpenBrace:
                    ParseObjectBody(path, Next());
                    break;
                case HoconTokenKind.OpenBracket:
                    ParseList(path, Next());
                    break;
                case HoconTokenKind.Newline or HoconTokenKind.Comma or HoconTokenKind.End:
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

    private void ParseList(List<string> path, HoconToken open)
    {
        while (true)
        {
            while (Current.Kind is HoconTokenKind.Newline or HoconTokenKind.Comma)
            {
                _at++;
            }

            switch (Current.Kind)
            {
                case HoconTokenKind.CloseBracket:
                    _at++;
                    return;
                case HoconTokenKind.End:
                    throw Problem(Current, Join(path), $"']' closing the list opened on line {open.Line}");
            }

            var elementStart = _at;
            ParseValue(path, HoconTokenKind.CloseBracket);
            if (_at - elementStart == 1 && tokens[elementStart] is { Kind: HoconTokenKind.Substitution } only)
            {
                // A list element that is only an unset optional variable is left out, with its comma.
                var end = Current.Kind == HoconTokenKind.Comma ? Current.End : only.End;
                Substitutions[^1] = new HoconSubstitutionUse(only, Join(path), (only.Start, end));
            }
        }
    }

    private HoconToken Next() => tokens[_at++];

    private void SkipNewlines()
    {
        while (Current.Kind == HoconTokenKind.Newline)
        {
            _at++;
        }
    }

    private void SkipToEndOfLine()
    {
        while (Current.Kind is not (HoconTokenKind.Newline or HoconTokenKind.End))
        {
            _at++;
        }
    }

    private static string? Join(List<string> path) => path.Count == 0 ? null : string.Join('.', path);

    private static HoconSyntaxException Problem(HoconToken at, string? key, string expected) => new(at.Line, key, expected, at.Describe());
}
