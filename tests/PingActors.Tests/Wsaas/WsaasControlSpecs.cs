using System.Net.WebSockets;
using PingActors.Tests.Wsaas.Support;

namespace PingActors.Tests.Wsaas;

/// <summary>WSaaS's control API: PUT /{id} pushes, DELETE /{id} closes, and the {"code": ...} answers.</summary>
public sealed class WsaasControlSpecs
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(500);

    [Fact]
    public async Task A_push_is_a_binary_frame_by_default_and_text_when_the_request_says_text()
    {
        await using var wsaas = await WsaasNode.StartAsync();
        var (client, id) = await wsaas.ConnectAsync();

        var binary = await wsaas.PutAsync(id, [1, 2, 255]);
        var text = await wsaas.PutAsync(id, "héllo", "text/plain; charset=utf-8");

        Assert.Equal(200, binary.Status);
        Assert.Equal("{\"code\": \"OK\"}", binary.BodyText);
        Assert.Equal("application/json", binary.Header("Content-Type"));
        Assert.Equal("{\"code\": \"OK\"}", text.BodyText);
        var first = await client.ReceiveAsync();
        Assert.Equal(WebSocketMessageType.Binary, first.Type);
        Assert.Equal(new byte[] { 1, 2, 255 }, first.Bytes);
        var second = await client.ReceiveAsync();
        Assert.Equal(WebSocketMessageType.Text, second.Type);
        Assert.Equal("héllo", second.Text);
        await client.DisposeAsync();
    }

    [Fact]
    public async Task A_DELETE_closes_with_1000_and_the_DELETE_callback_follows_once()
    {
        await using var wsaas = await WsaasNode.StartAsync();
        var (client, id) = await wsaas.ConnectAsync();

        var answer = await wsaas.DeleteAsync(id);

        Assert.Equal("{\"code\": \"OK\"}", answer.BodyText);
        var close = await client.ReceiveCloseAsync();
        Assert.Equal(WebSocketCloseStatus.NormalClosure, close.CloseStatus);
        await client.DisposeAsync();
        await wsaas.App.NextAsync($"DELETE /websocket/{id}");
        await Task.Delay(Quiet);
        Assert.Equal(1, wsaas.App.Count($"DELETE /websocket/{id}"));
        Assert.Equal("{\"code\": \"NOT_FOUND\"}", (await wsaas.PutAsync(id, "late")).BodyText);
    }

    [Fact]
    public async Task An_unknown_id_is_NOT_FOUND_and_another_method_BAD_REQUEST()
    {
        await using var wsaas = await WsaasNode.StartAsync();

        Assert.Equal("{\"code\": \"NOT_FOUND\"}", (await wsaas.PutAsync("no-such-id", "x")).BodyText);
        Assert.Equal("{\"code\": \"NOT_FOUND\"}", (await wsaas.DeleteAsync("no-such-id")).BodyText);
        var get = await Hub.Support.RawHttp.GetAsync(wsaas.ControlUri, "/no-such-id");
        Assert.Equal(200, get.Status);
        Assert.Equal("{\"code\": \"BAD_REQUEST\"}", get.BodyText);
    }

    [Theory]
    [InlineData(new byte[] { 0xC3, 0x28 })] // a lead byte without its continuation
    [InlineData(new byte[] { 0xC0, 0xAF })] // an overlong "/"
    [InlineData(new byte[] { 0xED, 0xA0, 0x80 })] // a UTF-16 surrogate, not a character
    public async Task A_text_push_that_is_not_UTF8_is_BAD_REQUEST_and_the_same_bytes_go_as_binary(byte[] bytes)
    {
        await using var wsaas = await WsaasNode.StartAsync();
        var (client, id) = await wsaas.ConnectAsync();

        Assert.Equal("{\"code\": \"BAD_REQUEST\"}", (await wsaas.PutAsync(id, bytes, "text/plain")).BodyText);
        Assert.Equal("{\"code\": \"OK\"}", (await wsaas.PutAsync(id, "ok \U0001F600", "text/plain")).BodyText);
        Assert.Equal("{\"code\": \"OK\"}", (await wsaas.PutAsync(id, bytes)).BodyText);

        // The refused one never reached the client: the next two did, in order.
        var text = await client.ReceiveAsync();
        Assert.Equal(WebSocketMessageType.Text, text.Type);
        Assert.Equal("ok \U0001F600", text.Text);
        var binary = await client.ReceiveAsync();
        Assert.Equal(WebSocketMessageType.Binary, binary.Type);
        Assert.Equal(bytes, binary.Bytes);
        await client.DisposeAsync();
    }

    [Fact]
    public async Task A_push_of_MAX_PAGE_pages_or_more_is_MESSAGE_TOO_LONG_even_for_an_unknown_id()
    {
        await using var wsaas = await WsaasNode.StartAsync("pingactors.wsaas.max-page=1");
        var (client, id) = await wsaas.ConnectAsync();

        Assert.Equal("{\"code\": \"MESSAGE_TOO_LONG\"}", (await wsaas.PutAsync(id, new byte[32 * 1024])).BodyText);
        Assert.Equal("{\"code\": \"MESSAGE_TOO_LONG\"}", (await wsaas.PutAsync("no-such-id", new byte[32 * 1024])).BodyText);
        Assert.Equal("{\"code\": \"OK\"}", (await wsaas.PutAsync(id, new byte[(32 * 1024) - 1])).BodyText);
        Assert.Equal((32 * 1024) - 1, (await client.ReceiveAsync()).Bytes.Length);
        await client.DisposeAsync();
    }
}
