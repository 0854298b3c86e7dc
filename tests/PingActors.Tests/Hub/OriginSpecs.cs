using System.Net;
using System.Net.WebSockets;
using PingActors.Tests.Hub.Support;
using PingActors.Tests.Infrastructure;

namespace PingActors.Tests.Hub;

/// <summary>One node allowing exactly https://example.com, one allowing https://*.example.com.</summary>
public sealed class OriginFixture : IAsyncLifetime
{
    public TestNode Exact { get; private set; } = null!;

    public TestNode Wildcard { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var nodes = await Task.WhenAll(
            TestNode.StartAsync("pingactors.hub.allowed-origins=[\"https://example.com\"]"),
            TestNode.StartAsync("pingactors.hub.allowed-origins=[\"https://*.example.com\"]"));
        (Exact, Wildcard) = (nodes[0], nodes[1]);
    }

    public async Task DisposeAsync() => await Task.WhenAll(Exact.DisposeAsync().AsTask(), Wildcard.DisposeAsync().AsTask());
}

/// <summary>Pinghub case 9 (TestBadOrigin1/2) and wildcard entries.</summary>
public sealed class OriginSpecs(OriginFixture fixture) : IClassFixture<OriginFixture>
{
    [Theory]
    [InlineData(null, true)]
    [InlineData("https://example.com", true)]
    [InlineData("https://example.net", false)]
    [InlineData("http://example.com", false)]
    [InlineData("https://example.com:443", false)]
    [InlineData("https://EXAMPLE.com", false)]
    [InlineData("https://a.example.com", false)]
    [InlineData("https://example.com.evil.net", false)]
    [InlineData("null", false)]
    public async Task Exact_entry(string? origin, bool allowed) => await Check(fixture.Exact, origin, allowed);

    [Theory]
    [InlineData(null, true)]
    [InlineData("https://a.example.com", true)]
    [InlineData("https://a.b.example.com", true)]
    [InlineData("https://example.com", false)]
    [InlineData("https://evilexample.com", false)]
    [InlineData("http://a.example.com", false)]
    [InlineData("https://a.example.com:8443", false)]
    [InlineData("https://a.example.com.evil.net", false)]
    public async Task Wildcard_entry(string? origin, bool allowed) => await Check(fixture.Wildcard, origin, allowed);

    [Fact]
    public async Task Rejection_is_403_Forbidden_with_the_version_header()
    {
        var response = await RawHttp.GetAsync(
            fixture.Exact.HubUri,
            ChannelNames.Unique("forbidden"),
            "Connection: Upgrade",
            "Upgrade: websocket",
            "Sec-WebSocket-Version: 13",
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
            "Origin: https://example.net");
        Assert.Equal(403, response.Status);
        Assert.Equal("Forbidden\n", response.BodyText);
        Assert.Equal("13", response.Header("Sec-WebSocket-Version"));
    }

    [Fact]
    public async Task Post_is_never_origin_checked()
    {
        var channel = ChannelNames.Unique("postorigin");
        await using var subscriber = await fixture.Exact.ConnectAsync(channel);
        using var request = new HttpRequestMessage(HttpMethod.Post, fixture.Exact.HttpUri(channel)) { Content = new StringContent("from evil") };
        request.Headers.Add("Origin", "https://evil.net");
        using var response = await fixture.Exact.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("from evil", await subscriber.ReceiveTextAsync());
    }

    private static async Task Check(TestNode node, string? origin, bool allowed)
    {
        var channel = ChannelNames.Unique("origin");
        var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        if (origin is not null)
        {
            socket.Options.SetRequestHeader("Origin", origin);
        }

        using var cts = new CancellationTokenSource(WsClient.DefaultTimeout);
        try
        {
            if (allowed)
            {
                await socket.ConnectAsync(node.WsUri(channel), cts.Token);
                Assert.Equal(WebSocketState.Open, socket.State);
                await node.PostAsync(channel, "allowed");
                var buffer = new byte[64];
                var result = await socket.ReceiveAsync(buffer, cts.Token);
                Assert.Equal("allowed", System.Text.Encoding.UTF8.GetString(buffer, 0, result.Count));
                await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", cts.Token);
            }
            else
            {
                await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(node.WsUri(channel), cts.Token));
                Assert.Equal(HttpStatusCode.Forbidden, socket.HttpStatusCode);
            }
        }
        finally
        {
            socket.Dispose();
        }
    }
}
