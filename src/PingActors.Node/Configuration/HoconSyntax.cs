using System.Text;

namespace PingActors.Node.Configuration;

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
    /// <summary>Returns <paramref name="text"/> with environment substitutions applied; throws <see cref="HoconSyntaxException"/> if it is not valid HOCON.</summary>
    public static string Prepare(string text, Func<string, string?> environment)
    {
        var parser = new HoconStructureParser(HoconLexer.Lex(text));
        parser.ParseDocument();

        RefuseCircularReferences(parser);
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

    // Akka's parser follows a substitution that leads back to the key it is in (`a = ${a} [1]`, or a = ${b}
    // with b = ${a}) until the stack overflows, which ends the process: refuse it here with its line and key.
    private static void RefuseCircularReferences(HoconStructureParser parser)
    {
        var references = parser.Substitutions
            .Where(u => u.Key is not null && parser.DefinedPaths.Contains(u.Token.Text))
            .ToList();
        foreach (var use in references)
        {
            var key = use.Key!;
            var target = use.Token.Text;
            if (Contains(target, key) || Leads(target, key, references, [target]))
            {
                throw new HoconSyntaxException(use.Token.Line, key, "a substitution that does not lead back to the key it is in (Akka's HOCON parser cannot resolve one)", "${" + target + "}");
            }
        }
    }

    // Whether the value of `from` (or anything inside it) refers, directly or through other keys, to `key`.
    private static bool Leads(string from, string key, List<HoconSubstitutionUse> references, HashSet<string> seen)
    {
        foreach (var use in references)
        {
            if (!Contains(from, use.Key!))
            {
                continue;
            }

            var next = use.Token.Text;
            if (Contains(next, key) || (seen.Add(next) && Leads(next, key, references, seen)))
            {
                return true;
            }
        }

        return false;
    }

    // True when `inner` is `outer` itself or a key inside it.
    private static bool Contains(string outer, string inner) => inner == outer || inner.StartsWith(outer + ".", StringComparison.Ordinal);
}
