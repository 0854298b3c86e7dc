using System.Net;
using System.Net.WebSockets;
using PingActors.Tests.Infrastructure;

namespace PingActors.Tests.Process;

/// <summary>
/// Where a setting comes from, checked by what the running node does: later files win over earlier ones,
/// --set wins over files, Pinghub's flags work, and config files can read environment variables.
/// </summary>
public sealed class ConfigPrecedenceSpecs : IDisposable
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(30) };

    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Later_config_file_wins_over_an_earlier_one_key_by_key()
    {
        // A full copy of reference.conf is a valid config file (operators start from one), here with a
        // small message limit and the channel page off; the second file only raises the limit.
        var reference = await File.ReadAllTextAsync(ReferenceConf());
        Assert.Contains("max-message-size = 64KiB", reference);
        Assert.Contains("html-page = on", reference);
        var first = _dir.Write("first.conf", reference.Replace("max-message-size = 64KiB", "max-message-size = 100").Replace("html-page = on", "html-page = off"));
        var second = _dir.Write("second.conf", "pingactors.hub.max-message-size = 1000\n");

        await using var node = await NodeProcess.StartAsync(new NodeProcessOptions { ConfigFiles = [first, second] });

        Assert.Equal(HttpStatusCode.OK, await PostAsync(node, "/precedence", 500));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, await PostAsync(node, "/precedence", 1500));

        // The second file did not mention html-page, so the first file's "off" stands.
        using var page = await Http.GetAsync(new Uri(node.HubUri!, "/precedence"));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, page.StatusCode);
    }

    [Fact]
    public async Task Set_wins_over_config_files()
    {
        var file = _dir.Write("node.conf", "pingactors.hub.max-message-size = 1000\n");

        await using var node = await NodeProcess.StartAsync(new NodeProcessOptions
        {
            ConfigFiles = [file],
            Sets = ["pingactors.hub.max-message-size=100"],
        });

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, await PostAsync(node, "/precedence", 500));
        Assert.Equal(HttpStatusCode.OK, await PostAsync(node, "/precedence", 50));
    }

    [Fact]
    public async Task Pinghub_addr_origin_and_mport_flags_work()
    {
        var hubPort = NodeProcess.FreeTcpPort();
        var opsPort = NodeProcess.FreeTcpPort();

        await using var node = await NodeProcess.StartAsync(new NodeProcessOptions
        {
            EphemeralListeners = false,
            ExtraArgs = ["-addr", $"127.0.0.1:{hubPort}", "-origin", "https://example.com", $"-mport={opsPort}"],
        });

        Assert.Equal(new Uri($"http://127.0.0.1:{hubPort}/"), node.HubUri);
        Assert.Equal(new Uri($"http://127.0.0.1:{opsPort}/"), node.OpsUri);
        using (var ping = await Http.GetAsync(new Uri(node.OpsUri!, "/ping")))
        {
            Assert.Equal(HttpStatusCode.OK, ping.StatusCode);
        }

        var ws = new Uri($"ws://127.0.0.1:{hubPort}/origins");
        await using (await WsClient.ConnectAsync(ws, o => o.SetRequestHeader("Origin", "https://example.com")))
        {
        }

        // No Origin header (a non-browser client) is accepted, as in Pinghub.
        await using (await WsClient.ConnectAsync(ws))
        {
        }

        var refused = await Assert.ThrowsAsync<HandshakeRefused>(() => ConnectWithDetailsAsync(ws, "https://evil.example"));
        Assert.Equal(HttpStatusCode.Forbidden, refused.Status);
    }

    [Fact]
    public async Task Config_file_reads_environment_variables()
    {
        var hubPort = NodeProcess.FreeTcpPort();
        var first = _dir.Write("first.conf", "pingactors.hub.max-message-size = 100\n");
        var second = _dir.Write("env.conf", """
            pingactors {
              hub.listen = ${?PA_TEST_LISTEN}
              # Unset: the field is left out, so the first file's 100 bytes stand.
              hub.max-message-size = ${?PA_TEST_UNSET}
              ops.listen = ${PA_TEST_OPS}
            }
            """);

        await using var node = await NodeProcess.StartAsync(new NodeProcessOptions
        {
            EphemeralListeners = false,
            ConfigFiles = [first, second],
            Environment = new Dictionary<string, string?>
            {
                ["PA_TEST_LISTEN"] = $"127.0.0.1:{hubPort}",
                ["PA_TEST_OPS"] = "127.0.0.1:0",
                ["PA_TEST_UNSET"] = null,
            },
        });

        Assert.Equal(hubPort, node.HubUri!.Port);
        Assert.Equal(HttpStatusCode.OK, await PostAsync(node, "/env", 50));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, await PostAsync(node, "/env", 500));
    }

    [Fact]
    public async Task Required_environment_variable_that_is_unset_is_a_config_error()
    {
        var file = _dir.Write("env.conf", "pingactors.hub.listen = ${PA_TEST_REQUIRED}\n");

        var run = await NodeProcess.RunToExitAsync(
            ["--config", file, "--set", "pingactors.ops.listen=127.0.0.1:0"],
            TimeSpan.FromSeconds(40),
            new Dictionary<string, string?> { ["PA_TEST_REQUIRED"] = null });

        var line = ProcessAssertions.SingleErrorLine(run, expectedExitCode: 2, TimeSpan.FromSeconds(20));
        ProcessAssertions.NothingStarted(run);
        Assert.StartsWith($"error: {file}:1: pingactors.hub.listen: expected the environment variable PA_TEST_REQUIRED to be set", line);
    }

    private static async Task<HttpStatusCode> PostAsync(NodeProcess node, string path, int bytes)
    {
        using var content = new ByteArrayContent(new byte[bytes]);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/octet-stream");
        using var response = await Http.PostAsync(new Uri(node.HubUri!, path), content);
        return response.StatusCode;
    }

    /// <summary>Connects (with an Origin if given); on refusal throws <see cref="HandshakeRefused"/> carrying the HTTP status.</summary>
    internal static async Task ConnectWithDetailsAsync(Uri uri, string? origin = null)
    {
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        if (origin is not null)
        {
            socket.Options.SetRequestHeader("Origin", origin);
        }

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        try
        {
            await socket.ConnectAsync(uri, cts.Token);
        }
        catch (WebSocketException e)
        {
            throw new HandshakeRefused((HttpStatusCode)socket.HttpStatusCode, e);
        }

        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", cts.Token);
    }

    private static string ReferenceConf()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "hocon", "reference.conf");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException("hocon/reference.conf not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>A refused WebSocket handshake with the HTTP status the server answered (0 if none).</summary>
internal sealed class HandshakeRefused(HttpStatusCode status, Exception inner) : Exception($"handshake refused with HTTP {(int)status}", inner)
{
    public HttpStatusCode Status { get; } = status;
}
