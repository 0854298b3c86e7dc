using System.Net;
using Microsoft.Extensions.Logging;
using PingActors.Node.Configuration;
using PingActors.Node.Hosting;
using static PingActors.Tests.Configuration.KuiperbeltSpecFiles;

namespace PingActors.Tests.Configuration;

/// <summary>ekbo's command line (ekbo -config=config.yml -port 9180) on the node, and a kuiperbelt config loading into a node setup.</summary>
public sealed class KuiperbeltFlagSpecs : IDisposable
{
    private const string RemotingPort = "akka.remote.dot-netty.tcp.port";

    private readonly KuiperbeltSpecFiles _files = new();
    private readonly string _yml;

    public KuiperbeltFlagSpecs() => _yml = _files.Write("config.yml", "port: 12345\ncallback:\n  connect: http://127.0.0.1:12346/connect\n");

    [Theory]
    [InlineData("-config={0}", "-port", "9181")]
    [InlineData("-port", "9181", "-config={0}")]
    [InlineData("--config", "{0}", "-port=9181")]
    [InlineData("--kuiperbelt-config", "{0}", "--port=9181")]
    public void With_a_kuiperbelt_config_port_is_the_proxys_port_on_all_interfaces(string a, string b, string c)
    {
        var reference = Load([]).Config.GetInt(RemotingPort);

        var loaded = Load([.. new[] { a, b, c }.Select(s => string.Format(s, _yml))]);

        Assert.Equal("0.0.0.0:9181", loaded.Config.GetString("pingactors.proxy.listen"));
        Assert.Equal(reference, loaded.Config.GetInt(RemotingPort));
    }

    [Fact]
    public void A_yaml_extension_makes_config_a_kuiperbelt_file_and_anything_else_stays_hocon()
    {
        var yaml = _files.Write("ekbo.YAML", "callback:\n  connect: http://app/connect\n");
        var conf = _files.Write("node.conf", "pingactors.proxy.session-header = X-From-Hocon\n");

        var loaded = Load(["-config", yaml, "--config", conf]);

        Assert.Equal("0.0.0.0:9180", loaded.Config.GetString("pingactors.proxy.listen"));
        Assert.Equal("X-From-Hocon", loaded.Config.GetString("pingactors.proxy.session-header"));
        Assert.Equal(conf, loaded.SourceOf("pingactors.proxy.session-header"));
    }

    [Fact]
    public void Without_a_kuiperbelt_config_port_stays_the_remoting_port()
    {
        var conf = _files.Write("node.conf", "pingactors.hub.listen = \"127.0.0.1:0\"\n");

        var loaded = Load(["--config", conf, "-port", "4051"]);

        Assert.Equal(4051, loaded.Config.GetInt(RemotingPort));
        Assert.Equal("127.0.0.1:9180", loaded.Config.GetString("pingactors.proxy.listen"));
        Assert.False(loaded.Config.GetBoolean("pingactors.proxy.enabled"));
    }

    [Fact]
    public void Sock_puts_the_proxy_on_a_unix_socket()
    {
        var loaded = Load(["-config", _yml, "-sock", "/run/ekbo.sock"]);

        Assert.Equal("unix:/run/ekbo.sock", loaded.Config.GetString("pingactors.proxy.listen"));
        Assert.Equal("-sock", loaded.SourceOf("pingactors.proxy.listen"));
    }

    [Theory]
    [InlineData("debug", "debug")]
    [InlineData("info", "information")]
    [InlineData("warn", "warning")]
    [InlineData("error", "error")]
    public void Log_level_takes_ekbos_names(string level, string expected)
    {
        Assert.Equal(expected, Load(["-config", _yml, "-log-level", level]).Config.GetString("pingactors.log.level"));
    }

    [Fact]
    public void Gops_addr_is_accepted_and_changes_nothing()
    {
        var without = Load(["-config", _yml]);

        var with = Load(["-config", _yml, "-gops-addr", "127.0.0.1:0"]);

        Assert.Equal(without.Sources.Count, with.Sources.Count);
    }

    [Theory]
    [InlineData(new[] { "-config", "{0}", "-port", "9181", "-sock", "/run/ekbo.sock" }, "command line: -port, -sock: expected one of them (ekbo refuses both too), got both")]
    [InlineData(new[] { "-config", "{0}", "-port", "http" }, "command line: -port: expected a port number from 0 to 65535, got \"http\"")]
    [InlineData(new[] { "-config", "{0}", "-log-level", "verbose" }, "command line: -log-level: expected one of debug, info, warn, error, got \"verbose\"")]
    [InlineData(new[] { "-sock", "/run/ekbo.sock" }, "command line: -sock: expected a kuiperbelt config beside it (--kuiperbelt-config FILE, or -config FILE.yml), got none (see --help)")]
    [InlineData(new[] { "-log-level", "warn" }, "command line: -log-level: expected a kuiperbelt config beside it")]
    [InlineData(new[] { "-gops-addr", ":0" }, "command line: -gops-addr: expected a kuiperbelt config beside it")]
    [InlineData(new[] { "-config", "{0}", "--kuiperbelt-config", "other.yml" }, "command line: --kuiperbelt-config other.yml: expected one kuiperbelt config, got a second one after ")]
    public void Ekbo_flags_used_wrongly_are_one_line_errors(string[] args, string expected)
    {
        var error = LoadFails([.. args.Select(a => string.Format(a, _yml))]);

        Assert.StartsWith(expected, error.Message);
    }

    [Fact]
    public void Set_and_hocon_files_win_over_the_kuiperbelt_file()
    {
        var loaded = Load(["--set", "pingactors.proxy.listen=127.0.0.1:7000", "-config", _yml]);

        Assert.Equal("127.0.0.1:7000", loaded.Config.GetString("pingactors.proxy.listen"));
        Assert.Equal([ConfigLoader.ReferenceName, _yml, "--set"], loaded.Sources.Select(s => s.Name));
    }

    [Fact]
    public void A_kuiperbelt_config_loads_into_a_node_setup_that_runs_no_hub()
    {
        var path = _files.Write("full.yml", """
            port: 9180
            callback:
              connect: http://127.0.0.1:12346/connect
              timeout: 5s
            proxy_set_header:
              X-Forwarded-For: ""
              X-Foo: Foo
            origin_policy: same_origin
            idle_timeout: 30s
            """);
        var loaded = Load(["-config", path, "-log-level", "warn"]);

        var setup = NodeSetup.From(loaded);

        Assert.False(setup.Hub.Enabled);
        Assert.DoesNotContain(setup.Listeners, l => l.Name == "hub");
        Assert.Equal(LogLevel.Warning, setup.Node.LogLevel);
        Assert.Equal("0.0.0.0:9180", loaded.Config.GetString("pingactors.proxy.listen"));
        Assert.Equal(2, Headers(loaded.Config).Count);
    }

    public void Dispose() => _files.Dispose();
}
