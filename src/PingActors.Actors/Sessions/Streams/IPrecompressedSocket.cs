namespace PingActors.Actors.Sessions.Streams;

/// <summary>
/// A socket that negotiated permessage-deflate without server context takeover, and so can be given a whole
/// frame compressed beforehand (<see cref="PayloadDeflater"/>): the same bytes for every such socket.
/// </summary>
public interface IPrecompressedSocket
{
    /// <summary>Writes <paramref name="frame"/> (header and payload, unmasked, RSV1 set) as one message, in turn with the socket's own frames.</summary>
    ValueTask SendFrameAsync(ReadOnlyMemory<byte> frame);
}
