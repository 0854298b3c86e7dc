using System.Buffers;
using System.Net.Sockets;
using Akka.Actor;
using Akka.IO;
using Akka.Streams;
using Akka.Streams.Stage;
using PingActors.Actors.Sessions;
using PingActors.Actors.Sessions.Streams;

namespace PingActors.Actors.Bridge.Peers;

/// <summary>The logic of one <see cref="PeerEndpoint"/>: one peer socket's reads and writes.</summary>
internal sealed class PeerEndpointLogic : InAndOutGraphStageLogic
{
    // The largest UDP datagram; a datagram read must hold it whole or the rest is lost.
    private const int DatagramBuffer = 65536;

    private readonly PeerEndpoint _stage;
    private readonly IActorRef _owner;
    private readonly ConnectedPeer _peer;
    private Action<(int Read, Exception? Error)>? _onRead;
    private Action<Exception?>? _onWritten;
    private byte[]? _datagramBuffer;
    private bool _peerDone;
    private bool _told;

    public PeerEndpointLogic(PeerEndpoint stage, IActorRef owner, ConnectedPeer peer)
        : base(stage.Shape)
    {
        _stage = stage;
        _owner = owner;
        _peer = peer;
        SetHandler(stage.In, this);
        SetHandler(stage.Out, this);
    }

    private Socket Socket => _peer.Socket;

    public override void PreStart()
    {
        _onRead = GetAsyncCallback<(int, Exception?)>(OnRead);
        _onWritten = GetAsyncCallback<Exception?>(OnWritten);
        _owner.Tell(new OutboxReady(GetAsyncCallback<object>(OnControl)), ActorRefs.NoSender);
        Pull(_stage.In);
    }

    public override void PostStop()
    {
        _peer.Dispose();
        Tell(new StreamFailed(new AbruptStageTerminationException(this)));
    }

    public override void OnPush()
    {
        var message = Grab(_stage.In);
        if (_peerDone || message.Length == 0)
        {
            // Nothing to write (websocksy writes nothing for an empty message), or the peer is gone.
            Pull(_stage.In);
            return;
        }

        _ = WriteAsync(message.Bytes, _onWritten!);
    }

    // The WebSocket has ended (closed, failed or aborted): so has the session, and its peer.
    public override void OnUpstreamFinish()
    {
        Tell(StreamCompleted.Instance);
        CompleteStage();
    }

    public override void OnUpstreamFailure(Exception e)
    {
        Tell(new StreamFailed(e));
        FailStage(e);
    }

    public override void OnPull() => _ = ReadAsync(_onRead!);

    // The WebSocket takes no more messages (it is closing): stop reading the peer; the stage lives until the socket's end.
    public override void OnDownstreamFinish(Exception cause) => ClosePeer();

    private void OnControl(object message)
    {
        switch (message)
        {
            case CloseSocket close:
                EndTowardClient(new SessionClosing(close.Reason));
                break;
            case AbortSocket:
                EndTowardClient(new SessionAborted());
                break;
        }
    }

    private async Task ReadAsync(Action<(int, Exception?)> done)
    {
        try
        {
            if (_peer.IsDatagram)
            {
                var buffer = _datagramBuffer ??= new byte[DatagramBuffer];
                var read = await Socket.ReceiveAsync(buffer, SocketFlags.None).ConfigureAwait(false);
                done((read, null));
                return;
            }

            // Wait for data without holding a buffer: an idle bridged pair keeps none (docs/design.md, "Bridge").
            await Socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None).ConfigureAwait(false);
            done((-1, null));
        }
        catch (Exception e)
        {
            done((0, e));
        }
    }

    private void OnRead((int Read, Exception? Error) result)
    {
        if (IsClosed(_stage.Out))
        {
            return;
        }

        if (result.Error is not null)
        {
            EndTowardClient(new SessionClosing(BridgeCloseReasons.PeerFailed(Describe(result.Error))));
            return;
        }

        if (_peer.IsDatagram)
        {
            Push(_stage.Out, ByteString.CopyFrom(_datagramBuffer!, 0, result.Read));
            return;
        }

        // Data (or the end) is most likely there: take what is available in one chunk, without waiting again.
        // The socket is non-blocking (PeerConnector), so a wait that ended with nothing to read answers
        // WouldBlock here and waits again, instead of holding the stream host.
        var rented = ArrayPool<byte>.Shared.Rent(Math.Clamp(Socket.Available, 1, _stage.ReadChunk));
        try
        {
            var read = Socket.Receive(rented, 0, Math.Min(rented.Length, _stage.ReadChunk), SocketFlags.None, out var error);
            if (error is not SocketError.Success and not SocketError.WouldBlock)
            {
                EndTowardClient(new SessionClosing(BridgeCloseReasons.PeerFailed(error.ToString())));
            }
            else if (error == SocketError.WouldBlock)
            {
                _ = ReadAsync(_onRead!);
            }
            else if (read == 0)
            {
                EndTowardClient(new SessionClosing(BridgeCloseReasons.PeerClosed));
            }
            else
            {
                Push(_stage.Out, ByteString.CopyFrom(rented, 0, read));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private async Task WriteAsync(byte[] bytes, Action<Exception?> done)
    {
        try
        {
            if (_peer.IsDatagram)
            {
                await Socket.SendAsync(bytes, SocketFlags.None).ConfigureAwait(false);
            }
            else
            {
                for (var sent = 0; sent < bytes.Length;)
                {
                    sent += await Socket.SendAsync(bytes.AsMemory(sent), SocketFlags.None).ConfigureAwait(false);
                }
            }

            done(null);
        }
        catch (Exception e)
        {
            done(e);
        }
    }

    private void OnWritten(Exception? error)
    {
        if (error is not null && !_peerDone)
        {
            EndTowardClient(new SessionClosing(BridgeCloseReasons.PeerFailed("failed to forward: " + Describe(error))));
        }

        if (!IsClosed(_stage.In) && !HasBeenPulled(_stage.In))
        {
            Pull(_stage.In);
        }
    }

    // Closes the WebSocket with the reason (through the framing, which passes a failure on) and the peer;
    // the client's remaining messages are read and dropped until its socket ends.
    private void EndTowardClient(Exception how)
    {
        ClosePeer();
        if (!IsClosed(_stage.Out))
        {
            Fail(_stage.Out, how);
        }
    }

    private void ClosePeer()
    {
        if (_peerDone)
        {
            return;
        }

        _peerDone = true;
        try
        {
            Socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
            // Already reset or closed by the peer.
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private void Tell(object message)
    {
        if (!_told)
        {
            _told = true;
            _owner.Tell(message, ActorRefs.NoSender);
        }
    }

    private static string Describe(Exception e) => e is SocketException s ? s.SocketErrorCode.ToString() : e.Message;
}
