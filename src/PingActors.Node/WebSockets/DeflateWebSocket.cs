using System.Net.WebSockets;
using PingActors.Actors.Sessions.Streams;

namespace PingActors.Node.WebSockets;

/// <summary>
/// .NET's WebSocket of a connection that negotiated permessage-deflate, which also takes frames compressed
/// beforehand (<see cref="IPrecompressedSocket"/>). .NET inflates what the client sends and writes its own
/// control frames; a precompressed frame goes to the transport directly, which writes it whole and in
/// turn with .NET's frames (<see cref="CloseReasonStream"/> keeps one write at a time, and .NET writes each
/// frame in one write). The session's flow writes one message at a time, so data frames never interleave.
/// </summary>
public sealed class DeflateWebSocket(WebSocket inner, CloseReasonStream transport) : WebSocket, IPrecompressedSocket
{
    public override WebSocketCloseStatus? CloseStatus => inner.CloseStatus;

    public override string? CloseStatusDescription => inner.CloseStatusDescription;

    public override WebSocketState State => inner.State;

    public override string? SubProtocol => inner.SubProtocol;

    public ValueTask SendFrameAsync(ReadOnlyMemory<byte> frame) =>
        inner.State is WebSocketState.Open or WebSocketState.CloseReceived
            ? transport.WriteAsync(frame)
            : ValueTask.FromException(new WebSocketException(WebSocketError.InvalidState, $"The WebSocket is {inner.State}; no message can be sent."));

    public override void Abort() => inner.Abort();

    public override Task CloseAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken) =>
        inner.CloseAsync(closeStatus, statusDescription, cancellationToken);

    public override Task CloseOutputAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken) =>
        inner.CloseOutputAsync(closeStatus, statusDescription, cancellationToken);

    public override void Dispose() => inner.Dispose();

    public override Task<WebSocketReceiveResult> ReceiveAsync(ArraySegment<byte> buffer, CancellationToken cancellationToken) =>
        inner.ReceiveAsync(buffer, cancellationToken);

    public override ValueTask<ValueWebSocketReceiveResult> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken) =>
        inner.ReceiveAsync(buffer, cancellationToken);

    public override Task SendAsync(ArraySegment<byte> buffer, WebSocketMessageType messageType, bool endOfMessage, CancellationToken cancellationToken) =>
        inner.SendAsync(buffer, messageType, endOfMessage, cancellationToken);

    public override ValueTask SendAsync(ReadOnlyMemory<byte> buffer, WebSocketMessageType messageType, bool endOfMessage, CancellationToken cancellationToken) =>
        inner.SendAsync(buffer, messageType, endOfMessage, cancellationToken);

    public override ValueTask SendAsync(ReadOnlyMemory<byte> buffer, WebSocketMessageType messageType, WebSocketMessageFlags messageFlags, CancellationToken cancellationToken) =>
        inner.SendAsync(buffer, messageType, messageFlags, cancellationToken);
}
