using System.Globalization;

namespace PingActors.Node.Configuration.Kuiperbelt;

/// <summary>
/// Durations spelled as kuiperbelt's Go reads them (time.ParseDuration): a sequence of decimal numbers, each
/// with a unit (ns, us, µs, ms, s, m, h), e.g. "300ms", "1.5h", "2h45m"; "0" alone needs no unit. HOCON's
/// spelling differs ("1h30m" is not HOCON), so a kuiperbelt file is read with Go's rules, not Akka's.
/// </summary>
internal static class GoDuration
{
    private static readonly Dictionary<string, decimal> NanosPerUnit = new(StringComparer.Ordinal)
    {
        ["ns"] = 1m,
        ["us"] = 1_000m,
        ["\u00b5s"] = 1_000m, // micro sign
        ["\u03bcs"] = 1_000m, // Greek mu
        ["ms"] = 1_000_000m,
        ["s"] = 1_000_000_000m,
        ["m"] = 60_000_000_000m,
        ["h"] = 3_600_000_000_000m,
    };

    /// <summary>The duration in nanoseconds, or null when <paramref name="text"/> is not a Go duration (or overflows, as Go refuses).</summary>
    public static long? ParseNanoseconds(string text)
    {
        var s = text;
        var negative = false;
        if (s.Length > 0 && s[0] is '-' or '+')
        {
            negative = s[0] == '-';
            s = s[1..];
        }

        if (s == "0")
        {
            return 0;
        }

        if (s.Length == 0)
        {
            return null;
        }

        var total = 0m;
        var i = 0;
        while (i < s.Length)
        {
            var numberStart = i;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.'))
            {
                i++;
            }

            var number = s[numberStart..i];
            var unitStart = i;
            while (i < s.Length && !char.IsAsciiDigit(s[i]) && s[i] != '.')
            {
                i++;
            }

            // Go wants digits on at least one side of the point, and a known unit after every number.
            if (number.Count(c => c == '.') > 1 || !number.Any(char.IsAsciiDigit) || number.Length > 20
                || !NanosPerUnit.TryGetValue(s[unitStart..i], out var unit)
                || !decimal.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
            {
                return null;
            }

            total += value * unit;
            if (total > long.MaxValue)
            {
                return null;
            }
        }

        var nanos = (long)decimal.Truncate(total);
        return negative ? -nanos : nanos;
    }
}
