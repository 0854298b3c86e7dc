using System.Net.Sockets;
using System.Net.WebSockets;
using PingActors.Node.Configuration;
using PingActors.Node.Hosting;
using PingActors.Node.Proxy;
using PingActors.Tests.Proxy.Support;

namespace PingActors.Tests.Proxy;

/// <summary>A kuiperbelt user's own config file and listener kinds, end to end with a real app and real clients.</summary>
public sealed class ProxyDropInSpecs
{
    [Fact]
    public async Task A_node_started_from_a_kuiperbelt_yaml_serves_kuiperbelts_protocol_with_the_hub_off()
    {
        await using var app = await CallbackApp.StartAsync();
        app.Connect = _ => CallbackAnswer.Session("yaml-user", "Hello Kuiperbelt");
        var file = Path.Combine(Path.GetTempPath(), $"ekbo-{Guid.NewGuid():N}.yml");
        await File.WriteAllTextAsync(file, $$$"""
            ---
            port: {{ env "SPEC_EKBO_PORT_UNSET" "0" }}
            callback:
              connect: "{{{app.Url("/connect")}}}"
              close: "{{{app.Url("/close")}}}"
            session_header: "X-Kuiperbelt-Session"
            """);
        try
        {
            var config = ConfigLoader.Load(CommandLine.Parse(["-config", file, "--set", "pingactors.ops.listen=127.0.0.1:0", "--set", "pingactors.log.level=warning"]));
            await using var node = PingActorsNode.Create(config, NodeSetup.From(config));
            await node.StartAsync();

            Assert.DoesNotContain(node.Listeners.Names, n => n == "hub");
            var proxyUri = node.Listeners.UriOf(ProxyFeatureSettings.Name);
            await using var client = await Infrastructure.WsClient.ConnectAsync(new Uri($"ws://{proxyUri.Authority}/connect"));
            Assert.Equal("Hello Kuiperbelt", await client.ReceiveTextAsync());

            var sent = await Hub.Support.RawHttp.SendAsync(proxyUri, "POST", "/send", ["X-Kuiperbelt-Session: yaml-user"], "How are you doing?"u8.ToArray());
            Assert.Equal("{\"result\":\"OK\"}", sent.BodyText);
            Assert.Equal("How are you doing?", await client.ReceiveTextAsync());
            await node.StopAsync();
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task The_proxy_listens_on_a_unix_socket_and_a_stale_socket_file_is_replaced()
    {
        var socketFile = Path.Combine(Path.GetTempPath(), $"pa-{Guid.NewGuid():N}.sock");
        await File.WriteAllBytesAsync(socketFile, []); // left by a process that is gone
        try
        {
            await using var proxy = await ProxyNode.StartAsync([], "pingactors.proxy.listen=\"unix:" + socketFile + "\"");
            proxy.App.Connect = _ => CallbackAnswer.Session("unix", "over a unix socket");

            using var handler = new SocketsHttpHandler
            {
                ConnectCallback = async (_, token) =>
                {
                    var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketFile), token);
                    return new NetworkStream(socket, ownsSocket: true);
                },
            };
            using var invoker = new HttpMessageInvoker(handler);
            using var client = new ClientWebSocket();
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            await client.ConnectAsync(new Uri("ws://localhost/connect"), invoker, cts.Token);

            var buffer = new byte[256];
            var received = await client.ReceiveAsync(buffer, cts.Token);
            Assert.Equal("over a unix socket", System.Text.Encoding.UTF8.GetString(buffer, 0, received.Count));

            using var http = new HttpClient(handler, disposeHandler: false);
            using var request = new HttpRequestMessage(HttpMethod.Post, "http://localhost/send") { Content = new StringContent("pushed") };
            request.Headers.Add("X-Kuiperbelt-Session", "unix");
            var sent = await http.SendAsync(request, cts.Token);
            Assert.Equal("{\"result\":\"OK\"}", await sent.Content.ReadAsStringAsync(cts.Token));
            received = await client.ReceiveAsync(buffer, cts.Token);
            Assert.Equal("pushed", System.Text.Encoding.UTF8.GetString(buffer, 0, received.Count));
            Assert.Equal(Environment.MachineName, (await proxy.App.NextAsync("/connect")).Header("X-Kuiperbelt-Endpoint"));
        }
        finally
        {
            File.Delete(socketFile);
        }
    }
}
