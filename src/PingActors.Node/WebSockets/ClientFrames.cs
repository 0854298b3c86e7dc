using System.Buffers.Binary;
using PingActors.Actors.Sessions;

namespace PingActors.Node.WebSockets;

/// <summary>
/// Follows a client's frame headers through the bytes read from its connection, to judge each frame by its
/// header as soon as the deciding bytes are in: the mask bit (second byte), then the announced length.
/// </summary>
internal struct ClientFrames(long largestMessage)
{
    private const int MaskKeyLength = 4;

    private long _payloadLeft;
    private long _messageLength;
    private ulong _length;
    private int _headerSeen;
    private int _headerLength;
    private byte _first;

    /// <summary>Ping frames seen so far (their headers), for a session's idle clock.</summary>
    public int Pings { get; private set; }

    /// <returns>Null while the frames are acceptable; else the close to fail the connection with.</returns>
    public CloseReason? Inspect(ReadOnlySpan<byte> bytes)
    {
        var i = 0;
        while (i < bytes.Length)
        {
            if (_headerSeen == 0 && _payloadLeft > 0)
            {
                var skipped = (int)Math.Min(_payloadLeft, bytes.Length - i);
                _payloadLeft -= skipped;
                i += skipped;
                continue;
            }

            var b = bytes[i++];
            var index = _headerSeen++;
            if (index == 0)
            {
                _first = b;
                continue;
            }

            if (index == 1)
            {
                // RFC 6455 5.1: a server must fail the connection on any frame a client did not mask.
                if ((b & 0x80) == 0)
                {
                    return CloseReasons.ProtocolError;
                }

                var code = b & 0x7F;
                _length = code < 126 ? (ulong)code : 0;
                _headerLength = 2 + (code == 126 ? 2 : code == 127 ? 8 : 0) + MaskKeyLength;
            }
            else if (index < _headerLength - MaskKeyLength)
            {
                _length = (_length << 8) | b;
            }

            if (_headerSeen == _headerLength - MaskKeyLength && JudgeLength() is { } refused)
            {
                return refused;
            }

            if (_headerSeen == _headerLength)
            {
                _headerSeen = 0;
                _payloadLeft = (long)_length;
            }
        }

        return null;
    }

    private CloseReason? JudgeLength()
    {
        // RFC 6455 5.2: the most significant bit of a 64-bit length must be 0.
        if (_length > long.MaxValue)
        {
            return CloseReasons.ProtocolError;
        }

        // Control frames (opcode 8 and up) are not part of a message; .NET's WebSocket limits them to 125 bytes.
        var opcode = _first & 0x0F;
        if (opcode >= 0x8)
        {
            Pings += opcode == 0x9 ? 1 : 0;
            return null;
        }

        // A continuation adds to the fragments before it; the message can never be accepted once past the largest.
        var before = opcode == 0 ? _messageLength : 0;
        if ((long)_length > largestMessage - before)
        {
            return CloseReasons.MessageTooBig;
        }

        _messageLength = (_first & 0x80) != 0 ? 0 : before + (long)_length;
        return null;
    }
}
