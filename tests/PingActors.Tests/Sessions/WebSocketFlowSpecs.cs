using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using Akka.Streams;
using Akka.Streams.Dsl;
using Akka.Streams.TestKit;
using Akka.TestKit.Xunit2;
using PingActors.Actors.Sessions;
using PingActors.Actors.Sessions.Streams;

namespace PingActors.Tests.Sessions;

/// <summary>
/// The WebSocket as a flow, over a real WebSocket pair on a loopback TCP connection: what it writes is pulled
/// one message at a time as the socket takes them, what it reads waits for demand, and upstream's end decides
/// the close frame. Probes stand in for whatever a feature connects to either side.
/// </summary>
public sealed class WebSocketFlowSpecs : TestKit, IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    // Long enough for loopback TCP buffers to fill once a side stops reading, short enough to be a quiet spell.
    private static readonly TimeSpan Stalled = TimeSpan.FromSeconds(1);

    private readonly SessionSettings _settings = new() { MaxMessageSize = 1024 * 1024, KeepAliveInterval = TimeSpan.Zero };
    private TcpListener? _listener;
    private WebSocket? _server;
    private WebSocket? _client;

    public async Task InitializeAsync()
    {
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        var clientTcp = new TcpClient();
        var connecting = clientTcp.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)_listener.LocalEndpoint).Port);
        var serverTcp = await _listener.AcceptTcpClientAsync();
        await connecting;
        _client = WebSocket.CreateFromStream(clientTcp.GetStream(), new WebSocketCreationOptions { IsServer = false });
        _server = WebSocket.CreateFromStream(serverTcp.GetStream(), new WebSocketCreationOptions { IsServer = true });
    }

    public Task DisposeAsync()
    {
        _client?.Dispose();
        _server?.Dispose();
        _listener?.Stop();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Reads_the_clients_messages_only_as_they_are_demanded_so_a_fast_client_is_held_back_by_tcp()
    {
        var (_, reads) = Run();
        var message = new byte[64 * 1024];
        const int count = 400; // 25 MiB: far more than loopback TCP buffers hold
        var sending = Task.Run(async () =>
        {
            for (var i = 0; i < count; i++)
            {
                await _client!.SendAsync(message, WebSocketMessageType.Binary, true, CancellationToken.None);
            }
        });

        reads.Request(1);
        Assert.Equal(message.Length, reads.ExpectNext(Patience).Length);
        Assert.False(await Completes(sending, Stalled), "the client sent everything although nothing read it");

        reads.Request(count);
        for (var i = 1; i < count; i++)
        {
            reads.ExpectNext(Patience);
        }

        await sending.WaitAsync(Patience);
    }

    [Fact]
    public async Task Pulls_the_next_write_only_once_the_socket_took_the_last_so_a_slow_client_holds_back_its_source()
    {
        var message = new Payload(false, new byte[1024 * 1024]);
        var pulled = 0;
        Source.Repeat(message)
            .Select(m =>
            {
                Interlocked.Increment(ref pulled);
                return m;
            })
            .Via(new WebSocketFlow(_settings))
            .To(Sink.Ignore<Payload>())
            .WithAttributes(new Attributes(new SessionBinding(_server!, TestActor)))
            .Run(Sys.Materializer());

        // The client does not read: the flow takes writes while the socket does, then stops asking.
        var stalledAt = await SettledAsync(() => Volatile.Read(ref pulled));
        Assert.InRange(stalledAt, 1, 200);

        // Once the client reads, the flow asks for more: read until it has (a read that finds nothing within
        // Patience means it never did).
        var buffer = new byte[64 * 1024];
        while (Volatile.Read(ref pulled) <= stalledAt)
        {
            var reading = _client!.ReceiveAsync(buffer, CancellationToken.None);
            Assert.True(await Completes(reading, Patience), "the flow took no more writes although the client read all it had");
            await reading;
        }
    }

    // Waits until a count stops growing for a quiet spell, and returns it.
    private static async Task<int> SettledAsync(Func<int> count)
    {
        var deadline = DateTime.UtcNow + Patience + Patience;
        var last = count();
        while (DateTime.UtcNow < deadline)
        {
            await Task.Delay(Stalled);
            var now = count();
            if (now == last)
            {
                return now;
            }

            last = now;
        }

        throw new TimeoutException($"still growing at {last}");
    }

    [Fact]
    public async Task Upstream_failing_with_a_close_reason_sends_that_code_and_reason()
    {
        var (writes, reads) = Run();
        reads.Request(1);

        writes.SendError(new SessionClosing(CloseReasons.ServerShutdown));

        var (status, reason) = await ReceiveCloseAsync();
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, status);
        Assert.Equal("server shutting down", reason);
    }

    [Fact]
    public async Task Upstream_completing_closes_with_1000_and_a_reason()
    {
        var (writes, reads) = Run();
        reads.Request(1);

        writes.SendComplete();

        var (status, reason) = await ReceiveCloseAsync();
        Assert.Equal(WebSocketCloseStatus.NormalClosure, status);
        Assert.Equal("normal closure", reason);
    }

    [Fact]
    public async Task Ends_its_reads_once_the_close_handshake_is_done()
    {
        var (writes, reads) = Run();
        reads.Request(1);
        writes.SendNext(new Payload(true, Encoding.UTF8.GetBytes("last")));
        var buffer = new byte[64];
        var last = await _client!.ReceiveAsync(buffer, CancellationToken.None);
        Assert.Equal("last", Encoding.UTF8.GetString(buffer, 0, last.Count));

        await _client.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", new CancellationTokenSource(Patience).Token);

        reads.ExpectComplete(Patience);
        Assert.Equal(WebSocketState.Closed, _client.State);
    }

    private (TestPublisher.Probe<Payload> Writes, TestSubscriber.Probe<Payload> Reads) Run() =>
        this.SourceProbe<Payload>()
            .ViaMaterialized(new WebSocketFlow(_settings), Keep.Left)
            .ToMaterialized(this.SinkProbe<Payload>(), Keep.Both)
            .WithAttributes(new Attributes(new SessionBinding(_server!, TestActor)))
            .Run(Sys.Materializer());

    private static async Task<bool> Completes(Task task, TimeSpan within) => await Task.WhenAny(task, Task.Delay(within)) == task;

    private async Task<(WebSocketCloseStatus? Status, string? Reason)> ReceiveCloseAsync()
    {
        using var cts = new CancellationTokenSource(Patience);
        var buffer = new byte[256];
        while (true)
        {
            var result = await _client!.ReceiveAsync(buffer, cts.Token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return (result.CloseStatus, result.CloseStatusDescription);
            }
        }
    }
}
