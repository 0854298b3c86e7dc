using PingActors.Tests.Infrastructure;

namespace PingActors.Tests;

public sealed class HubSmokeSpecs
{
    [Fact]
    public async Task Post_reaches_two_subscribers_and_not_another_channel()
    {
        await using var node = await TestNode.StartAsync();
        await using var a = await node.ConnectAsync("/smoke");
        await using var b = await node.ConnectAsync("/smoke");
        await using var other = await node.ConnectAsync("/other");

        var response = await node.PostAsync("/smoke", "hello");
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("OK\n", await response.Content.ReadAsStringAsync());

        Assert.Equal("hello", await a.ReceiveTextAsync());
        Assert.Equal("hello", await b.ReceiveTextAsync());

        await node.PostAsync("/other", "marker");
        Assert.Equal("marker", await other.ReceiveTextAsync());
    }
}
