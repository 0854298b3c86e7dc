using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;

namespace PingActors.Tests.Bridge.Support;

/// <summary>
/// A real peer for the bridge on 127.0.0.1 (TCP) or a unix socket: each accepted connection is handed to
/// <see cref="Serve"/> (default: echo). Accepted connections are also queued for a test that drives one itself.
/// </summary>
public sealed class TcpPeer : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Channel<Socket> _accepted = Channel.CreateUnbounded<Socket>();
    private readonly List<Socket> _connections = [];

    private TcpPeer(Socket listener, Func<Socket, CancellationToken, Task>? serve)
    {
        _listener = listener;
        Serve = serve;
        _ = AcceptLoopAsync();
    }

    /// <summary>What each connection gets; null: it is only queued for <see cref="AcceptAsync"/>.</summary>
    public Func<Socket, CancellationToken, Task>? Serve { get; }

    public int Port => ((IPEndPoint)_listener.LocalEndPoint!).Port;

    public string? SocketFile { get; private init; }

    public static TcpPeer Echo() => Tcp(EchoAsync);

    public static TcpPeer Tcp(Func<Socket, CancellationToken, Task>? serve = null)
    {
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(64);
        return new TcpPeer(listener, serve);
    }

    public static TcpPeer Unix(Func<Socket, CancellationToken, Task>? serve = null)
    {
        var path = Path.Combine(Path.GetTempPath(), $"pa-peer-{Guid.NewGuid():N}.sock");
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen(64);
        return new TcpPeer(listener, serve) { SocketFile = path };
    }

    public static async Task EchoAsync(Socket socket, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        int read;
        while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken)) > 0)
        {
            await socket.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, cancellationToken);
        }

        socket.Shutdown(SocketShutdown.Send);
    }

    /// <summary>The next connection the bridge opened (for a peer made without <see cref="Serve"/>).</summary>
    public async Task<Socket> AcceptAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(15));
        return await _accepted.Reader.ReadAsync(cts.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        lock (_connections)
        {
            foreach (var connection in _connections)
            {
                connection.Dispose();
            }
        }

        if (SocketFile is not null)
        {
            File.Delete(SocketFile);
        }
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket connection;
            try
            {
                connection = await _listener.AcceptAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            lock (_connections)
            {
                _connections.Add(connection);
            }

            if (Serve is null)
            {
                _accepted.Writer.TryWrite(connection);
                continue;
            }

            _ = Task.Run(async () =>
            {
                try
                {
                    await Serve(connection, _stop.Token);
                }
                catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
                {
                    // The test ended, or the bridge closed the connection.
                }
            });
        }
    }
}
