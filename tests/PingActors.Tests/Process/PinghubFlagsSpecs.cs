using System.Globalization;
using System.Net;
using System.Net.Sockets;
using PingActors.Tests.Infrastructure;

namespace PingActors.Tests.Process;

/// <summary>
/// Pinghub's command line on the real node process: <c>-addr :PORT</c> listens on every interface, as
/// Pinghub's does, while <c>-mport</c> keeps ops on loopback.
/// </summary>
public sealed class PinghubFlagsSpecs
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(30) };

    // 127.0.0.2 is a loopback address too, but a listener bound to 127.0.0.1 does not answer on it: only
    // one bound to all interfaces does. So it tells the two apart on any Linux host, network or not.
    private static readonly IPAddress OtherLoopback = IPAddress.Parse("127.0.0.2");

    private const string TcpListenState = "0A";

    [Fact]
    public async Task Addr_with_only_a_port_listens_on_all_interfaces_and_mport_on_loopback_only()
    {
        var hubPort = FreePortOnAllInterfaces();
        var opsPort = FreePortOnAllInterfaces();

        await using var node = await NodeProcess.StartAsync(new NodeProcessOptions
        {
            EphemeralListeners = false,
            ExtraArgs = ["-addr", $":{hubPort}", "-mport", $"{opsPort}", "-origin", "https://example.com"],
        });

        var line = await node.WaitForLineAsync(l => l.Contains("PingActors hub listening on ", StringComparison.Ordinal), TimeSpan.FromSeconds(5));
        Assert.Contains($":{hubPort}/", line);

        // What the kernel holds for the node's own process, not for whoever else may use the port.
        Assert.Equal([new IPEndPoint(IPAddress.Any, hubPort)], ListeningEndpoints(node.Pid, hubPort));
        Assert.Equal([new IPEndPoint(IPAddress.Loopback, opsPort)], ListeningEndpoints(node.Pid, opsPort));

        // Subscribed through one address, published through the other: one hub behind both.
        var channel = "/all-interfaces";
        await using var subscriber = await WsClient.ConnectAsync(new Uri($"ws://{OtherLoopback}:{hubPort}{channel}"), o => o.SetRequestHeader("Origin", "https://example.com"));
        using (var published = await Http.PostAsync(new Uri($"http://127.0.0.1:{hubPort}{channel}"), new StringContent("through 127.0.0.1")))
        {
            Assert.Equal(HttpStatusCode.OK, published.StatusCode);
        }

        Assert.Equal("through 127.0.0.1", await subscriber.ReceiveTextAsync());

        // -origin still applies on every address.
        var refused = await Assert.ThrowsAsync<HandshakeRefused>(() => ConfigPrecedenceSpecs.ConnectWithDetailsAsync(new Uri($"ws://{OtherLoopback}:{hubPort}/other"), "https://evil.example"));
        Assert.Equal(HttpStatusCode.Forbidden, refused.Status);

        using (var ping = await Http.GetAsync(new Uri($"http://127.0.0.1:{opsPort}/ping")))
        {
            Assert.Equal(HttpStatusCode.OK, ping.StatusCode);
        }

        using var client = new TcpClient();
        var error = await Assert.ThrowsAsync<SocketException>(() => client.ConnectAsync(OtherLoopback, opsPort));
        Assert.Equal(SocketError.ConnectionRefused, error.SocketErrorCode);
    }

    /// <summary>A port free on every interface a moment ago (one free on 127.0.0.1 only could be held elsewhere).</summary>
    private static int FreePortOnAllInterfaces()
    {
        using var listener = new TcpListener(IPAddress.Any, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The IPv4 and IPv6 endpoints on <paramref name="port"/> that process <paramref name="pid"/> listens on, from /proc.</summary>
    private static List<IPEndPoint> ListeningEndpoints(int pid, int port)
    {
        var inodes = Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd")
            .Select(fd => new FileInfo(fd).LinkTarget)
            .Where(target => target is not null && target.StartsWith("socket:[", StringComparison.Ordinal))
            .Select(target => target![8..^1])
            .ToHashSet();

        var found = new List<IPEndPoint>();
        foreach (var table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ...
            foreach (var fields in File.ReadLines(table).Skip(1).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)))
            {
                var local = fields[1].Split(':');
                if (fields[3] == TcpListenState && int.Parse(local[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture) == port && inodes.Contains(fields[9]))
                {
                    found.Add(new IPEndPoint(ParseProcAddress(local[0]), port));
                }
            }
        }

        return found;
    }

    // /proc/net/tcp prints an address as the hex of its 32-bit words in host (little-endian) order.
    private static IPAddress ParseProcAddress(string hex)
    {
        var bytes = new byte[hex.Length / 2];
        for (var word = 0; word < bytes.Length / 4; word++)
        {
            var value = uint.Parse(hex.AsSpan(word * 8, 8), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            BitConverter.TryWriteBytes(bytes.AsSpan(word * 4, 4), value);
        }

        return new IPAddress(bytes);
    }
}
