using System.Text;
using PingActors.Tests.Hub.Support;
using PingActors.Tests.Infrastructure;

namespace PingActors.Tests.Hub;

/// <summary>Requests broken below the application (framing, HTTP version) get a 400 with a reason, and the node carries on.</summary>
public sealed class MalformedRequestSpecs(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    private const string GoodKey = "dGhlIHNhbXBsZSBub25jZQ==";

    private TestNode Node => fixture.Node;

    // Kestrel keeps a chunk size in an int: these overflow it (which it reported as a 500), or are not hex.
    [Theory]
    [InlineData("ffffffffffffffffff")]
    [InlineData("10000000000000000")]
    [InlineData("7fffffffffffffff")]
    [InlineData("80000000")]
    [InlineData("xyz")]
    public async Task Chunk_size_that_overflows_or_is_not_hex_is_400_saying_so(string size)
    {
        var channel = ChannelNames.Unique("chunkoverflow");
        await using var subscriber = await Node.ConnectAsync(channel);

        var (head, body) = await SendRawAsync(
            $"POST {channel} HTTP/1.1\r\nHost: {Node.HubUri.Authority}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n" +
            $"{size}\r\nabc\r\n0\r\n\r\n");

        Assert.StartsWith("HTTP/1.1 400 ", head);
        Assert.Equal("Error: bad request. Malformed request body: Bad chunk size data.\n", body);

        // Nothing of it was published, and the node still serves.
        using (await Node.PostAsync(channel, "after"))
        {
        }

        Assert.Equal("after", await subscriber.ReceiveTextAsync());
    }

    [Fact]
    public async Task Http_1_0_upgrade_is_refused_before_the_upgrade()
    {
        var channel = ChannelNames.Unique("http10");
        var (head, body) = await SendRawAsync(
            $"GET {channel} HTTP/1.0\r\nHost: {Node.HubUri.Authority}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n" +
            $"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: {GoodKey}\r\n\r\n");

        Assert.StartsWith("HTTP/1.1 400 ", head);
        Assert.DoesNotContain("Sec-WebSocket-Accept", head, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("Error: bad request. WebSocket requires HTTP/1.1 or later.\n", body);
    }

    /// <summary>Writes <paramref name="request"/> as is and reads until the server closes the connection.</summary>
    private async Task<(string Head, string Body)> SendRawAsync(string request)
    {
        await using var raw = await RawWebSocket.OpenAsync(Node.HubUri);
        await raw.WriteAsync(Encoding.Latin1.GetBytes(request));
        var text = Encoding.Latin1.GetString(await raw.ReadToEndAsync(RawWebSocket.DefaultTimeout));
        var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        Assert.True(end > 0, $"no complete response head in: '{text}'");
        var head = text[..(end + 4)];
        var body = text[(end + 4)..];
        if (head.Contains("Transfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase))
        {
            body = Dechunk(body);
        }

        return (head, body);
    }

    private static string Dechunk(string chunked)
    {
        var output = new StringBuilder();
        var i = 0;
        while (true)
        {
            var lineEnd = chunked.IndexOf("\r\n", i, StringComparison.Ordinal);
            var size = Convert.ToInt32(chunked[i..lineEnd].Split(';')[0], 16);
            if (size == 0)
            {
                return output.ToString();
            }

            output.Append(chunked, lineEnd + 2, size);
            i = lineEnd + 2 + size + 2;
        }
    }
}
