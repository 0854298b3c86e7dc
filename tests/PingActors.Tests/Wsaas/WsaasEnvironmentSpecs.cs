using PingActors.Node.Configuration;
using PingActors.Node.Hosting;

namespace PingActors.Tests.Wsaas;

/// <summary>--wsaas: WSaaS's environment variables, both generations of names, become pingactors.wsaas.</summary>
public sealed class WsaasEnvironmentSpecs
{
    private static NodeSetup Load(Dictionary<string, string> environment, params string[] args)
    {
        var config = ConfigLoader.Load(CommandLine.Parse(["--wsaas", .. args]), name => environment.GetValueOrDefault(name));
        return NodeSetup.From(config);
    }

    [Fact]
    public void The_current_names_set_every_key_and_the_hub_is_off()
    {
        var setup = Load(new()
        {
            ["WS_PORT"] = "9090",
            ["HTTP_PORT"] = "9091",
            ["TARGET_ADDRESS"] = "http://api:3000/websocket",
            ["LOCAL_ADDRESS"] = "http://gw:9091",
            ["MAX_PAGE"] = "2",
            ["WS_TIMEOUT"] = "1500",
            ["LOG_LEVEL"] = "debug",
        });

        Assert.True(setup.Wsaas.Enabled);
        Assert.False(setup.Hub.Enabled);
        Assert.Equal("127.0.0.1:9090", setup.Wsaas.Listen.ToString());
        Assert.Equal("127.0.0.1:9091", setup.Wsaas.ControlListen.ToString());
        Assert.Equal("http://api:3000/websocket", setup.Wsaas.Target);
        Assert.Equal("http://gw:9091", setup.Wsaas.LocalAddress);
        Assert.Equal(2 * 32 * 1024, setup.Wsaas.MaxMessageBytes);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), setup.Wsaas.Timeout);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), setup.Wsaas.Settings!.IdleTimeout);
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Debug, setup.Node.LogLevel);
    }

    [Fact]
    public void Unset_variables_keep_WSaaS_defaults_on_loopback()
    {
        var setup = Load([]);

        Assert.Equal("127.0.0.1:8080", setup.Wsaas.Listen.ToString());
        Assert.Equal("127.0.0.1:8081", setup.Wsaas.ControlListen.ToString());
        Assert.Equal("http://localhost:3000/websocket", setup.Wsaas.Target);
        Assert.Equal("http://localhost:8081", setup.Wsaas.LocalAddress);
        Assert.Equal(4 * 32 * 1024, setup.Wsaas.MaxMessageBytes);
        Assert.Equal(TimeSpan.FromSeconds(30), setup.Wsaas.Timeout);
    }

    [Fact]
    public void The_early_README_names_work_and_the_current_ones_win()
    {
        var early = Load(new() { ["API_URI"] = "localhost:80/websocket", ["WS_HOSTNAME"] = "localhost:8080" });
        Assert.Equal("http://localhost:80/websocket", early.Wsaas.Target);
        Assert.Equal("localhost:8080", early.Wsaas.LocalAddress);

        var both = Load(new() { ["API_URI"] = "old:80/ws", ["TARGET_ADDRESS"] = "http://new/ws", ["WS_HOSTNAME"] = "old", ["LOCAL_ADDRESS"] = "http://new" });
        Assert.Equal("http://new/ws", both.Wsaas.Target);
        Assert.Equal("http://new", both.Wsaas.LocalAddress);
    }

    [Fact]
    public void A_set_on_the_command_line_wins_over_the_environment()
    {
        var setup = Load(new() { ["WS_PORT"] = "9090" }, "--set", "pingactors.wsaas.listen=127.0.0.1:7070");
        Assert.Equal("127.0.0.1:7070", setup.Wsaas.Listen.ToString());
    }

    [Theory]
    [InlineData("WS_PORT", "http")]
    [InlineData("WS_PORT", "70000")]
    [InlineData("WS_TIMEOUT", "-1")]
    [InlineData("MAX_PAGE", "0")]
    public void A_bad_value_is_a_one_line_error_naming_the_variable(string name, string value)
    {
        var e = Assert.Throws<ConfigException>(() => Load(new() { [name] = value }));
        Assert.Contains(name, e.Message, StringComparison.Ordinal);
        Assert.Contains(value, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }
}
