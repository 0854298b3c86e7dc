using PingActors.Tests.Hub.Support;
using PingActors.Tests.Infrastructure;

namespace PingActors.Tests.Hub;

/// <summary>Handshake checks: version, key, and what an accepted handshake looks like.</summary>
public sealed class HandshakeSpecs(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    private const string GoodKey = "dGhlIHNhbXBsZSBub25jZQ==";

    private TestNode Node => fixture.Node;

    [Theory]
    [InlineData("8")]
    [InlineData("12")]
    [InlineData("14")]
    public async Task Unsupported_version_is_426_naming_version_13(string version)
    {
        var response = await Upgrade(ChannelNames.Unique("version"), $"Sec-WebSocket-Version: {version}", $"Sec-WebSocket-Key: {GoodKey}");
        Assert.Equal(426, response.Status);
        Assert.Equal("13", response.Header("Sec-WebSocket-Version"));
        Assert.NotEmpty(response.BodyText);
    }

    [Fact]
    public async Task Missing_version_is_426()
    {
        var response = await Upgrade(ChannelNames.Unique("noversion"), $"Sec-WebSocket-Key: {GoodKey}");
        Assert.Equal(426, response.Status);
        Assert.Equal("13", response.Header("Sec-WebSocket-Version"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not base64!")]
    [InlineData("dG9vIHNob3J0")]
    [InlineData("dGhpcyBrZXkgaXMgd2F5IHRvbyBsb25nIGZvciBhIGtleQ==")]
    public async Task Missing_or_malformed_key_is_400(string? key)
    {
        var headers = new List<string> { "Sec-WebSocket-Version: 13" };
        if (key is not null)
        {
            headers.Add($"Sec-WebSocket-Key: {key}");
        }

        var response = await Upgrade(ChannelNames.Unique("key"), [.. headers]);
        Assert.Equal(400, response.Status);
        Assert.Equal("Error: bad request. Missing or malformed Sec-WebSocket-Key.\n", response.BodyText);
    }

    [Fact]
    public async Task Accepted_handshake_is_101_with_the_right_accept_and_no_subprotocol()
    {
        var channel = ChannelNames.Unique("accept");
        await using var raw = await RawWebSocket.OpenAsync(Node.HubUri);
        await raw.WriteAsync(System.Text.Encoding.ASCII.GetBytes(
            $"GET {channel} HTTP/1.1\r\nHost: {Node.HubUri.Authority}\r\nConnection: keep-alive, Upgrade\r\nUpgrade: WebSocket\r\n" +
            $"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: {GoodKey}\r\nSec-WebSocket-Protocol: chat\r\n\r\n"));
        var head = await raw.ReadHeadAsync(RawWebSocket.DefaultTimeout);
        Assert.StartsWith("HTTP/1.1 101", head);

        // RFC 6455's own example key and accept value.
        Assert.Contains("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", head, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Sec-WebSocket-Protocol", head, StringComparison.OrdinalIgnoreCase);

        // The handshake completed after the subscription: a POST now is delivered.
        await Node.PostAsync(channel, "subscribed");
        Assert.Equal("subscribed", (await raw.ReadDataFrameAsync()).AsText);
    }

    private Task<RawResponse> Upgrade(string channel, params string[] headers) =>
        RawHttp.GetAsync(Node.HubUri, channel, ["Connection: Upgrade", "Upgrade: websocket", .. headers]);
}
