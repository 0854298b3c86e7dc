using System.Net;
using System.Net.Sockets;
using System.Text;
using PingActors.Tests.Infrastructure;

namespace PingActors.Tests.Hosting;

/// <summary>
/// Clients that send their request slowly (slowloris) cannot hold the node's connection slots: an address gets
/// pingactors.http.max-pending-per-address connections whose first request has not arrived, headers must arrive
/// within headers-timeout, and a body must keep min-body-rate. Others are served meanwhile.
/// </summary>
public sealed class SlowClientSpecs
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task An_address_over_its_cap_of_unfinished_requests_is_closed_at_once_while_another_address_publishes()
    {
        await using var node = await TestNode.StartAsync("pingactors.http.max-pending-per-address=4");
        var trickling = new List<TcpClient>();
        try
        {
            for (var i = 0; i < 4; i++)
            {
                trickling.Add(await PartialRequestAsync(node, IPAddress.Parse("127.0.0.2")));
            }

            using var fifth = await PartialRequestAsync(node, IPAddress.Parse("127.0.0.2"));
            Assert.True(await EndsWithinAsync(fifth, TimeSpan.FromSeconds(5)), "a fifth unfinished request from the same address was kept open");

            using var other = await PartialRequestAsync(node, IPAddress.Parse("127.0.0.3"));
            Assert.False(await EndsWithinAsync(other, TimeSpan.FromMilliseconds(500)), "another address was refused");

            using var published = await node.PostAsync("/slow", "still served");
            Assert.Equal(HttpStatusCode.OK, published.StatusCode);

            // A connection whose request arrived whole no longer counts: the address may open another.
            await trickling[0].GetStream().WriteAsync(Encoding.ASCII.GetBytes("st: x\r\nConnection: close\r\n\r\n"));
            await EndsWithinAsync(trickling[0], Patience);
            using var next = await PartialRequestAsync(node, IPAddress.Parse("127.0.0.2"));
            Assert.False(await EndsWithinAsync(next, TimeSpan.FromMilliseconds(500)), "the address stayed at its cap after a request finished");
        }
        finally
        {
            trickling.ForEach(t => t.Dispose());
        }
    }

    [Fact]
    public async Task Headers_that_do_not_arrive_within_the_timeout_end_the_connection()
    {
        await using var node = await TestNode.StartAsync("pingactors.http.headers-timeout=1s");
        using var slow = await PartialRequestAsync(node, IPAddress.Loopback);

        Assert.True(await EndsWithinAsync(slow, Patience), "a request whose headers never finished was kept open");
    }

    [Fact]
    public async Task A_body_slower_than_the_minimum_rate_ends_the_connection()
    {
        await using var node = await TestNode.StartAsync("pingactors.http.min-body-rate=1KiB", "pingactors.http.min-body-rate-grace=2s");
        using var slow = new TcpClient();
        await slow.ConnectAsync(IPAddress.Loopback, node.HubUri.Port);
        var stream = slow.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"POST /trickle HTTP/1.1\r\nHost: {node.HubUri.Authority}\r\nContent-Length: 65536\r\n\r\n"));

        // 100 bytes a second, a tenth of the minimum, until the node gives up on it.
        var ended = false;
        var deadline = DateTime.UtcNow + Patience;
        while (!ended && DateTime.UtcNow < deadline)
        {
            try
            {
                await stream.WriteAsync(new byte[100]);
            }
            catch (IOException)
            {
                ended = true;
                break;
            }

            ended = await EndsWithinAsync(slow, TimeSpan.FromSeconds(1));
        }

        Assert.True(ended, "a body trickled at 100 B/s was still being read");
    }

    // Connects from the given loopback address and sends the start of a request, never its end.
    private static async Task<TcpClient> PartialRequestAsync(TestNode node, IPAddress from)
    {
        var client = new TcpClient(new IPEndPoint(from, 0));
        await client.ConnectAsync(IPAddress.Loopback, node.HubUri.Port);
        await client.GetStream().WriteAsync(Encoding.ASCII.GetBytes("GET /slow HTTP/1.1\r\nHo"));
        return client;
    }

    // True if the node closes the connection (or answers and closes) within the time.
    private static async Task<bool> EndsWithinAsync(TcpClient client, TimeSpan within)
    {
        var buffer = new byte[4096];
        using var cts = new CancellationTokenSource(within);
        try
        {
            while (await client.GetStream().ReadAsync(buffer, cts.Token) > 0)
            {
            }

            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (IOException)
        {
            return true;
        }
    }
}
