using System.Net;
using System.Text;
using PingActors.Tests.Hub.Support;
using PingActors.Tests.Infrastructure;

namespace PingActors.Tests.Hub;

/// <summary>Pinghub case 7: the channel is the decoded path, 1-256 runes counting the slash, valid UTF-8, query ignored, not cleaned silently.</summary>
public sealed class PathSpecs(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    private const string InvalidUtf8 = "Error: bad request. Path must be valid Unicode (UTF-8).\n";
    private const string BadLength = "Error: bad request. Path length must be 1-256 Unicode characters (UTF-8).\n";

    private TestNode Node => fixture.Node;

    [Theory]
    [InlineData("GET")]
    [InlineData("POST")]
    public async Task Invalid_utf8_path_is_400_with_the_exact_text(string method)
    {
        var response = await RawHttp.SendAsync(Node.HubUri, method, "/%ff", body: method == "POST" ? "x"u8.ToArray() : null);
        Assert.Equal(400, response.Status);
        Assert.Equal("text/plain; charset=utf-8", response.Header("Content-Type"));
        Assert.Equal(InvalidUtf8, response.BodyText);
    }

    [Fact]
    public async Task Invalid_utf8_path_is_400_for_a_websocket_upgrade_too()
    {
        var response = await RawHttp.GetAsync(Node.HubUri, "/%ff", "Connection: Upgrade", "Upgrade: websocket", "Sec-WebSocket-Version: 13", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==");
        Assert.Equal(400, response.Status);
        Assert.Equal(InvalidUtf8, response.BodyText);
    }

    [Theory]
    [InlineData("a")]
    [InlineData("\u00e9")]
    [InlineData("\U0001F600")]
    public async Task Path_of_256_runes_counting_the_slash_is_a_channel_and_257_is_rejected(string rune)
    {
        var ok = "/" + string.Concat(Enumerable.Repeat(rune, 255));
        var tooLong = ok + rune;

        // The 256-rune path works end to end: subscribe and publish.
        await using var subscriber = await Node.ConnectAsync(Escape(ok));
        using var post = await Node.Http.PostAsync(Node.HttpUri(Escape(ok)), new StringContent("long"));
        Assert.Equal(HttpStatusCode.OK, post.StatusCode);
        Assert.Equal("long", await subscriber.ReceiveTextAsync());

        foreach (var method in new[] { "GET", "POST" })
        {
            var response = await RawHttp.SendAsync(Node.HubUri, method, Escape(tooLong), body: method == "POST" ? "x"u8.ToArray() : null);
            Assert.Equal(400, response.Status);
            Assert.Equal(BadLength, response.BodyText);
        }
    }

    [Fact]
    public async Task Query_string_is_not_part_of_the_channel()
    {
        var channel = ChannelNames.Unique("query");
        await using var subscriber = await Node.ConnectAsync(channel + "?sub=1");

        using var response = await Node.PostAsync(channel + "?x=1", "with query");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("with query", await subscriber.ReceiveTextAsync());

        await Node.PostAsync(channel, "without query");
        Assert.Equal("without query", await subscriber.ReceiveTextAsync());
    }

    [Fact]
    public async Task Trailing_slash_is_a_different_channel()
    {
        var channel = ChannelNames.Unique("slash");
        await using var bare = await Node.ConnectAsync(channel);
        await using var slashed = await Node.ConnectAsync(channel + "/");

        await Node.PostAsync(channel + "/", "to slashed");
        Assert.Equal("to slashed", await slashed.ReceiveTextAsync());

        await Node.PostAsync(channel, "to bare");
        Assert.Equal("to bare", await bare.ReceiveTextAsync());
        await Node.PostAsync(channel + "/", "slashed marker");
        Assert.Equal("slashed marker", await slashed.ReceiveTextAsync());
    }

    [Theory]
    [InlineData("GET", "/a//b", "/a/b")]
    [InlineData("POST", "/a//b", "/a/b")]
    [InlineData("GET", "//", "/")]
    [InlineData("GET", "/a/./b/", "/a/b/")]
    [InlineData("GET", "/a/../b?x=1", "/b?x=1")]
    public async Task Unclean_path_is_a_301_to_the_clean_one(string method, string target, string location)
    {
        var response = await RawHttp.SendAsync(Node.HubUri, method, target, body: method == "POST" ? "x"u8.ToArray() : null);
        Assert.Equal(301, response.Status);
        Assert.Equal(location, response.Header("Location"));
    }

    [Fact]
    public async Task Percent_encoded_path_is_the_same_channel_as_its_decoded_form()
    {
        var channel = ChannelNames.Unique("caf\u00e9");
        await using var subscriber = await Node.ConnectAsync(Escape(channel));
        var response = await RawHttp.SendAsync(Node.HubUri, "POST", Escape(channel).Replace("-", "%2D", StringComparison.Ordinal), body: "decoded"u8.ToArray());
        Assert.Equal(200, response.Status);
        Assert.Equal("decoded", await subscriber.ReceiveTextAsync());
    }

    private static string Escape(string path) =>
        string.Join('/', path.Split('/').Select(segment => string.Concat(Encoding.UTF8.GetBytes(segment).Select(b => b < 0x80 && (char.IsAsciiLetterOrDigit((char)b) || b == '-') ? ((char)b).ToString() : $"%{b:X2}"))));
}
