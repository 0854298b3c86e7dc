using System.Text;

namespace PingActors.Actors.Bridge.Framing;

/// <summary>Reading framing configs, and echoing them back in one-line error messages.</summary>
internal static class ConfigText
{
    /// <summary>The config quoted, with control characters escaped so the message stays one line; "nothing" when missing.</summary>
    public static string Quote(string? config)
    {
        if (config is null)
        {
            return "nothing";
        }

        var quoted = new StringBuilder("\"");
        foreach (var c in config)
        {
            quoted.Append(c switch
            {
                '\r' => @"\r",
                '\n' => @"\n",
                '\t' => @"\t",
                '"' => "\\\"",
                < ' ' or '\x7f' => $"\\x{(int)c:X2}",
                _ => c.ToString(),
            });
        }

        return quoted.Append('"').ToString();
    }

    /// <summary>
    /// A number as C's <c>strtoul(s, NULL, 0)</c> reads it (decimal, <c>0x</c> hex, leading-<c>0</c> octal, with
    /// surrounding whitespace), but strict where strtoul is lax: no sign, no trailing junk, no empty string,
    /// nothing past <see cref="int.MaxValue"/>. websocksy would silently read "12abc" as 12 and "" as 0.
    /// </summary>
    public static bool TryParseNumber(string text, out int value)
    {
        value = 0;
        var s = text.Trim();
        var (digits, radix) = s.Length > 1 && s[0] == '0' && (s[1] is 'x' or 'X') ? (s[2..], 16)
            : s.Length > 1 && s[0] == '0' ? (s[1..], 8)
            : (s, 10);
        if (digits.Length == 0)
        {
            return false;
        }

        long result = 0;
        foreach (var c in digits)
        {
            var digit = char.IsAsciiDigit(c) ? c - '0'
                : char.IsAsciiHexDigit(c) ? (c | 0x20) - 'a' + 10
                : radix;
            if (digit >= radix)
            {
                return false;
            }

            result = (result * radix) + digit;
            if (result > int.MaxValue)
            {
                return false;
            }
        }

        value = (int)result;
        return true;
    }
}
