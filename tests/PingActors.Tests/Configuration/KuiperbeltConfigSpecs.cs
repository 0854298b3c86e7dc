using PingActors.Node.Configuration;
using PingActors.Node.Configuration.Kuiperbelt;
using static PingActors.Tests.Configuration.KuiperbeltSpecFiles;

namespace PingActors.Tests.Configuration;

/// <summary>A kuiperbelt YAML config read into pingactors.proxy: kuiperbelt's own cases, its env-driven example, and its errors.</summary>
public sealed class KuiperbeltConfigSpecs : IDisposable
{
    private readonly KuiperbeltSpecFiles _files = new();

    // kuiperbelt's config_test.go (TestConfig__NewConfig), with the same file and environment.
    [Fact]
    public void Kuiperbelts_own_config_test_loads_into_the_same_values()
    {
        var path = _files.Write("config.yml", """
            session_header: "X-Kuiperbelt-Session-Key"
            port: {{ env "EKBO_PORT" "9180" }}
            callback:
              connect: "http://localhost:12346/connect"
              timeout: 5s
            send_timeout: 1s
            send_queue_size: 1
            endpoint: "localhost"
            proxy_set_header:
              X-Foo: "Foo"
              X-Forwarded-For: ""
            """);

        var loaded = Load(["--kuiperbelt-config", path], new Dictionary<string, string> { ["EKBO_PORT"] = "12345" });
        var config = loaded.Config;

        Assert.True(config.GetBoolean("pingactors.proxy.enabled"));
        Assert.False(config.GetBoolean("pingactors.hub.enabled"));
        Assert.Equal("0.0.0.0:12345", config.GetString("pingactors.proxy.listen"));
        Assert.Equal("X-Kuiperbelt-Session-Key", config.GetString("pingactors.proxy.session-header"));
        Assert.Equal("http://localhost:12346/connect", config.GetString("pingactors.proxy.callback.connect"));
        Assert.Equal("", config.GetString("pingactors.proxy.callback.close"));
        Assert.Equal(TimeSpan.FromSeconds(5), config.GetTimeSpan("pingactors.proxy.callback.timeout"));
        Assert.Equal(TimeSpan.FromSeconds(1), config.GetTimeSpan("pingactors.proxy.send-timeout"));
        Assert.Equal(KuiperbeltConfig.SendQueueFloor, config.GetInt("pingactors.proxy.send-queue-size"));
        Assert.Equal("localhost", config.GetString("pingactors.proxy.endpoint"));
        Assert.Equal(new Dictionary<string, string> { ["X-Foo"] = "Foo", ["X-Forwarded-For"] = "" }, Headers(config));
        Assert.Equal("none", config.GetString("pingactors.proxy.origin-policy"));
        Assert.Equal("/connect", config.GetString("pingactors.proxy.path.connect"));
        Assert.Equal(path, loaded.SourceOf("pingactors.proxy.listen"));
        Assert.Equal(path, loaded.Sources[1].Name);
    }

    // Written like kuiperbelt's _example/config_by_env.yml: every key from an EKBO_* variable, with a default.
    private const string ByEnv = """
        port: {{ env "EKBO_PORT" "9180" }}
        path:
          connect: {{ env "EKBO_CONNECT_PATH" "/connect" }}
          close: {{ env "EKBO_CLOSE_PATH" "/close" }}
          stats: {{ env "EKBO_STATS_PATH" "/stats" }}
          send: {{ env "EKBO_SEND_PATH" "/send" }}
          ping: {{ env "EKBO_PING_PATH" "/ping" }}
        callback:
          connect: {{ env "EKBO_CONNECT_CALLBACK_URL" "http://localhost:12346/connect" }}
          establish: {{ env "EKBO_ESTABLISH_CALLBACK_URL" "" }}
          close: {{ env "EKBO_CLOSE_CALLBACK_URL" "" }}
          receive: {{ env "EKBO_RECEIVE_CALLBACK_URL" "" }}
          timeout: {{ env "EKBO_CALLBACK_TIMEOUT" "0" }}
        suppress_access_log: {{ env "EKBO_SUPPRESS_ACCESS_LOG" "false" }}
        session_header: {{ env "EKBO_SESSION_HEADER_NAME" "X-Kuiperbelt-Session" }}
        sock: {{ env "EKBO_UNIX_DOMAIN_SOCKET_FILENAME" "" }}
        endpoint: {{ env "EKBO_SELF_ENDPOINT_URL" "" }}
        strict_broadcast: {{ env "EKBO_STRICT_BROADCAST_MODE_SWITCH" "false" }}
        proxy_set_header: {{ env "EKBO_PROXY_SET_HEADER" "{}" }}
        send_timeout: {{ env "EKBO_SEND_TIMEOUT" "0" }}
        send_queue_size: {{ env "EKBO_SEND_QUEUE_SIZE" "0" }}
        origin_policy: {{ env "EKBO_ORIGIN_POLICY" "none" }}
        idle_timeout: {{ env "EKBO_IDLE_TIMEOUT" "0" }}
        """;

    [Fact]
    public void The_env_driven_config_without_variables_gives_kuiperbelts_defaults_and_keeps_the_bounded_timeouts()
    {
        var config = Load(["--kuiperbelt-config", _files.Write("by_env.yml", ByEnv)]).Config;

        Assert.Equal("0.0.0.0:9180", config.GetString("pingactors.proxy.listen"));
        Assert.Equal("http://localhost:12346/connect", config.GetString("pingactors.proxy.callback.connect"));
        Assert.Equal("", config.GetString("pingactors.proxy.callback.establish"));
        Assert.Equal("", config.GetString("pingactors.proxy.callback.receive"));
        Assert.Equal("X-Kuiperbelt-Session", config.GetString("pingactors.proxy.session-header"));
        Assert.Equal("", config.GetString("pingactors.proxy.endpoint"));
        // kuiperbelt's 0 is "unbounded"; here the reference defaults stay.
        Assert.Equal(TimeSpan.FromSeconds(10), config.GetTimeSpan("pingactors.proxy.callback.timeout"));
        Assert.Equal(TimeSpan.FromSeconds(5), config.GetTimeSpan("pingactors.proxy.send-timeout"));
        Assert.Equal(TimeSpan.Zero, config.GetTimeSpan("pingactors.proxy.idle-timeout"));
        Assert.Equal(256, config.GetInt("pingactors.proxy.send-queue-size"));
        Assert.False(config.GetBoolean("pingactors.proxy.strict-broadcast"));
        Assert.False(config.GetBoolean("pingactors.proxy.suppress-access-log"));
        Assert.Equal("none", config.GetString("pingactors.proxy.origin-policy"));
        Assert.Empty(Headers(config));
        Assert.Equal("/stats", config.GetString("pingactors.proxy.path.stats"));
    }

    [Fact]
    public void The_env_driven_config_takes_every_variable_that_is_set()
    {
        var environment = new Dictionary<string, string>
        {
            ["EKBO_PORT"] = "9999",
            ["EKBO_CONNECT_PATH"] = "/ws",
            ["EKBO_CLOSE_PATH"] = "/ctl/close",
            ["EKBO_STATS_PATH"] = "/ctl/stats",
            ["EKBO_SEND_PATH"] = "/ctl/send",
            ["EKBO_PING_PATH"] = "/health",
            ["EKBO_CONNECT_CALLBACK_URL"] = "http://app:8080/connect",
            ["EKBO_ESTABLISH_CALLBACK_URL"] = "http://app:8080/establish",
            ["EKBO_CLOSE_CALLBACK_URL"] = "http://app:8080/close",
            ["EKBO_RECEIVE_CALLBACK_URL"] = "https://app:8443/receive",
            ["EKBO_CALLBACK_TIMEOUT"] = "3s",
            ["EKBO_SUPPRESS_ACCESS_LOG"] = "true",
            ["EKBO_SESSION_HEADER_NAME"] = "X-Session",
            ["EKBO_SELF_ENDPOINT_URL"] = "ws1.example:9999",
            ["EKBO_STRICT_BROADCAST_MODE_SWITCH"] = "yes",
            ["EKBO_PROXY_SET_HEADER"] = "{\"X-Real-IP\": \"\", X-Via: ekbo}",
            ["EKBO_SEND_TIMEOUT"] = "1500ms",
            ["EKBO_SEND_QUEUE_SIZE"] = "1024",
            ["EKBO_ORIGIN_POLICY"] = "same_hostname",
            ["EKBO_IDLE_TIMEOUT"] = "1m30s",
        };

        var config = Load(["--kuiperbelt-config", _files.Write("by_env.yml", ByEnv)], environment).Config;

        Assert.Equal("0.0.0.0:9999", config.GetString("pingactors.proxy.listen"));
        Assert.Equal(["/ws", "/ctl/close", "/ctl/stats", "/ctl/send", "/health"],
            new[] { "connect", "close", "stats", "send", "ping" }.Select(p => config.GetString("pingactors.proxy.path." + p)));
        Assert.Equal("http://app:8080/connect", config.GetString("pingactors.proxy.callback.connect"));
        Assert.Equal("http://app:8080/establish", config.GetString("pingactors.proxy.callback.establish"));
        Assert.Equal("http://app:8080/close", config.GetString("pingactors.proxy.callback.close"));
        Assert.Equal("https://app:8443/receive", config.GetString("pingactors.proxy.callback.receive"));
        Assert.Equal(TimeSpan.FromSeconds(3), config.GetTimeSpan("pingactors.proxy.callback.timeout"));
        Assert.True(config.GetBoolean("pingactors.proxy.suppress-access-log"));
        Assert.Equal("X-Session", config.GetString("pingactors.proxy.session-header"));
        Assert.Equal("ws1.example:9999", config.GetString("pingactors.proxy.endpoint"));
        Assert.True(config.GetBoolean("pingactors.proxy.strict-broadcast"));
        Assert.Equal(new Dictionary<string, string> { ["X-Real-IP"] = "", ["X-Via"] = "ekbo" }, Headers(config));
        Assert.Equal(TimeSpan.FromMilliseconds(1500), config.GetTimeSpan("pingactors.proxy.send-timeout"));
        Assert.Equal(1024, config.GetInt("pingactors.proxy.send-queue-size"));
        Assert.Equal("same_hostname", config.GetString("pingactors.proxy.origin-policy"));
        Assert.Equal(TimeSpan.FromSeconds(90), config.GetTimeSpan("pingactors.proxy.idle-timeout"));
    }

    // config_by_env.yml always sets port, so a socket from the environment comes with port 9180 beside it:
    // kuiperbelt then listens on the socket, and so does the node.
    [Fact]
    public void A_socket_from_the_environment_wins_over_the_port_as_in_kuiperbelt()
    {
        var environment = new Dictionary<string, string> { ["EKBO_UNIX_DOMAIN_SOCKET_FILENAME"] = "/run/ekbo/ekbo.sock" };

        var config = Load(["--kuiperbelt-config", _files.Write("by_env.yml", ByEnv)], environment).Config;

        Assert.Equal("unix:/run/ekbo/ekbo.sock", config.GetString("pingactors.proxy.listen"));
    }

    // yaml.v2 decodes a plain integer into a time.Duration as nanoseconds.
    [Theory]
    [InlineData("2000000000", "2s")]
    [InlineData("1500000", "2ms")]
    [InlineData("5", "1ms")]
    [InlineData("0", "0s")]
    [InlineData("\"2h45m\"", "9900s")]
    [InlineData(".5s", "500ms")]
    public void Idle_timeout_reads_go_durations_and_whole_nanoseconds(string yaml, string expected)
    {
        var path = _files.Write("idle.yml", $"callback:\n  connect: http://app/connect\nidle_timeout: {yaml}\n");

        var config = Load(["--kuiperbelt-config", path]).Config;

        Assert.Equal(Akka.Configuration.ConfigurationFactory.ParseString("d = " + expected).GetTimeSpan("d"), config.GetTimeSpan("pingactors.proxy.idle-timeout"));
    }

    [Theory]
    [InlineData("1000", 1000)]
    [InlineData("255", 256)]
    [InlineData("0", 256)]
    public void Send_queue_size_is_never_below_the_floor(string yaml, int expected)
    {
        var path = _files.Write("queue.yml", $"callback:\n  connect: http://app/connect\nsend_queue_size: {yaml}\n");

        Assert.Equal(expected, Load(["--kuiperbelt-config", path]).Config.GetInt("pingactors.proxy.send-queue-size"));
    }

    [Theory]
    [InlineData("prot: 9180", "prot: expected one of kuiperbelt's keys (callback, endpoint, idle_timeout,")]
    [InlineData("callback:\n  conect: http://app/connect", "callback.conect: expected one of kuiperbelt's keys under callback (connect, establish, receive, close, timeout), got an unknown key")]
    [InlineData("callback:\n  connect: http://app/connect\n  timeout: 5 seconds", "callback.timeout: expected a duration such as 5s or 1m30s (or a whole number of nanoseconds), not negative, got \"5 seconds\"")]
    [InlineData("callback:\n  connect: http://app/connect\nsend_timeout: -1s", "send_timeout: expected a duration such as 5s")]
    [InlineData("callback:\n  connect: http://app/connect\norigin_policy: any", "origin_policy: expected one of none, same_origin, same_hostname, got \"any\"")]
    [InlineData("callback:\n  connect: http://app/connect\nstrict_broadcast: sometimes", "strict_broadcast: expected true or false, got \"sometimes\"")]
    [InlineData("callback:\n  connect: http://app/connect\nsend_queue_size: ten", "send_queue_size: expected a whole number, got \"ten\"")]
    [InlineData("callback:\n  connect: http://app/connect\nsend_queue_size: -1", "send_queue_size: expected a whole number, 0 or more, got \"-1\"")]
    [InlineData("callback:\n  connect: http://app/connect\nport: http", "port: expected a port number from 0 to 65535, got \"http\"")]
    [InlineData("callback:\n  connect: http://app/connect\nendpoint: { host: a }", "endpoint: expected a string, got a mapping")]
    [InlineData("callback:\n  connect: http://app/connect\nproxy_set_header: [X-Foo]", "proxy_set_header: expected a mapping of header name to value, e.g. { X-Foo: bar }, got a list")]
    [InlineData("callback:\n  connect: http://app/connect\npath:\n  send: send", "path.send: expected a path starting with /, got \"send\"")]
    [InlineData("port: 9180", "callback.connect: expected the app's connect callback, an absolute http:// or https:// URL (kuiperbelt's one required key), got nothing")]
    [InlineData("callback:\n  connect: /connect", "callback.connect: expected the app's connect callback")]
    [InlineData("callback: http://app/connect", "callback: expected a mapping of kuiperbelt's keys, got \"http://app/connect\"")]
    public void A_bad_key_is_one_line_naming_the_file_and_the_yaml_key(string yaml, string expected)
    {
        var path = _files.Write("bad.yml", yaml);

        var error = LoadFails(["--kuiperbelt-config", path]);

        Assert.StartsWith($"{path}: {expected}", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void Broken_yaml_names_the_file_and_line()
    {
        var path = _files.Write("broken.yml", "callback:\n  connect: http://app/connect\nport: [9180\n");

        var error = LoadFails(["--kuiperbelt-config", path]);

        Assert.Matches($"^{System.Text.RegularExpressions.Regex.Escape(path)}:\\d+: expected valid YAML", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void A_missing_file_is_a_clear_error()
    {
        var missing = Path.Combine(Path.GetTempPath(), "no-such-dir-kb", "config.yml");

        var error = LoadFails(["-config", missing]);

        Assert.Equal($"command line: kuiperbelt config {missing}: expected a readable kuiperbelt YAML file, got nothing at {missing}", error.Message);
    }

    public void Dispose() => _files.Dispose();
}
