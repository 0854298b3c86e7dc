using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using PingActors.Tests.Bridge.Support;
using PingActors.Tests.Hub.Support;

namespace PingActors.Tests.Bridge;

/// <summary><c>pingactors.bridge.connect-timeout</c>: a peer that never answers the connect gets the client a 500 once it has passed.</summary>
public sealed class BridgeConnectTimeoutSpecs
{
    [Fact]
    public async Task A_peer_that_never_answers_the_connect_gets_500_after_connect_timeout()
    {
        using var silent = await SilentPeer.OpenAsync();
        await using var bridge = await BridgeNode.StartAsync($"tcp://127.0.0.1:{silent.Port}", "pingactors.bridge.connect-timeout=1s");

        var clock = Stopwatch.StartNew();
        var response = await RawHttp.GetAsync(bridge.BridgeUri, "/", BridgeSpecs.WebSocketHeaders);
        clock.Stop();

        Assert.Equal(500, response.Status);
        Assert.Contains("peer connection failed", response.BodyText, StringComparison.Ordinal);

        // The connect waited for the peer (a refused one answers at once) and was given up by connect-timeout,
        // not by the session's start bound, which refuses without counting a peer as down.
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(0.9), $"answered after {clock.Elapsed}: the peer was not silent");
        var metrics = await bridge.Node.Http.GetStringAsync(new Uri(bridge.Node.OpsUri, "/metrics"));
        Assert.Contains("pingactors_bridge_refused_total{reason=\"peer_down\"} 1", metrics, StringComparison.Ordinal);
    }

    /// <summary>
    /// A listener on 127.0.0.1 that never accepts, with its accept queue filled: Linux then drops every new SYN
    /// (the client's connect retries and waits), the only silent peer loopback offers. Connections that still
    /// complete (the kernel answers a SYN while the queue has room) are kept open as the filling.
    /// </summary>
    private sealed class SilentPeer : IDisposable
    {
        private readonly Socket _listener;
        private readonly List<Socket> _filling = [];

        private SilentPeer(Socket listener) => _listener = listener;

        public int Port => ((IPEndPoint)_listener.LocalEndPoint!).Port;

        public static async Task<SilentPeer> OpenAsync()
        {
            var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            listener.Listen(0);
            var peer = new SilentPeer(listener);
            for (var i = 0; i < 64; i++)
            {
                var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(1));
                try
                {
                    await client.ConnectAsync(new IPEndPoint(IPAddress.Loopback, peer.Port), wait.Token);
                    peer._filling.Add(client);
                }
                catch (OperationCanceledException)
                {
                    // This SYN was dropped: the queue is full, the peer is silent from now on.
                    client.Dispose();
                    return peer;
                }
            }

            peer.Dispose();
            throw new InvalidOperationException("the loopback listener kept completing connects: no silent peer here");
        }

        public void Dispose()
        {
            foreach (var socket in _filling)
            {
                socket.Dispose();
            }

            _listener.Dispose();
        }
    }
}
