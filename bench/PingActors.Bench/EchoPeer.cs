using System.Net;
using System.Net.Sockets;

namespace PingActors.Bench;

/// <summary>
/// The bridge's backend for bridge-echo: a TCP server on 127.0.0.1 that writes back every byte it reads, one
/// task per connection. NoDelay, so that no echo waits for an ACK (Nagle): the bridge's own delays are what is
/// measured. The read buffer holds a whole 64 KiB message, so an echo is one or two reads and writes.
/// </summary>
internal sealed class EchoPeer : IAsyncDisposable
{
    private const int ReadBuffer = 256 * 1024;

    private readonly Socket _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Socket> _connections = [];
    private readonly Task _accepting;
    private long _accepted;

    private EchoPeer(Socket listener)
    {
        _listener = listener;
        _accepting = Task.Run(AcceptLoopAsync);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndPoint!).Port;

    /// <summary>Connections accepted so far: the bridge opens one per WebSocket client.</summary>
    public long Accepted => Interlocked.Read(ref _accepted);

    /// <summary>Listens on 127.0.0.1:<paramref name="port"/> (0: a free port).</summary>
    public static EchoPeer Start(int port)
    {
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            // A fixed port is reused run after run, with the last run's connections in TIME_WAIT.
            listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            listener.Bind(new IPEndPoint(IPAddress.Loopback, port));
            listener.Listen(1024);
            return new EchoPeer(listener);
        }
        catch
        {
            listener.Dispose();
            throw;
        }
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket s;
            try
            {
                s = await _listener.AcceptAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception)
            {
                return; // stopped
            }

            s.NoDelay = true;
            Interlocked.Increment(ref _accepted);
            lock (_connections)
            {
                _connections.Add(s);
            }

            _ = Task.Run(() => EchoAsync(s));
        }
    }

    // No cancellation token on the reads and writes (a registration per call): disposing the socket ends them.
    private async Task EchoAsync(Socket s)
    {
        var buffer = GC.AllocateUninitializedArray<byte>(ReadBuffer);
        try
        {
            while (true)
            {
                var n = await s.ReceiveAsync(buffer.AsMemory(), SocketFlags.None).ConfigureAwait(false);
                if (n == 0)
                {
                    break;
                }

                var data = buffer.AsMemory(0, n);
                while (!data.IsEmpty)
                {
                    var w = await s.SendAsync(data, SocketFlags.None).ConfigureAwait(false);
                    data = data[w..];
                }
            }
        }
        catch (Exception)
        {
            // the bridge dropped the connection, or we are stopping
        }
        finally
        {
            lock (_connections)
            {
                _connections.Remove(s);
            }

            s.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Dispose();
        await _accepting.ConfigureAwait(false);
        lock (_connections)
        {
            foreach (var s in _connections)
            {
                s.Dispose();
            }
        }

        _stop.Dispose();
    }
}
