using System.Globalization;
using System.IO.Compression;
using System.Net.WebSockets;
using System.Text;
using PingActors.Node.Configuration;
using PingActors.Node.Hosting;
using PingActors.Tests.Hub.Support;
using PingActors.Tests.Infrastructure;

namespace PingActors.Tests.Hub;

/// <summary>A node with permessage-deflate on for the hub (<c>pingactors.hub.deflate.enabled</c>).</summary>
public sealed class DeflateNodeFixture() : NodeFixture("pingactors.hub.deflate.enabled=on");

/// <summary>
/// permessage-deflate (RFC 7692): negotiated with a client that offers it when the node has it on, always
/// without context takeover; each published message is compressed once per node and the same frame goes to
/// every compressing subscriber; plain subscribers of the same channel are untouched.
/// </summary>
public sealed class DeflateSpecs(DeflateNodeFixture fixture) : IClassFixture<DeflateNodeFixture>
{
    private const string Compressions = "pingactors_deflate_compressions_total{feature=\"hub\"}";

    private TestNode Node => fixture.Node;

    [Fact]
    public async Task A_client_offering_deflate_gets_it_without_context_takeover_and_every_message_round_trips()
    {
        var channel = ChannelNames.Unique("deflate");
        await using var client = await ConnectDeflatingAsync(Node, channel);
        Assert.Equal(
            "permessage-deflate; server_no_context_takeover; client_no_context_takeover",
            client.Socket.HttpResponseHeaders!["Sec-WebSocket-Extensions"].Single());

        var small = "hi";
        var large = Json(0, 40_000);
        var binary = Encoding.ASCII.GetBytes(Json(1, 5_000));
        await Node.PostAsync(channel, small);
        await Node.PostAsync(channel, large);
        await Node.PostAsync(channel, binary);
        Assert.Equal(small, await client.ReceiveTextAsync());
        Assert.Equal(large, await client.ReceiveTextAsync());
        var received = await client.ReceiveAsync();
        Assert.Equal(WebSocketMessageType.Binary, received.Type);
        Assert.Equal(binary, received.Bytes);

        // Many, in order: the client decompresses each alone, so any reuse of context would break one.
        var messages = Enumerable.Range(0, 200).Select(i => Json(i, 100 + (i * 37 % 3000))).ToList();
        foreach (var message in messages)
        {
            await Node.PostAsync(channel, message);
        }

        foreach (var message in messages)
        {
            Assert.Equal(message, await client.ReceiveTextAsync());
        }
    }

    [Fact]
    public async Task A_client_that_would_keep_its_context_is_told_not_to_and_both_ways_work()
    {
        // .NET's default offer, like a browser's: context takeover both ways unless the server says no.
        var channel = ChannelNames.Unique("deflate-takeover");
        await using var client = await Node.ConnectAsync(channel, options =>
        {
            options.CollectHttpResponseDetails = true;
            options.DangerousDeflateOptions = new WebSocketDeflateOptions();
        });
        Assert.Equal(
            "permessage-deflate; server_no_context_takeover; client_no_context_takeover",
            client.Socket.HttpResponseHeaders!["Sec-WebSocket-Extensions"].Single());

        var messages = Enumerable.Range(0, 20).Select(i => Json(i, 800)).ToList();
        foreach (var message in messages)
        {
            await client.SendTextAsync(message);
        }

        foreach (var message in messages)
        {
            Assert.Equal(message, await client.ReceiveTextAsync());
        }
    }

    [Fact]
    public async Task A_client_that_offers_nothing_gets_a_plain_socket()
    {
        var channel = ChannelNames.Unique("deflate-none");
        await using var raw = await RawWebSocket.ConnectAsync(Node.HubUri, channel);
        Assert.DoesNotContain("Sec-WebSocket-Extensions", raw.Head, StringComparison.OrdinalIgnoreCase);

        var message = Json(7, 2_000);
        await Node.PostAsync(channel, message);
        var frame = await raw.ReadDataFrameAsync();
        Assert.False(frame.Rsv1);
        Assert.Equal(message, frame.AsText);
    }

    [Theory]
    [InlineData("permessage-deflate; server_max_window_bits=10")]
    [InlineData("permessage-deflate; client_no_context_takeover; client_no_context_takeover")]
    [InlineData("permessage-deflate; mystery")]
    [InlineData("x-webkit-deflate-frame")]
    public async Task An_offer_the_node_cannot_honour_gets_a_plain_socket(string offer)
    {
        var channel = ChannelNames.Unique("deflate-declined");
        await using var raw = await RawWebSocket.ConnectAsync(Node.HubUri, channel, extraHeaders: ["Sec-WebSocket-Extensions: " + offer]);
        Assert.DoesNotContain("Sec-WebSocket-Extensions", raw.Head, StringComparison.OrdinalIgnoreCase);

        var message = Json(3, 2_000);
        await Node.PostAsync(channel, message);
        var frame = await raw.ReadDataFrameAsync();
        Assert.False(frame.Rsv1);
        Assert.Equal(message, frame.AsText);
    }

    [Fact]
    public async Task Of_several_offers_the_first_the_node_can_honour_is_accepted()
    {
        var channel = ChannelNames.Unique("deflate-second");
        var offers = "Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=9, permessage-deflate; client_max_window_bits; server_max_window_bits=15";
        await using var raw = await RawWebSocket.ConnectAsync(Node.HubUri, channel, extraHeaders: [offers]);
        Assert.Contains("Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; client_no_context_takeover\r\n", raw.Head, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_raw_client_sees_rsv1_on_frames_that_inflate_to_the_message_and_plain_frames_below_min_size()
    {
        var channel = ChannelNames.Unique("deflate-raw");
        await using var raw = await RawWebSocket.ConnectAsync(Node.HubUri, channel, extraHeaders: ["Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits"]);
        Assert.Contains("Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; client_no_context_takeover\r\n", raw.Head, StringComparison.Ordinal);

        var text = Json(11, 1024);
        var binary = Encoding.UTF8.GetBytes(Json(12, 60_000));
        var tiny = "{\"a\":1}"; // below min-size (64 bytes): plain
        foreach (var response in new[] { await Node.PostAsync(channel, text), await Node.PostAsync(channel, binary), await Node.PostAsync(channel, tiny) })
        {
            Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        }

        var first = await raw.ReadDataFrameAsync();
        Assert.True(first.Rsv1);
        Assert.Equal(RawFrame.Text, first.Opcode);
        Assert.True(first.Payload.Length * 3 < text.Length, $"{first.Payload.Length} bytes on the wire for {text.Length}");
        Assert.Equal(text, Encoding.UTF8.GetString(Inflate(first.Payload)));

        var second = await raw.ReadDataFrameAsync();
        Assert.True(second.Rsv1);
        Assert.Equal(RawFrame.Binary, second.Opcode);
        Assert.Equal(binary, Inflate(second.Payload));

        var third = await raw.ReadDataFrameAsync();
        Assert.False(third.Rsv1);
        Assert.Equal(tiny, third.AsText);
    }

    [Fact]
    public async Task A_message_published_to_many_compressing_subscribers_is_compressed_once()
    {
        const int subscribers = 40;
        const int messages = 10;
        var channel = ChannelNames.Unique("deflate-once");
        var clients = new List<WsClient>();
        try
        {
            for (var i = 0; i < subscribers; i++)
            {
                clients.Add(await ConnectDeflatingAsync(Node, channel));
            }

            var published = Enumerable.Range(0, messages).Select(i => Json(i, 1024)).ToList();
            var before = await CompressionsAsync();
            foreach (var message in published)
            {
                await Node.PostAsync(channel, message);
            }

            foreach (var client in clients)
            {
                foreach (var message in published)
                {
                    Assert.Equal(message, await client.ReceiveTextAsync());
                }
            }

            // The tests of a class run one at a time, and this node is the class's own: every compression
            // counted here is one of these messages'. One per socket would be 400.
            Assert.Equal(messages, await CompressionsAsync() - before);
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_compressed_message_a_client_sends_reaches_plain_subscribers_decompressed()
    {
        var channel = ChannelNames.Unique("deflate-in");
        await using var publisher = await ConnectDeflatingAsync(Node, channel);
        await using var plain = await RawWebSocket.ConnectAsync(Node.HubUri, channel);

        var text = Json(5, 4_000);
        var binary = Encoding.UTF8.GetBytes(Json(6, 3_000));
        await publisher.SendTextAsync(text);
        await publisher.SendAsync(binary, WebSocketMessageType.Binary);

        var first = await plain.ReadDataFrameAsync();
        Assert.False(first.Rsv1);
        Assert.Equal(text, first.AsText);
        var second = await plain.ReadDataFrameAsync();
        Assert.False(second.Rsv1);
        Assert.Equal(RawFrame.Binary, second.Opcode);
        Assert.Equal(binary, second.Payload);

        // And back to the compressing publisher itself, compressed.
        Assert.Equal(text, await publisher.ReceiveTextAsync());
        Assert.Equal(binary, (await publisher.ReceiveAsync()).Bytes);
    }

    [Fact]
    public async Task Plain_and_compressing_subscribers_of_one_channel_get_the_same_messages_in_the_same_order()
    {
        var channel = ChannelNames.Unique("deflate-mixed");
        var deflating = new List<WsClient>();
        var plain = new List<WsClient>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                deflating.Add(await ConnectDeflatingAsync(Node, channel));
                plain.Add(await Node.ConnectAsync(channel));
            }

            Assert.All(plain, p => Assert.False(p.Socket.HttpResponseHeaders?.ContainsKey("Sec-WebSocket-Extensions") ?? false));

            // Sizes on both sides of min-size, so compressed and plain frames alternate on the compressing sockets.
            var messages = Enumerable.Range(0, 150).Select(i => i % 3 == 0 ? $"m{i}" : Json(i, 50 + (i * 53 % 2000))).ToList();
            var sending = Task.Run(async () =>
            {
                foreach (var message in messages)
                {
                    await Node.PostAsync(channel, message);
                }
            });

            var readers = deflating.Concat(plain).Select(async client =>
            {
                var got = new List<string>();
                for (var i = 0; i < messages.Count; i++)
                {
                    got.Add(await client.ReceiveTextAsync());
                }

                return got;
            }).ToList();
            await sending;
            foreach (var reader in readers)
            {
                Assert.Equal(messages, await reader);
            }
        }
        finally
        {
            foreach (var client in deflating.Concat(plain))
            {
                await client.DisposeAsync();
            }
        }
    }

    internal static Task<WsClient> ConnectDeflatingAsync(TestNode node, string channel) =>
        node.ConnectAsync(channel, options =>
        {
            options.CollectHttpResponseDetails = true;
            options.DangerousDeflateOptions = new WebSocketDeflateOptions { ClientContextTakeover = false, ServerContextTakeover = false };
        });

    /// <summary>A JSON-like text of about <paramref name="length"/> characters: repeated keys, varying values.</summary>
    internal static string Json(int seed, int length)
    {
        var text = new StringBuilder("[");
        var random = new Random(seed);
        for (var i = 0; text.Length < length; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"{{\"id\":{seed * 100_000 + i},\"user\":\"user-{random.Next(1000)}\",\"price\":{random.Next(100_000) / 100.0:F2},\"active\":{(random.Next(2) == 0 ? "true" : "false")}}},");
        }

        text.Length = length - 1;
        return text.Append(']').ToString();
    }

    internal static byte[] Inflate(byte[] compressed)
    {
        // RFC 7692 7.2.2: the receiver appends the 00 00 ff ff the sender removed.
        using var input = new MemoryStream([.. compressed, 0x00, 0x00, 0xFF, 0xFF]);
        using var inflate = new DeflateStream(input, CompressionMode.Decompress);
        using var output = new MemoryStream();
        inflate.CopyTo(output);
        return output.ToArray();
    }

    private async Task<double> CompressionsAsync()
    {
        var text = await Node.Http.GetStringAsync(new Uri(Node.OpsUri, "/metrics"));
        return text.Split('\n')
            .Where(l => l.StartsWith(Compressions + " ", StringComparison.Ordinal))
            .Select(l => double.Parse(l[(Compressions.Length + 1)..], CultureInfo.InvariantCulture))
            .Single();
    }
}

/// <summary>
/// Precompressed frames are written beside .NET's own (pongs, pings, the close): with a client that reads
/// nothing until megabytes of compressed frames are queued at the node, a pong asked for meanwhile must go
/// out whole between two of them.
/// </summary>
public sealed class DeflateBackpressureSpecs
{
    [Fact]
    public async Task A_pong_sent_while_compressed_frames_wait_on_a_full_socket_goes_out_whole_in_turn()
    {
        const int messages = 150;
        await using var node = await TestNode.StartAsync(
            "pingactors.hub.deflate.enabled=on",
            "pingactors.websocket.outbound.max-messages=1000",
            "pingactors.websocket.outbound.max-bytes=64MiB",
            "pingactors.websocket.outbound.write-timeout=60s");
        var channel = ChannelNames.Unique("deflate-pong");
        await using var raw = await RawWebSocket.ConnectAsync(node.HubUri, channel, receiveBufferSize: 4096, extraHeaders: ["Sec-WebSocket-Extensions: permessage-deflate"]);
        Assert.Contains("permessage-deflate", raw.Head, StringComparison.Ordinal);

        // Compressible only to about three quarters: some 45 KB per frame, 6 MB in all, more than the
        // client's receive buffer, the node's send buffer and Kestrel's output pipe hold together.
        var published = Enumerable.Range(0, messages).Select(i => Encoding.ASCII.GetBytes(Convert.ToBase64String(RandomBytes(i, 45_000)))).ToList();
        foreach (var message in published)
        {
            Assert.Equal(System.Net.HttpStatusCode.OK, (await node.PostAsync(channel, message)).StatusCode);
        }

        await raw.SendFrameAsync(RawFrame.Ping, Encoding.ASCII.GetBytes("in turn"));
        var received = 0;
        var pongs = 0;
        while (received < messages || pongs == 0)
        {
            var frame = await raw.ReadFrameAsync(TimeSpan.FromSeconds(30));
            Assert.NotNull(frame);
            if (frame.Opcode == RawFrame.Pong)
            {
                Assert.Equal("in turn", frame.AsText);
                pongs++;
                continue;
            }

            Assert.Equal(RawFrame.Binary, frame.Opcode);
            Assert.True(frame.Rsv1);
            Assert.Equal(published[received++], DeflateSpecs.Inflate(frame.Payload));
        }

        Assert.Equal(1, pongs);
    }

    private static byte[] RandomBytes(int seed, int count)
    {
        var bytes = new byte[count];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}

/// <summary>Off by default, and the keys' errors name them.</summary>
public sealed class DeflateOffSpecs
{
    [Fact]
    public async Task With_deflate_off_an_offer_is_declined_and_messages_are_plain()
    {
        await using var node = await TestNode.StartAsync();
        var channel = ChannelNames.Unique("deflate-off");
        await using var client = await DeflateSpecs.ConnectDeflatingAsync(node, channel);
        Assert.False(client.Socket.HttpResponseHeaders!.ContainsKey("Sec-WebSocket-Extensions"));
        await using var raw = await RawWebSocket.ConnectAsync(node.HubUri, channel, extraHeaders: ["Sec-WebSocket-Extensions: permessage-deflate"]);
        Assert.DoesNotContain("Sec-WebSocket-Extensions", raw.Head, StringComparison.OrdinalIgnoreCase);

        var message = DeflateSpecs.Json(9, 1024);
        await node.PostAsync(channel, message);
        Assert.Equal(message, await client.ReceiveTextAsync());
        var frame = await raw.ReadDataFrameAsync();
        Assert.False(frame.Rsv1);
        Assert.Equal(message, frame.AsText);
    }

    [Theory]
    [InlineData("pingactors.websocket.deflate.level=12", "pingactors.websocket.deflate.level")]
    [InlineData("pingactors.hub.deflate.enabled=maybe", "pingactors.hub.deflate.enabled")]
    [InlineData("pingactors.websocket.deflate.min-size=-1", "pingactors.websocket.deflate.min-size")]
    public void A_bad_deflate_key_is_refused_naming_it(string set, string key)
    {
        var loaded = ConfigLoader.Load(CommandLine.Parse(["--set", set]));
        var error = Assert.Throws<ConfigException>(() => NodeSetup.From(loaded));
        Assert.Contains(key, error.Message, StringComparison.Ordinal);
    }
}
