using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using Akka.Actor;
using Akka.Configuration;
using Akka.Streams;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using PingActors.Actors.Hub.Channels;
using PingActors.Actors.Sessions;
using PingActors.Actors.Sessions.Streams;
using PingActors.Actors.Hub;
using PingActors.Node.Configuration;

namespace PingActors.Tests.Hub;

/// <summary>
/// The connection actor with its real socket stream, over a real WebSocket pair on a loopback TCP
/// connection (no HTTP); probes stand in for the node-local channels and the shard region.
/// </summary>
public sealed class HubSessionActorSpecs : TestKit, IAsyncLifetime
{
    // For what waits on real socket work (Activate follows the accept over TCP and the stream's first
    // materialization; a Publish follows a frame through the stream), which on a loaded two-core CI box,
    // every class JIT-compiling at once, has taken longer than TestKit's 3 s default.
    private static readonly TimeSpan SocketWork = TimeSpan.FromSeconds(10);

    private readonly HubMetrics _metrics = new();
    private readonly HubSettings _settings = new() { JoinTimeout = TimeSpan.FromSeconds(1), PublishTimeout = TimeSpan.FromSeconds(2), Session = new SessionSettings { KeepAliveInterval = TimeSpan.Zero } };
    private readonly TestProbe _localChannels;
    private readonly TestProbe _region;
    private readonly HubContext _context;
    private readonly TaskCompletionSource<SessionOutcome> _outcome = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TcpListener? _listener;
    private WebSocket? _client;
    private int _acceptCalls;

    public HubSessionActorSpecs()
        : base(ConfigurationFactory.ParseString("akka.actor.provider = local\nakka.loglevel = WARNING")
            .WithFallback(ConfigurationFactory.ParseString(ConfigLoader.ReferenceText())))
    {
        _localChannels = CreateTestProbe();
        _region = CreateTestProbe();
        _context = HubContext.Start(_localChannels.Ref, _region.Ref, _settings with { Session = _settings.Session with { StreamHosts = 1 } }, _metrics, Sys);
    }

    public Task InitializeAsync()
    {
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        _client?.Dispose();
        _listener?.Stop();
        return Task.CompletedTask;
    }

    [Fact]
    public void Completes_the_handshake_only_once_its_channel_is_joined()
    {
        var connection = Start("/c");
        var join = _localChannels.ExpectMsg<Join>();
        Assert.Equal("/c", join.Channel);
        _localChannels.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        Assert.Equal(0, Volatile.Read(ref _acceptCalls));

        var localChannel = CreateTestProbe();
        connection.Tell(new Joined("/c", localChannel.Ref));
        var activate = localChannel.ExpectMsg<Activate>(SocketWork);
        Assert.Equal(connection, activate.Connection);
        Assert.Equal(1, Volatile.Read(ref _acceptCalls));
    }

    [Fact]
    public async Task Publishes_what_its_client_sends_and_echoes_an_empty_message_to_the_client_only()
    {
        var (_, _) = await OpenAsync("/c");
        await SendAsync("hello");
        var publish = _region.ExpectMsg<Publish>(SocketWork);
        Assert.Equal("/c", publish.Channel);
        Assert.Equal("hello", Encoding.UTF8.GetString(publish.Payload.Bytes));

        await SendAsync(string.Empty);
        var echo = await ReceiveAsync();
        Assert.Equal((WebSocketMessageType.Text, string.Empty), echo);
        _region.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public async Task Writes_what_is_told_to_its_outbox_in_order()
    {
        var (_, outbox) = await OpenAsync("/c");
        for (var i = 0; i < 20; i++)
        {
            outbox(Payload.Text("m" + i));
        }

        outbox(new Payload(false, [1, 2, 3]));
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal((WebSocketMessageType.Text, "m" + i), await ReceiveAsync());
        }

        Assert.Equal(WebSocketMessageType.Binary, (await ReceiveAsync()).Type);
    }

    [Fact]
    public async Task Closes_with_1001_and_a_reason_when_told_and_leaves_its_channel()
    {
        var (connection, _) = await OpenAsync("/c");
        Watch(connection);
        connection.Tell(new CloseSession(CloseReasons.ServerShutdown));

        var buffer = new byte[256];
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var result = await _client!.ReceiveAsync(buffer, cts.Token);
        Assert.Equal(WebSocketMessageType.Close, result.MessageType);
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, result.CloseStatus);
        Assert.Equal("server shutting down", result.CloseStatusDescription);
        await _client.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, string.Empty, cts.Token);

        ExpectTerminated(connection, TimeSpan.FromSeconds(10));
        Assert.IsType<SessionOutcome.Closed>(await _outcome.Task.WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Answers_channel_unavailable_without_a_handshake_when_the_join_times_out()
    {
        var connection = Start("/c");
        Watch(connection);
        _localChannels.ExpectMsg<Join>();
        ExpectTerminated(connection, TimeSpan.FromSeconds(5));
        var refused = Assert.IsType<SessionOutcome.Refused>(await _outcome.Task.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(503, refused.Status);
        Assert.Equal("Error: channel unavailable, try again.\n", Encoding.UTF8.GetString(refused.Body.Span));
        Assert.Equal(0, Volatile.Read(ref _acceptCalls));
        Assert.Equal(connection, _localChannels.ExpectMsg<Leave>().Connection);
    }

    [Fact]
    public async Task Closes_a_connection_whose_stream_never_starts()
    {
        // A stream host whose interpreter is gone: the socket's stream is never materialized.
        var deadMaterializer = Sys.Materializer();
        var deadHosts = StreamHosts.Start(1, deadMaterializer);
        deadMaterializer.Shutdown();
        var connection = Start("/c", _context with { Session = _context.Session with { Hosts = deadHosts } });
        Watch(connection);
        _localChannels.ExpectMsg<Join>();
        connection.Tell(new Joined("/c", CreateTestProbe().Ref));

        ExpectTerminated(connection, TimeSpan.FromSeconds(10));
        Assert.IsType<SessionOutcome.Closed>(await _outcome.Task.WaitAsync(TimeSpan.FromSeconds(5)));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        // Aborted, not merely silent: a receive fails at once instead of running into the timeout.
        await Assert.ThrowsAsync<WebSocketException>(async () => await _client!.ReceiveAsync(new byte[16], cts.Token));
    }

    [Fact]
    public async Task Reads_no_further_than_32_unanswered_publishes_and_reads_on_after_the_publish_timeout()
    {
        await OpenAsync("/c");

        // Timed from before the first publish, not by a quiet window: a loaded runner can only make the next read look later.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; i < 40; i++)
        {
            await SendAsync("m" + i);
        }

        // The region stands in for a channel that never answers: 32 publishes, then the client is not read.
        _region.ReceiveN(32, SocketWork);

        // After publish-timeout (2 s here) the session reads on, as a POST would be answered.
        Assert.Equal("m32", Encoding.UTF8.GetString(_region.ExpectMsg<Publish>(TimeSpan.FromSeconds(10)).Payload.Bytes));
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(1.8), $"m32 was read after {clock.Elapsed}, before the publish timeout");
    }

    [Fact]
    public async Task Each_answer_lets_one_more_client_message_in()
    {
        var (connection, _) = await OpenAsync("/c");
        for (var i = 0; i < 33; i++)
        {
            await SendAsync("m" + i);
        }

        var publishes = _region.ReceiveN(32, SocketWork);
        _region.ExpectNoMsg(TimeSpan.FromMilliseconds(300));

        connection.Tell(new Published("/c", 1, 1, 1), _region.Ref);
        Assert.Equal("m32", Encoding.UTF8.GetString(_region.ExpectMsg<Publish>(SocketWork).Payload.Bytes));
        Assert.Equal(32, publishes.Count);
    }

    private IActorRef Start(string channel, HubContext? context = null)
    {
        var connection = Sys.ActorOf(HubSessionActor.Props);
        var request = new HubSessionRequest(channel, context ?? _context);
        connection.Tell(new StartSession(new OpenSession(HubSessionActor.Props, request, AcceptAsync, _outcome), 0));
        return connection;
    }

    private async Task<(IActorRef Connection, Action<Payload> Deliver)> OpenAsync(string channel)
    {
        var connection = Start(channel);
        _localChannels.ExpectMsg<Join>();
        var localChannel = CreateTestProbe();
        connection.Tell(new Joined(channel, localChannel.Ref));
        var activate = localChannel.ExpectMsg<Activate>(SocketWork);
        await AwaitConditionAsync(() => Task.FromResult(_client is not null), TimeSpan.FromSeconds(5));
        return (connection, activate.Deliver);
    }

    // The accept delegate the HTTP side would pass: here it opens a loopback TCP pair and wraps both ends.
    private async Task<WebSocket> AcceptAsync(string? subProtocol)
    {
        Interlocked.Increment(ref _acceptCalls);
        var clientTcp = new TcpClient();
        var connecting = clientTcp.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)_listener!.LocalEndpoint).Port);
        var serverTcp = await _listener.AcceptTcpClientAsync();
        await connecting;
        _client = WebSocket.CreateFromStream(clientTcp.GetStream(), new WebSocketCreationOptions { IsServer = false });
        return WebSocket.CreateFromStream(serverTcp.GetStream(), new WebSocketCreationOptions { IsServer = true });
    }

    private async Task SendAsync(string text)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _client!.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, cts.Token);
    }

    private async Task<(WebSocketMessageType Type, string Text)> ReceiveAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var buffer = new byte[1024];
        var result = await _client!.ReceiveAsync(buffer, cts.Token);
        return (result.MessageType, Encoding.UTF8.GetString(buffer, 0, result.Count));
    }
}
