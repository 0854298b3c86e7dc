using Microsoft.Extensions.Primitives;

namespace PingActors.Node.WebSockets;

/// <summary>
/// Reads a client's <c>Sec-WebSocket-Extensions</c> for a permessage-deflate offer (RFC 7692) the node can
/// honour: it always answers with no context takeover both ways, and compresses with zlib's 32 KiB window
/// (what <c>DeflateStream</c> uses, and the only one .NET lets it choose).
/// </summary>
public static class DeflateOffer
{
    /// <summary>The one answer the node gives: no compression context kept between messages, either way.</summary>
    public const string Response = "permessage-deflate; server_no_context_takeover; client_no_context_takeover";

    private const int WindowBits = 15;

    /// <summary>Whether any offer in <paramref name="extensions"/> can be accepted with <see cref="Response"/>.</summary>
    public static bool Acceptable(StringValues extensions)
    {
        foreach (var header in extensions)
        {
            if (header is null)
            {
                continue;
            }

            foreach (var offer in header.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                if (Honourable(offer))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static bool Honourable(string offer)
    {
        var parts = offer.Split(';', StringSplitOptions.TrimEntries);
        if (!parts[0].Equals("permessage-deflate", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var parameter in parts.AsSpan(1))
        {
            var eq = parameter.IndexOf('=');
            var name = (eq < 0 ? parameter : parameter[..eq]).Trim();
            var value = eq < 0 ? null : parameter[(eq + 1)..].Trim().Trim('"');

            // RFC 7692 7.1: an offer with a parameter twice, or one it does not define, is declined.
            if (!seen.Add(name))
            {
                return false;
            }

            var honoured = name.ToLowerInvariant() switch
            {
                "server_no_context_takeover" or "client_no_context_takeover" => value is null,

                // Smaller windows would need a compressor of their own; a client that insists gets a plain socket.
                "server_max_window_bits" => WindowBitsValue(value) == WindowBits,

                // The client's window: any size inflates with the largest, so any valid one is fine.
                "client_max_window_bits" => value is null || WindowBitsValue(value) is not null,
                _ => false,
            };
            if (!honoured)
            {
                return false;
            }
        }

        return true;
    }

    private static int? WindowBitsValue(string? value) =>
        value is { Length: 1 or 2 } && value[0] != '0' && int.TryParse(value, System.Globalization.NumberStyles.None, null, out var bits) && bits is >= 8 and <= WindowBits ? bits : null;
}
