// Baseline: the smallest useful bare-Kestrel WebSocket broadcaster, used as the ceiling in the benchmarks.
//   WebSocket upgrade on any path  -> joins the set of sockets for that path
//   POST /path                     -> the body is queued for that path's broadcaster and the POST answered "OK\n"
//                                     (as the node answers once the message is sequenced, not delivered); one
//                                     broadcaster task per path writes it to every socket as one frame
//   an empty client message        -> echoed to that client only (as the node does)
//   a non-empty client message     -> queued for the path's broadcaster like a POST, the sender included (as the
//                                     node does: Pinghub-style publishing, for the ws-publish scenario)
//   GET /stats on the hub port     -> {"connections":N,"channels":N}
//   --publish-backlog N            -> a POST's answer waits while N or more deliveries are queued (the node's
//                                     rule; default 0: no limit, the answer never waits)
// No actors, no sequencing, no limits beyond a 64 KiB message cap (and the backlog when asked for). Idle
// sockets hold no buffer: each waits with a zero-byte read and rents a buffer only once a frame has arrived,
// as the node does.
using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.WebSockets;
using System.Threading.Channels;

var listen = "127.0.0.1:8090";
long backlogLimit = 0;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--listen" when i + 1 < args.Length:
            listen = args[++i];
            break;
        case "--publish-backlog":
            if (i + 1 >= args.Length || !long.TryParse(args[i + 1], out var n) || n < 0)
            {
                Console.Error.WriteLine("error: --publish-backlog needs a whole number of socket deliveries, 0 or more");
                return 2;
            }

            backlogLimit = n;
            i++;
            break;
        case "-h" or "--help":
            Console.WriteLine("Baseline [--listen host:port] [--publish-backlog N]   (defaults 127.0.0.1:8090, 0)\n" +
                              "Bare-Kestrel WebSocket broadcaster: WS on a path subscribes, POST to the path broadcasts, GET /stats.\n" +
                              "--publish-backlog N: answer a POST only once fewer than N socket deliveries wait for a broadcaster\n" +
                              "(the node's pingactors.hub.publish-backlog rule; 0 = answer at once).");
            return 0;
        default:
            Console.Error.WriteLine($"error: unknown argument {args[i]}");
            return 2;
    }
}

var colon = listen.LastIndexOf(':');
var endpoint = new IPEndPoint(IPAddress.Parse(listen[..colon]), int.Parse(listen[(colon + 1)..]));

var builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
builder.WebHost.ConfigureKestrel(k =>
{
    k.AddServerHeader = false;
    k.Listen(endpoint);
});
var app = builder.Build();
app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(27) });

var backlog = backlogLimit > 0 ? new PublishBacklog(backlogLimit) : null;
var hub = new Hub(backlog);
app.Run(async context =>
{
    var path = context.Request.Path.Value ?? "/";
    if (context.WebSockets.IsWebSocketRequest)
    {
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var conn = new Conn(socket);
        var set = hub.Join(path, conn);
        conn.Set = set;
        try
        {
            await conn.ReadLoopAsync();
        }
        finally
        {
            hub.Leave(path, set, conn);
        }
    }
    else if (HttpMethods.IsPost(context.Request.Method))
    {
        var body = await ReadBodyAsync(context.Request);
        if (body is null)
        {
            context.Response.StatusCode = 413;
            return;
        }

        if (body.Length > 0 && hub.TryGet(path, out var set))
        {
            set.Enqueue(body);
            if (backlog is not null)
            {
                try
                {
                    await backlog.WhenBelowAsync().WaitAsync(TimeSpan.FromSeconds(10));
                }
                catch (TimeoutException)
                {
                    // As the node does after its publish-timeout: answer anyway.
                }
            }
        }

        await context.Response.WriteAsync("OK\n");
    }
    else if (path == "/stats")
    {
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync($"{{\"connections\":{hub.Connections},\"channels\":{hub.Channels}}}");
    }
    else
    {
        context.Response.StatusCode = 405;
    }
});

await app.StartAsync();
Console.WriteLine($"Baseline listening on http://{listen}/ (pid {Environment.ProcessId})");
await app.WaitForShutdownAsync();
return 0;

static async Task<byte[]?> ReadBodyAsync(HttpRequest request)
{
    const int Limit = 64 * 1024;
    using var ms = new MemoryStream(request.ContentLength is > 0 and <= Limit ? (int)request.ContentLength : 256);
    var buffer = ArrayPool<byte>.Shared.Rent(4096);
    try
    {
        int n;
        while ((n = await request.Body.ReadAsync(buffer)) > 0)
        {
            if (ms.Length + n > Limit)
            {
                return null;
            }

            ms.Write(buffer, 0, n);
        }
    }
    finally
    {
        ArrayPool<byte>.Shared.Return(buffer);
    }

    return ms.ToArray();
}

sealed class Hub(PublishBacklog? backlog)
{
    private readonly ConcurrentDictionary<string, Members> _channels = new();
    private int _connections;

    public int Connections => Volatile.Read(ref _connections);

    public int Channels => _channels.Count;

    public Members Join(string path, Conn conn)
    {
        Interlocked.Increment(ref _connections);
        while (true)
        {
            var set = _channels.GetOrAdd(path, _ => new Members(backlog));
            lock (set)
            {
                // A set removed by the last Leave is dead; take a fresh one.
                if (_channels.TryGetValue(path, out var current) && ReferenceEquals(current, set))
                {
                    set.Start();
                    if (set.Sockets.TryAdd(conn, 0))
                    {
                        set.Count++;
                    }

                    return set;
                }
            }
        }
    }

    public void Leave(string path, Members set, Conn conn)
    {
        Interlocked.Decrement(ref _connections);
        lock (set)
        {
            if (set.Sockets.TryRemove(conn, out _))
            {
                set.Count--;
            }

            if (set.Sockets.IsEmpty)
            {
                _channels.TryRemove(new KeyValuePair<string, Members>(path, set));
                set.Complete();
            }
        }
    }

    public bool TryGet(string path, out Members set) => _channels.TryGetValue(path, out set!);
}

/// <summary>One path: its sockets and the queue its broadcaster drains, in order.</summary>
sealed class Members(PublishBacklog? backlog)
{
    private Task? _pump;

    public ConcurrentDictionary<Conn, byte> Sockets { get; } = new();

    // The sockets' count, changed under the set's lock (ConcurrentDictionary.Count takes every bucket's lock).
    private int _count;

    public int Count
    {
        get => Volatile.Read(ref _count);
        set => Volatile.Write(ref _count, value);
    }

    private Channel<(byte[] Message, int Weight)> Queue { get; } =
        Channel.CreateUnbounded<(byte[] Message, int Weight)>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>Queues a message for the broadcaster, counted in the backlog as one delivery per socket.</summary>
    public void Enqueue(byte[] message)
    {
        var weight = backlog is null ? 0 : Count;
        backlog?.Added(weight);
        if (!Queue.Writer.TryWrite((message, weight)))
        {
            backlog?.Removed(weight); // the path was just left by its last socket
        }
    }

    public void Complete() => Queue.Writer.TryComplete();

    public void Start() => _pump ??= Task.Run(PumpAsync);

    private async Task PumpAsync()
    {
        var reader = Queue.Reader;
        while (await reader.WaitToReadAsync())
        {
            while (reader.TryRead(out var queued))
            {
                var message = queued.Message;
                backlog?.Removed(queued.Weight);
                foreach (var member in Sockets)
                {
                    member.Key.Send(message);
                }
            }
        }
    }
}

/// <summary>One socket: a zero-byte-read receive loop and a serialised, mostly synchronous send path.</summary>
sealed class Conn(WebSocket socket)
{
    private const int MaxQueued = 1024;
    private const int MaxMessage = 64 * 1024;

    /// <summary>The path this socket joined: a non-empty message from the client is broadcast there.</summary>
    public Members? Set { get; set; }
    private Queue<byte[]>? _queue;
    private bool _writing;

    public async Task ReadLoopAsync()
    {
        try
        {
            while (true)
            {
                var first = await socket.ReceiveAsync(Memory<byte>.Empty, CancellationToken.None);
                if (first.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }

                var total = 0;
                var end = first.EndOfMessage;
                if (!end)
                {
                    var buffer = ArrayPool<byte>.Shared.Rent(4096);
                    try
                    {
                        while (!end)
                        {
                            if (total == buffer.Length)
                            {
                                if (total >= MaxMessage)
                                {
                                    socket.Abort(); // too big
                                    return;
                                }

                                var bigger = ArrayPool<byte>.Shared.Rent(total * 2);
                                buffer.AsSpan(0, total).CopyTo(bigger);
                                ArrayPool<byte>.Shared.Return(buffer);
                                buffer = bigger;
                            }

                            var r = await socket.ReceiveAsync(buffer.AsMemory(total), CancellationToken.None);
                            if (r.MessageType == WebSocketMessageType.Close)
                            {
                                goto closed;
                            }

                            total += r.Count;
                            end = r.EndOfMessage;
                        }

                        if (total > 0)
                        {
                            Set?.Enqueue(buffer.AsSpan(0, total).ToArray());
                        }
                    }
                    finally
                    {
                        ArrayPool<byte>.Shared.Return(buffer);
                    }
                }

                if (total == 0)
                {
                    Send([]); // keepalive echo
                }
            }

            closed:
            if (socket.State == WebSocketState.CloseReceived)
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
            }
        }
        catch (Exception)
        {
            socket.Abort();
        }
    }

    public void Send(byte[] message)
    {
        lock (this)
        {
            if (_writing)
            {
                var q = _queue ??= new Queue<byte[]>();
                if (q.Count >= MaxQueued)
                {
                    socket.Abort(); // slow consumer
                    return;
                }

                q.Enqueue(message);
                return;
            }

            _writing = true;
        }

        WriteFrom(message);
    }

    private void WriteFrom(byte[] message)
    {
        while (true)
        {
            ValueTask pending;
            try
            {
                pending = socket.SendAsync(message.AsMemory(), WebSocketMessageType.Text, true, CancellationToken.None);
            }
            catch (Exception)
            {
                socket.Abort();
                return;
            }

            if (!pending.IsCompletedSuccessfully)
            {
                _ = AwaitThenContinue(pending);
                return;
            }

            lock (this)
            {
                if (_queue is not { Count: > 0 } q)
                {
                    _writing = false;
                    return;
                }

                message = q.Dequeue();
            }
        }
    }

    private async Task AwaitThenContinue(ValueTask pending)
    {
        try
        {
            await pending;
        }
        catch (Exception)
        {
            socket.Abort();
            return;
        }

        byte[] next;
        lock (this)
        {
            if (_queue is not { Count: > 0 } q)
            {
                _writing = false;
                return;
            }

            next = q.Dequeue();
        }

        WriteFrom(next);
    }
}
