using PingActors.Tests.Hub.Support;
using PingActors.Tests.Infrastructure;

namespace PingActors.Tests.Ops;

/// <summary>The ops paths are read-only: GET and HEAD are served, any other method is 405 naming them.</summary>
public sealed class OpsMethodSpecs(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    private TestNode Node => fixture.Node;

    public static TheoryData<string, string> OtherMethods()
    {
        var data = new TheoryData<string, string>();
        foreach (var path in new[] { "/ping", "/stats", "/metrics", "/cluster" })
        {
            foreach (var method in new[] { "POST", "PUT", "DELETE", "PATCH", "OPTIONS" })
            {
                data.Add(path, method);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(OtherMethods))]
    public async Task Method_other_than_get_or_head_is_405_with_allow(string path, string method)
    {
        var response = await RawHttp.SendAsync(Node.OpsUri, method, path, body: method is "POST" or "PUT" or "PATCH" ? "{}"u8.ToArray() : null);
        Assert.Equal(405, response.Status);
        Assert.Equal("GET, HEAD", response.Header("Allow"));
        Assert.Equal($"Error: method not allowed. {path} answers GET and HEAD only.\n", response.BodyText);
    }

    [Theory]
    [InlineData("/ping")]
    [InlineData("/stats")]
    [InlineData("/metrics")]
    [InlineData("/cluster")]
    public async Task Get_and_head_are_200(string path)
    {
        var get = await RawHttp.SendAsync(Node.OpsUri, "GET", path);
        Assert.Equal(200, get.Status);
        Assert.NotEmpty(get.Body);

        var head = await RawHttp.SendAsync(Node.OpsUri, "HEAD", path);
        Assert.Equal(200, head.Status);
        Assert.Empty(head.Body);
    }

    [Fact]
    public async Task Unknown_path_is_404_whatever_the_method()
    {
        var response = await RawHttp.SendAsync(Node.OpsUri, "POST", "/nowhere", body: "x"u8.ToArray());
        Assert.Equal(404, response.Status);
    }
}
