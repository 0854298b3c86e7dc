using System.Net.Sockets;
using PingActors.Actors.Bridge.Backends;

namespace PingActors.Actors.Bridge.Peers;

/// <summary>A peer socket, connected and ready for the bridge's stream; datagram ones carry one message per datagram.</summary>
public sealed record ConnectedPeer(Socket Socket, bool IsDatagram, Uri Address) : IDisposable
{
    public void Dispose() => Socket.Dispose();
}

/// <summary>Connects to the peer a backend chose: <c>tcp://host:port</c>, <c>udp://host:port</c>, <c>unix:///path</c>, <c>unix-dgram:///path</c>.</summary>
public static class PeerConnector
{
    public static async Task<ConnectedPeer> ConnectAsync(Uri peer, TimeSpan timeout)
    {
        var address = PeerAddress.FromUri(peer);
        var endpoint = address.ToEndPoint();
        var socket = address.IsUnix
            ? new Socket(AddressFamily.Unix, address.SocketType, ProtocolType.Unspecified)
            : new Socket(address.SocketType, address.SocketType == SocketType.Stream ? ProtocolType.Tcp : ProtocolType.Udp);
        var datagram = address.SocketType == SocketType.Dgram;
        try
        {
            if (socket.ProtocolType == ProtocolType.Tcp)
            {
                // Each message is written whole and at once: waiting to coalesce it (Nagle) only adds latency
                // (websocksy measured ~88 ms per round trip here for that reason).
                socket.NoDelay = true;
            }

            using var bound = new CancellationTokenSource(timeout);
            await socket.ConnectAsync(endpoint, bound.Token).ConfigureAwait(false);

            // The peer endpoint takes what a zero-byte wait announced with one synchronous read inside a stream
            // host that many sessions share. That wait can end with nothing to read (the readiness it saw was
            // already consumed); a blocking read would then hold the host, and every session on it, until the
            // peer writes. Non-blocking, such a read answers WouldBlock and the endpoint waits again.
            socket.Blocking = false;
            return new ConnectedPeer(socket, datagram, peer);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
