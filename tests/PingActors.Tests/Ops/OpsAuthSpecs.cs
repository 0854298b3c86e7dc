using PingActors.Node.Configuration;
using PingActors.Node.Hosting;
using PingActors.Tests.Hub.Support;
using PingActors.Tests.Infrastructure;

namespace PingActors.Tests.Ops;

/// <summary>Ops is admin: a bearer token guards it, and a node whose ops listener is reachable from outside refuses to start without one.</summary>
public sealed class OpsAuthSpecs
{
    [Fact]
    public async Task With_a_token_every_path_but_ping_needs_it()
    {
        await using var node = await TestNode.StartAsync("pingactors.ops.auth-token=s3cret");

        var missing = await RawHttp.GetAsync(node.OpsUri, "/stats");
        Assert.Equal(401, missing.Status);
        Assert.Equal("Bearer realm=\"pingactors-ops\"", missing.Header("WWW-Authenticate"));
        Assert.Equal(401, (await RawHttp.GetAsync(node.OpsUri, "/metrics", "Authorization: Bearer wrong")).Status);
        Assert.Equal(401, (await RawHttp.GetAsync(node.OpsUri, "/cluster", "Authorization: s3cret")).Status);

        Assert.Equal(200, (await RawHttp.GetAsync(node.OpsUri, "/stats", "Authorization: Bearer s3cret")).Status);
        Assert.Equal(200, (await RawHttp.GetAsync(node.OpsUri, "/ping")).Status);
    }

    [Fact]
    public async Task Without_a_token_ops_on_loopback_is_open()
    {
        await using var node = await TestNode.StartAsync();

        Assert.Equal(200, (await RawHttp.GetAsync(node.OpsUri, "/stats")).Status);
    }

    [Theory]
    [InlineData("0.0.0.0:0")]
    [InlineData("[::]:0")]
    public void Ops_beyond_loopback_without_a_token_is_refused_at_start_naming_the_key(string listen)
    {
        var config = ConfigLoader.Load(CommandLine.Parse(["--set", $"pingactors.ops.listen=\"{listen}\""]), _ => null);

        var error = Assert.Throws<ConfigException>(() => NodeSetup.From(config));

        Assert.StartsWith("--set: pingactors.ops.listen: expected a loopback address, or pingactors.ops.auth-token set (ops is admin), got", error.Message, StringComparison.Ordinal);
        var withToken = ConfigLoader.Load(CommandLine.Parse(["--set", $"pingactors.ops.listen=\"{listen}\"", "--set", "pingactors.ops.auth-token=t"]), _ => null);
        Assert.Equal("t", NodeSetup.From(withToken).Node.OpsAuthToken);
    }
}
