using PingActors.Actors.Bridge.Backends;
using PingActors.Node.Configuration;
using PingActors.Node.Hosting;

namespace PingActors.Tests.Configuration;

/// <summary>A websocksy config file (--websocksy-config) read into pingactors.bridge, and its errors.</summary>
public sealed class WebsocksyConfigSpecs : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("websocksy-specs-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string text)
    {
        var path = Path.Combine(_dir, "websocksy.cfg");
        File.WriteAllText(path, text);
        return path;
    }

    private static LoadedConfig Load(string path, params string[] more) => ConfigLoader.Load(CommandLine.Parse(["--websocksy-config", path, .. more]), _ => null);

    private string Fails(string text) => Assert.Throws<ConfigException>(() => Load(Write(text))).Message;

    // websocksy's own plugins/backend_file.cfg.
    [Fact]
    public void Websocksys_example_file_backend_config_loads()
    {
        var path = Write("""
            [core]
            port = 8000
            backend = file

            [backend]
            path = files/
            expression = %endpoint%.txt
            expression = %cookie:session%.txt
            expression = %header:X-Foo-Bar%.txt
            expression = default.txt
            """);

        var loaded = Load(path);
        var config = loaded.Config;

        Assert.True(config.GetBoolean("pingactors.bridge.enabled"));
        Assert.False(config.GetBoolean("pingactors.hub.enabled"));
        Assert.Equal("[::]:8000", config.GetString("pingactors.bridge.listen"));
        Assert.Equal("file", config.GetString("pingactors.bridge.backend.type"));
        Assert.Equal(Path.GetFullPath("files/"), config.GetString("pingactors.bridge.backend.path"));
        Assert.Equal(["%endpoint%.txt", "%cookie:session%.txt", "%header:X-Foo-Bar%.txt", "default.txt"], config.GetStringList("pingactors.bridge.backend.expressions"));
        Assert.Equal(path, loaded.SourceOf("pingactors.bridge.listen"));
        Assert.Equal(path, loaded.Sources[1].Name);

        var setup = NodeSetup.From(loaded);
        Assert.IsType<FileBackend>(setup.Bridge.Backend);
        Assert.Null(setup.Bridge.Allow);
    }

    [Fact]
    public void An_empty_file_is_websocksys_defaults_with_the_default_backend()
    {
        var config = Load(Write("")).Config;

        Assert.Equal("[::]:8001", config.GetString("pingactors.bridge.listen"));
        Assert.Equal(TimeSpan.FromSeconds(30), config.GetTimeSpan("pingactors.bridge.keepalive.interval"));
        Assert.Equal(TimeSpan.Zero, config.GetTimeSpan("pingactors.bridge.keepalive.timeout"));
        Assert.Equal("default", config.GetString("pingactors.bridge.backend.type"));
        Assert.Equal("tcp://localhost", config.GetString("pingactors.bridge.backend.host"));
    }

    [Fact]
    public async Task Default_backend_keys_listen_and_ping_map_to_the_bridge_and_reach_the_backend()
    {
        var loaded = Load(Write("""
            [core]
              listen   =   127.0.0.1
            port=9001
            ping = 0
            [backend]
            host = tcp://127.0.0.1:19301
            framing = newline
            framing-config = lf
            protocol = chat
            """));

        Assert.Equal("127.0.0.1:9001", loaded.Config.GetString("pingactors.bridge.listen"));
        Assert.Equal(TimeSpan.Zero, loaded.Config.GetTimeSpan("pingactors.bridge.keepalive.interval"));

        var bridge = NodeSetup.From(loaded).Bridge;
        Assert.Equal(TimeSpan.Zero, bridge.Session.KeepAliveInterval);
        var choice = await bridge.Backend!.ChooseAsync(new BridgeRequest("/", ["CHAT"], []), CancellationToken.None);
        Assert.Equal(new PeerChoice(new Uri("tcp://127.0.0.1:19301"), "CHAT", "newline", "lf"), choice);
    }

    [Fact]
    public void An_explicit_port_key_reaches_the_default_backend()
    {
        var bridge = NodeSetup.From(Load(Write("[backend]\nhost = udp://10.0.0.2\nport = 7000\n"))).Bridge;

        Assert.Equal(new PeerAddress(PeerKind.Udp, "10.0.0.2", 7000, null), ((DefaultBackend)bridge.Backend!).Peer);
    }

    [Fact]
    public void Lines_without_equals_comments_and_unknown_core_keys_are_ignored()
    {
        var config = Load(Write("[core]\njust words\n# port = 1\n; port = 2\ncolour = blue\nport = 8002\n[backend]\n# nonsense = 1\n")).Config;

        Assert.Equal("[::]:8002", config.GetString("pingactors.bridge.listen"));
    }

    [Fact]
    public void A_backend_line_drops_the_backend_keys_read_before_it()
    {
        var config = Load(Write("[backend]\nhost = tcp://h:1\n[core]\nbackend = file\n[backend]\npath = /srv\nexpression = a.txt\n")).Config;

        Assert.Equal("file", config.GetString("pingactors.bridge.backend.type"));
        Assert.Equal("tcp://localhost", config.GetString("pingactors.bridge.backend.host"));
        Assert.Equal("/srv", config.GetString("pingactors.bridge.backend.path"));
    }

    [Fact]
    public void A_file_backend_without_path_uses_the_root_as_websocksy_does() =>
        Assert.Equal("/", Load(Write("[core]\nbackend = file\n[backend]\nexpression = x\n")).Config.GetString("pingactors.bridge.backend.path"));

    [Fact]
    public void A_so_backend_is_an_error_naming_file_line_and_key_and_how_to_write_a_dotnet_one()
    {
        var message = Fails("[core]\nbackend = mysql\n");

        Assert.StartsWith(Path.Combine(_dir, "websocksy.cfg") + ":2: [core] backend:", message);
        Assert.Contains("IBridgeBackend", message);
        Assert.Contains("\"mysql\"", message);
    }

    [Theory]
    [InlineData("[backend]\nexpression = x\n", "[backend] expression")]
    [InlineData("[core]\nbackend = file\n[backend]\nhost = h\n", "[backend] host")]
    [InlineData("[backend]\nport = vnc\n", "[backend] port")]
    [InlineData("[core]\nport = 99999\n", "[core] port")]
    [InlineData("[core]\nping = 30s\n", "[core] ping")]
    [InlineData("[core]\nlisten = example.org\n", "[core] listen")]
    public void Bad_keys_are_one_line_errors_naming_file_and_key(string text, string key)
    {
        var message = Fails(text);

        Assert.StartsWith(Path.Combine(_dir, "websocksy.cfg") + ":", message);
        Assert.Contains(key, message);
        Assert.DoesNotContain('\n', message);
    }

    [Fact]
    public void A_bad_peer_fails_at_start_naming_the_file_and_the_bridge_key()
    {
        var path = Write("[backend]\nhost = ftp://h\n");

        var e = Assert.Throws<ConfigException>(() => NodeSetup.From(Load(path)));
        Assert.StartsWith(path + ": pingactors.bridge.backend.host:", e.Message);
    }

    [Fact]
    public void A_missing_file_or_a_second_one_is_a_command_line_error()
    {
        Assert.Contains("nothing at", Assert.Throws<ConfigException>(() => Load(Path.Combine(_dir, "none.cfg"))).Message);
        Assert.Contains("second", Assert.Throws<ConfigException>(() => CommandLine.Parse(["--websocksy-config", "a", "--websocksy-config", "b"])).Message);
    }

    [Fact]
    public void Config_files_and_set_still_win_over_the_websocksy_file()
    {
        var config = Load(Write("[core]\nport = 8000\n"), "--set", "pingactors.bridge.listen=127.0.0.1:9000").Config;

        Assert.Equal("127.0.0.1:9000", config.GetString("pingactors.bridge.listen"));
    }
}
