using System.Net;
using PingActors.Tests.Hub.Support;
using PingActors.Tests.Infrastructure;

namespace PingActors.Tests.Hub;

/// <summary>Pinghub case 8: methods other than GET and POST are 405 with an empty body; a plain GET is the HTML page (TestHTML, TestXSS).</summary>
public sealed class MethodSpecs(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    private TestNode Node => fixture.Node;

    [Theory]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    [InlineData("HEAD")]
    [InlineData("OPTIONS")]
    [InlineData("PATCH")]
    public async Task Other_methods_are_405_with_an_empty_body(string method)
    {
        var channel = ChannelNames.Unique("method");
        using var request = new HttpRequestMessage(new HttpMethod(method), Node.HttpUri(channel));
        if (method is "PUT" or "PATCH")
        {
            request.Content = new StringContent("body");
        }

        using var response = await Node.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(0, response.Content.Headers.ContentLength ?? 0);
    }

    [Fact]
    public async Task Put_is_not_published()
    {
        var channel = ChannelNames.Unique("put");
        await using var subscriber = await Node.ConnectAsync(channel);
        using var put = await Node.Http.PutAsync(Node.HttpUri(channel), new StringContent("put"));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, put.StatusCode);

        await Node.PostAsync(channel, "marker");
        Assert.Equal("marker", await subscriber.ReceiveTextAsync());
    }

    [Fact]
    public async Task Post_with_upgrade_headers_is_405_and_not_published()
    {
        var channel = ChannelNames.Unique("postupgrade");
        await using var subscriber = await Node.ConnectAsync(channel);
        var response = await RawHttp.SendAsync(
            Node.HubUri,
            "POST",
            channel,
            ["Connection: Upgrade", "Upgrade: websocket", "Sec-WebSocket-Version: 13", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=="],
            "upgrade post"u8.ToArray());
        Assert.Equal(405, response.Status);
        Assert.Empty(response.Body);

        await Node.PostAsync(channel, "marker");
        Assert.Equal("marker", await subscriber.ReceiveTextAsync());
    }

    [Fact]
    public async Task Plain_get_is_the_html_page_naming_the_channel()
    {
        var channel = ChannelNames.Unique("somestring");
        using var response = await Node.Http.GetAsync(Node.HttpUri(channel));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("<html>", html);
        Assert.Contains(channel, html);
    }

    [Fact]
    public async Task Html_page_escapes_the_raw_path()
    {
        // HttpClient would percent-encode the brackets; Pinghub's TestXSS sends them raw.
        var response = await RawHttp.GetAsync(Node.HubUri, "/<xss>");
        Assert.Equal(200, response.Status);
        var html = response.BodyText;
        Assert.Contains("<html>", html);
        Assert.DoesNotContain("<xss>", html);
        Assert.Contains("&lt;xss&gt;", html);
    }

    [Fact]
    public async Task Html_page_escapes_a_percent_encoded_path_after_decoding()
    {
        var response = await RawHttp.GetAsync(Node.HubUri, "/%3Cscript%3Ealert(1)%3C%2Fscript%3E");
        Assert.Equal(200, response.Status);
        Assert.DoesNotContain("<script>alert", response.BodyText);
    }
}

public sealed class HtmlPageOffFixture() : NodeFixture("pingactors.hub.html-page=off");

/// <summary>With <c>pingactors.hub.html-page = off</c> a plain GET is refused like any other method.</summary>
public sealed class HtmlPageOffSpecs(HtmlPageOffFixture fixture) : IClassFixture<HtmlPageOffFixture>
{
    [Fact]
    public async Task Plain_get_is_405_and_websockets_and_posts_still_work()
    {
        var node = fixture.Node;
        var channel = ChannelNames.Unique("nopage");
        using (var get = await node.Http.GetAsync(node.HttpUri(channel)))
        {
            Assert.Equal(HttpStatusCode.MethodNotAllowed, get.StatusCode);
            Assert.Empty(await get.Content.ReadAsByteArrayAsync());
        }

        await using var subscriber = await node.ConnectAsync(channel);
        await node.PostAsync(channel, "works");
        Assert.Equal("works", await subscriber.ReceiveTextAsync());
    }
}
