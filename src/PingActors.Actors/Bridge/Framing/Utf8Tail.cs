using System.Buffers;
using System.Text;

namespace PingActors.Actors.Bridge.Framing;

internal static class Utf8Tail
{
    /// <summary>
    /// The length (1 to 3) of a UTF-8 sequence that <paramref name="bytes"/> ends in the middle of and that
    /// could still be completed by what comes next, or 0. <see cref="Rune.DecodeFromUtf8"/> decides
    /// "could still", so overlong and surrogate prefixes (E0 80, ED A0) count as invalid at once.
    /// </summary>
    public static int Incomplete(ReadOnlySpan<byte> bytes)
    {
        for (var back = 1; back <= 3 && back <= bytes.Length; back++)
        {
            if ((bytes[^back] & 0xC0) == 0x80)
            {
                continue;
            }

            return Rune.DecodeFromUtf8(bytes[^back..], out _, out _) == OperationStatus.NeedMoreData ? back : 0;
        }

        return 0;
    }
}
