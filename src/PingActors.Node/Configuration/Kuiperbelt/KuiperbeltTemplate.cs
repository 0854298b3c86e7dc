using System.Text;

namespace PingActors.Node.Configuration.Kuiperbelt;

/// <summary>
/// The template language kuiperbelt runs its file through before reading the YAML (Go text/template with the
/// functions of kayac/go-config v0.0.1), cut down to what its configs use: <c>{{ env "NAME" "default" }}</c>
/// and <c>{{ must_env "NAME" }}</c>, with string literals only (and Go's <c>{{-</c> / <c>-}}</c> trimming).
/// Anything else between the braces is an error naming the line, rather than text passed on to the YAML,
/// so a template feature we lack never turns into a silently wrong value.
/// </summary>
internal static class KuiperbeltTemplate
{
    private const string Expected = "{{ env \"NAME\" \"default\" }} or {{ must_env \"NAME\" }}";

    public static string Expand(string text, string file, Func<string, string?> environment)
    {
        var output = new StringBuilder(text.Length);
        var at = 0;
        while (true)
        {
            var open = text.IndexOf("{{", at, StringComparison.Ordinal);
            if (open < 0)
            {
                output.Append(text, at, text.Length - at);
                return output.ToString();
            }

            var line = LineOf(text, open);
            var close = text.IndexOf("}}", open + 2, StringComparison.Ordinal);
            if (close < 0)
            {
                throw new ConfigException($"{file}:{line}: expected }}}} to close the {{{{ opened on this line, got the end of the file");
            }

            output.Append(text, at, open - at);
            var action = text[(open + 2)..close];
            at = close + 2;

            // As in Go, "{{- " drops the whitespace before the action and " -}}" the whitespace after it.
            if (action.Length >= 2 && action[0] == '-' && char.IsWhiteSpace(action[1]))
            {
                TrimEnd(output);
                action = action[1..];
            }

            if (action.Length >= 2 && action[^1] == '-' && char.IsWhiteSpace(action[^2]))
            {
                action = action[..^1];
                while (at < text.Length && char.IsWhiteSpace(text[at]))
                {
                    at++;
                }
            }

            output.Append(Evaluate(action, $"{file}:{line}", environment));
        }
    }

    private static string Evaluate(string action, string where, Func<string, string?> environment)
    {
        var words = Words(action, where);
        var function = words.Count > 0 && words[0].IsName ? words[0].Text : null;
        var arguments = words.Skip(1).ToList();
        if (function is null || arguments.Any(a => a.IsName))
        {
            throw new ConfigException($"{where}: expected {Expected}, got {{{{{action}}}}}");
        }

        switch (function, arguments.Count)
        {
            case ("env", > 0):
                // go-config's env: the first argument naming a non-empty variable, else the last argument itself.
                foreach (var name in arguments)
                {
                    if (environment(name.Text) is { Length: > 0 } value)
                    {
                        return value;
                    }
                }

                return arguments[^1].Text;
            case ("must_env", 1):
                return environment(arguments[0].Text)
                    ?? throw new ConfigException($"{where}: must_env: expected the environment variable {arguments[0].Text} to be set, got it unset");
            default:
                throw new ConfigException($"{where}: expected {Expected}, got {{{{{action}}}}}");
        }
    }

    private readonly record struct Word(string Text, bool IsName);

    private static List<Word> Words(string action, string where)
    {
        var words = new List<Word>();
        var i = 0;
        while (i < action.Length)
        {
            var c = action[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c is '"' or '`')
            {
                words.Add(new Word(StringLiteral(action, ref i, where), IsName: false));
            }
            else if (char.IsAsciiLetter(c) || c == '_')
            {
                var start = i;
                while (i < action.Length && (char.IsAsciiLetterOrDigit(action[i]) || action[i] == '_'))
                {
                    i++;
                }

                words.Add(new Word(action[start..i], IsName: true));
            }
            else
            {
                throw new ConfigException($"{where}: expected {Expected}, got {{{{{action}}}}}");
            }
        }

        return words;
    }

    // Go's "..." (with the usual escapes) and `...` (raw, no escapes).
    private static string StringLiteral(string action, ref int i, string where)
    {
        var quote = action[i++];
        var value = new StringBuilder();
        while (i < action.Length && action[i] != quote)
        {
            var c = action[i++];
            if (c == '\\' && quote == '"' && i < action.Length)
            {
                c = action[i++] switch
                {
                    '\\' => '\\',
                    '"' => '"',
                    'n' => '\n',
                    't' => '\t',
                    'r' => '\r',
                    var other => throw new ConfigException($"{where}: expected a string escape \\\\, \\\", \\n, \\t or \\r, got \\{other}"),
                };
            }

            value.Append(c);
        }

        if (i >= action.Length)
        {
            throw new ConfigException($"{where}: expected a closing {quote} for the string in {{{{{action}}}}}, got none");
        }

        i++;
        return value.ToString();
    }

    private static int LineOf(string text, int index)
    {
        var line = 1;
        for (var i = 0; i < index; i++)
        {
            if (text[i] == '\n')
            {
                line++;
            }
        }

        return line;
    }

    private static void TrimEnd(StringBuilder output)
    {
        var end = output.Length;
        while (end > 0 && char.IsWhiteSpace(output[end - 1]))
        {
            end--;
        }

        output.Length = end;
    }
}
