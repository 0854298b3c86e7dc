using System.Collections.Concurrent;
using System.Net;
using System.Text;
using PingActors.Tests.Hub.Support;
using PingActors.Tests.Infrastructure;

namespace PingActors.Tests.Hub;

/// <summary>
/// Pinghub's TestClients1/10/100: clients in turn either subscribe and send a random string (waiting for
/// its echo), or POST one. Afterwards every subscriber holds exactly the non-empty messages published since
/// it subscribed, in order: sender echo, empty messages not broadcast, FIFO, no history.
/// </summary>
public sealed class ClientsSpecs(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    private TestNode Node => fixture.Node;

    [Theory]
    [InlineData(1, false)]
    [InlineData(10, false)]
    [InlineData(100, false)]
    [InlineData(10, true)]
    [InlineData(100, true)]
    public async Task Clients(int n, bool randomPath)
    {
        var random = new Random(n * 7919 + (randomPath ? 1 : 0));
        var path = randomPath ? Escape(RandomPath(random)) : ChannelNames.Unique("clients");
        var published = new List<string>();
        var subscribers = new List<Subscriber>();
        try
        {
            for (var i = 0; i < n; i++)
            {
                var message = RandomText(random);
                if (random.Next(2) == 0)
                {
                    var subscriber = new Subscriber(await Node.ConnectAsync(path), published.Count);
                    subscribers.Add(subscriber);
                    await subscriber.Client.SendTextAsync(message);
                    if (message.Length > 0)
                    {
                        published.Add(message);
                    }

                    // Wait for the echo (an empty message is echoed to its sender only).
                    await subscriber.WaitForAsync(message);
                }
                else
                {
                    using var response = await Node.PostAsync(path, message);
                    Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                    Assert.Equal("OK\n", await response.Content.ReadAsStringAsync());
                    if (message.Length > 0)
                    {
                        published.Add(message);
                    }
                }
            }

            const string end = "\u0000end-of-test";
            await Node.PostAsync(path, end);
            foreach (var subscriber in subscribers)
            {
                await subscriber.WaitForAsync(end);
                var expected = published.Skip(subscriber.SubscribedAt).ToList();
                var got = subscriber.Messages.Where(m => m.Length > 0 && m != end).ToList();
                Assert.Equal(expected, got);
            }
        }
        finally
        {
            foreach (var subscriber in subscribers)
            {
                await subscriber.DisposeAsync();
            }
        }
    }

    private static string RandomText(Random random)
    {
        if (random.Next(5) == 0)
        {
            return string.Empty;
        }

        var text = new StringBuilder();
        var length = random.Next(1, 40);
        for (var i = 0; i < length; i++)
        {
            text.Append(RandomRune(random).ToString());
        }

        return text.ToString();
    }

    private static string RandomPath(Random random)
    {
        var path = new StringBuilder("/");
        var length = random.Next(1, 60);
        while (path.Length < length)
        {
            var rune = RandomRune(random);
            if (rune.Value is not ('/' or '.' or '?' or '#'))
            {
                path.Append(rune.ToString());
            }
        }

        return path.ToString();
    }

    private static Rune RandomRune(Random random) => random.Next(4) switch
    {
        0 => new Rune(random.Next(0x20, 0x7F)),
        1 => new Rune(random.Next(0xA0, 0x800)),
        2 => new Rune(random.Next(0x4E00, 0x9FFF)),
        _ => new Rune(random.Next(0x1F300, 0x1F64F)),
    };

    private static string Escape(string path) =>
        string.Concat(Encoding.UTF8.GetBytes(path).Select(b => b == '/' || char.IsAsciiLetterOrDigit((char)b) ? ((char)b).ToString() : $"%{b:X2}"));

    private sealed class Subscriber : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _reader;
        private readonly SemaphoreSlim _arrived = new(0);

        public Subscriber(WsClient client, int subscribedAt)
        {
            Client = client;
            SubscribedAt = subscribedAt;
            _reader = Task.Run(ReadAsync);
        }

        public WsClient Client { get; }

        public int SubscribedAt { get; }

        public ConcurrentQueue<string> Messages { get; } = new();

        public async Task WaitForAsync(string message)
        {
            var deadline = DateTime.UtcNow + WsClient.DefaultTimeout;
            while (!Messages.Contains(message))
            {
                var left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero || _reader.IsCompleted)
                {
                    await (_reader.IsCompleted ? _reader : Task.CompletedTask);
                    throw new Xunit.Sdk.XunitException($"never received '{message}'; got [{string.Join(", ", Messages)}]");
                }

                await _arrived.WaitAsync(left);
            }
        }

        public async ValueTask DisposeAsync()
        {
            _stop.Cancel();
            await Client.DisposeAsync();
            try
            {
                await _reader;
            }
            catch (Exception)
            {
                // Reading stops when the socket is closed under it.
            }
        }

        private async Task ReadAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                var received = await Client.ReceiveAsync(TimeSpan.FromMinutes(2));
                if (received.IsClose)
                {
                    return;
                }

                Messages.Enqueue(received.Text);
                _arrived.Release();
            }
        }
    }
}
