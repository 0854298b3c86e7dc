using System.Diagnostics;
using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using PingActors.Tests.Infrastructure;

namespace PingActors.Tests.Cluster;

/// <summary>
/// A WebSocket subscriber that reads in the background and records every message with the time it arrived,
/// and how its socket ended (close frame or abort).
/// </summary>
public sealed class Subscriber : IAsyncDisposable
{
    private readonly ClientWebSocket _socket;
    private readonly CancellationTokenSource _stop = new();
    private readonly object _gate = new();
    private readonly List<(TimeSpan At, string Text)> _messages = [];
    private readonly TaskCompletionSource<string> _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _loop;

    private Subscriber(string name, ClientWebSocket socket)
    {
        Name = name;
        _socket = socket;
        _loop = Task.Run(ReadAsync);
    }

    public string Name { get; }

    /// <summary>How the socket ended ("close 1001 server shutting down", "aborted: ..."), once it has.</summary>
    public Task<string> Ended => _ended.Task;

    /// <summary>When it ended, on <see cref="Clock"/>.</summary>
    public TimeSpan? EndedAt { get; private set; }

    public bool IsOpen => !_ended.Task.IsCompleted;

    public IReadOnlyList<string> Texts
    {
        get
        {
            lock (_gate)
            {
                return _messages.Select(m => m.Text).ToList();
            }
        }
    }

    public IReadOnlyList<(TimeSpan At, string Text)> Messages
    {
        get
        {
            lock (_gate)
            {
                return _messages.ToList();
            }
        }
    }

    /// <summary>One clock for the whole test run: subscribers, publishers and the test's own events.</summary>
    public static Stopwatch Clock { get; } = Stopwatch.StartNew();

    public static async Task<Subscriber> ConnectAsync(NodeProcess node, string path, string name)
    {
        var socket = new ClientWebSocket();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await socket.ConnectAsync(node.WsUri(path), cts.Token);
        return new Subscriber(name, socket);
    }

    /// <summary>
    /// Polls (with a deadline) until the received texts satisfy <paramref name="condition"/>. With
    /// <paramref name="failOnTimeout"/> false it just returns, for a caller whose own checks say more.
    /// </summary>
    public async Task WaitUntilAsync(Func<IReadOnlyList<string>, bool> condition, TimeSpan timeout, string what, bool failOnTimeout = true)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition(Texts))
        {
            if (DateTime.UtcNow > deadline)
            {
                if (!failOnTimeout)
                {
                    return;
                }

                var texts = Texts;
                Assert.Fail($"{Name}: {what} not seen within {timeout} ({texts.Count} messages, last: {string.Join(", ", texts.TakeLast(5))}; socket {(IsOpen ? "open" : "ended: " + Ended.Result)})");
            }

            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _loop.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (TimeoutException)
        {
            // The socket is disposed below, which ends the read.
        }

        _socket.Dispose();
        _stop.Dispose();
    }

    private async Task ReadAsync()
    {
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        try
        {
            while (true)
            {
                var result = await _socket.ReceiveAsync(buffer, _stop.Token);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    End($"close {(int?)result.CloseStatus} {result.CloseStatusDescription}");
                    return;
                }

                message.Write(buffer, 0, result.Count);
                if (result.EndOfMessage)
                {
                    var text = Encoding.UTF8.GetString(message.GetBuffer(), 0, (int)message.Length);
                    message.SetLength(0);
                    lock (_gate)
                    {
                        _messages.Add((Clock.Elapsed, text));
                    }
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            End("disposed by the test");
        }
        catch (Exception e) when (e is WebSocketException or IOException or OperationCanceledException)
        {
            End("aborted: " + e.Message);
        }
    }

    private void End(string how)
    {
        EndedAt ??= Clock.Elapsed;
        _ended.TrySetResult(how);
    }
}

/// <summary>One POST and its answer.</summary>
public sealed record PostResult(string Body, int Status, long? Seq, int? Nodes, TimeSpan SentAt, TimeSpan AnsweredAt, string? Error)
{
    public bool Accepted => Status is >= 200 and < 300;
}

/// <summary>POSTs to a channel, one at a time or on a fixed beat, recording every answer.</summary>
public sealed class Publisher : IAsyncDisposable
{
    private readonly object _gate = new();
    private readonly List<PostResult> _results = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _inFlight = [];
    private Task? _loop;

    private Publisher(NodeProcess node, string path, string prefix)
    {
        Node = node;
        Path = path;
        Prefix = prefix;
    }

    public NodeProcess Node { get; }

    public string Path { get; }

    public string Prefix { get; }

    public IReadOnlyList<PostResult> Results
    {
        get
        {
            lock (_gate)
            {
                return _results.ToList();
            }
        }
    }

    /// <summary>
    /// Sequential: the next POST is sent only after the previous one was answered (and <paramref name="gap"/>
    /// later), so its 2xx messages must appear in the channel in the order they were sent.
    /// </summary>
    public static Publisher Sequential(NodeProcess node, string path, string prefix, TimeSpan gap, int limit = int.MaxValue)
    {
        var publisher = new Publisher(node, path, prefix);
        publisher._loop = Task.Run(async () =>
        {
            for (var n = 0; n < limit && !publisher._stop.IsCancellationRequested; n++)
            {
                publisher.Record(await PostAsync(node, path, $"{prefix}-{n}"));
                try
                {
                    await Task.Delay(gap, publisher._stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        });
        return publisher;
    }

    /// <summary>
    /// On a beat: a POST every <paramref name="every"/> whatever happened to the earlier ones (so a POST that
    /// hangs until the publish timeout does not delay the next). The body carries the send time.
    /// </summary>
    public static Publisher Beat(NodeProcess node, string path, string prefix, TimeSpan every)
    {
        var publisher = new Publisher(node, path, prefix);
        publisher._loop = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(every);
            for (var n = 0; !publisher._stop.IsCancellationRequested; n++)
            {
                var body = $"{prefix}-{n}@{Subscriber.Clock.Elapsed.TotalMilliseconds.ToString("F0", CultureInfo.InvariantCulture)}";
                var post = Task.Run(async () => publisher.Record(await PostAsync(node, path, body)));
                lock (publisher._gate)
                {
                    publisher._inFlight.Add(post);
                }

                try
                {
                    await timer.WaitForNextTickAsync(publisher._stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        });
        return publisher;
    }

    /// <summary>Polls until <paramref name="condition"/> holds for the answers so far.</summary>
    public async Task WaitUntilAsync(Func<IReadOnlyList<PostResult>, bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition(Results))
        {
            if (DateTime.UtcNow > deadline)
            {
                var results = Results;
                Assert.Fail($"publisher {Prefix}: {what} not within {timeout} ({results.Count} answers, last: {string.Join(", ", results.TakeLast(5).Select(r => $"{r.Body}={r.Status}{r.Error}"))})");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>Stops sending and waits for the answers of what was sent.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        if (_loop is not null)
        {
            await _loop;
        }

        Task[] inFlight;
        lock (_gate)
        {
            inFlight = _inFlight.ToArray();
        }

        await Task.WhenAll(inFlight);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
    }

    public static async Task<PostResult> PostAsync(NodeProcess node, string path, string body)
    {
        var sent = Subscriber.Clock.Elapsed;
        try
        {
            using var content = new StringContent(body);
            using var response = await LocalCluster.Http.PostAsync(node.HttpUri(path), content);
            long? seq = response.Headers.TryGetValues("X-PingActors-Seq", out var s) ? long.Parse(s.Single(), CultureInfo.InvariantCulture) : null;
            int? nodes = response.Headers.TryGetValues("X-PingActors-Nodes", out var n) ? int.Parse(n.Single(), CultureInfo.InvariantCulture) : null;
            return new PostResult(body, (int)response.StatusCode, seq, nodes, sent, Subscriber.Clock.Elapsed, null);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            // The node is gone (killed or shut down): not accepted.
            return new PostResult(body, 0, null, null, sent, Subscriber.Clock.Elapsed, e.GetType().Name);
        }
    }

    private void Record(PostResult result)
    {
        lock (_gate)
        {
            _results.Add(result);
        }
    }
}

/// <summary>Checks on what subscribers received.</summary>
public static class Delivery
{
    /// <summary>No message twice.</summary>
    public static void NoDuplicates(Subscriber subscriber)
    {
        var duplicates = subscriber.Texts.GroupBy(t => t).Where(g => g.Count() > 1).Select(g => $"{g.Key} x{g.Count()}").ToList();
        Assert.True(duplicates.Count == 0, $"{subscriber.Name} received duplicates: {string.Join(", ", duplicates.Take(20))}");
    }

    /// <summary>Every accepted (2xx) POST body was received.</summary>
    public static void HasAllAccepted(Subscriber subscriber, IEnumerable<PostResult> posts)
    {
        var received = subscriber.Texts.ToHashSet();
        var missing = posts.Where(p => p.Accepted && !received.Contains(p.Body)).Select(p => p.Body).ToList();
        Assert.True(missing.Count == 0, $"{subscriber.Name} is missing {missing.Count} accepted messages: {string.Join(", ", missing.Take(20))}");
    }

    /// <summary>
    /// A sequential publisher's messages appear in the order it sent them (the next POST left only after
    /// the previous one was sequenced).
    /// </summary>
    public static void InPublishOrder(Subscriber subscriber, Publisher publisher)
    {
        var results = publisher.Results;
        var order = results.Select((r, i) => (r.Body, i)).ToDictionary(x => x.Body, x => x.i);
        var last = -1;
        foreach (var text in subscriber.Texts)
        {
            if (order.TryGetValue(text, out var index))
            {
                if (index <= last)
                {
                    Assert.Fail($"{subscriber.Name}: {text} arrived after {results[last].Body}");
                }

                last = index;
            }
        }
    }

    /// <summary>Every subscriber received exactly the same messages in exactly the same order.</summary>
    public static void SameSequence(IReadOnlyList<Subscriber> subscribers)
    {
        var first = subscribers[0].Texts;
        foreach (var other in subscribers.Skip(1))
        {
            var texts = other.Texts;
            var at = Enumerable.Range(0, Math.Min(first.Count, texts.Count)).FirstOrDefault(i => first[i] != texts[i], -1);
            Assert.True(
                at < 0 && first.Count == texts.Count,
                $"{subscribers[0].Name} ({first.Count} messages) and {other.Name} ({texts.Count}) differ" + (at >= 0 ? $" at #{at}: {first[at]} vs {texts[at]}" : " in length"));
        }
    }
}

/// <summary>Disposes what a test collected, last first, even when the test failed half-way.</summary>
public sealed class Cleanup : IAsyncDisposable
{
    private readonly List<IAsyncDisposable> _items = [];

    public T Add<T>(T item)
        where T : IAsyncDisposable
    {
        _items.Add(item);
        return item;
    }

    public async ValueTask DisposeAsync()
    {
        for (var i = _items.Count - 1; i >= 0; i--)
        {
            await _items[i].DisposeAsync();
        }
    }
}
