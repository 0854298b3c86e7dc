using PingActors.Tests.Bridge.Support;
using PingActors.Tests.Infrastructure;

namespace PingActors.Tests.Bridge;

/// <summary>
/// Bridged sessions share stream hosts (one interpreter runs many sessions' stages), so no session's peer
/// may ever hold its host: a read of the peer that blocked would stop every later session on that host from
/// starting. Found by CI as one bridged connection that never got its echo; it took many connections on one
/// host to show it here.
/// </summary>
public sealed class BridgeSharedHostSpecs
{
    private const int Rounds = 60;
    private const int AtOnce = 5;
    private const int LinesEach = 10;

    [Fact]
    public async Task Many_pairs_on_one_stream_host_in_turn_and_at_once_each_get_every_echo()
    {
        await using var peer = TcpPeer.Echo();
        await using var bridge = await BridgeNode.StartAsync(
            $"tcp://127.0.0.1:{peer.Port}",
            "pingactors.bridge.backend.framing=newline",
            "pingactors.bridge.backend.framing-config=lf",
            "pingactors.bridge.stream-hosts=1");

        var failed = new List<string>();
        for (var round = 0; round < Rounds; round++)
        {
            var pairs = await Task.WhenAll(Enumerable.Range(0, AtOnce).Select(i => EchoAllAsync(bridge, $"r{round}c{i}")));
            failed.AddRange(pairs.OfType<string>());
            if (failed.Count > 0)
            {
                break; // a held host fails every later pair the same way: no need to wait for each
            }
        }

        Assert.True(failed.Count == 0, $"{failed.Count} pairs lost their echo: {string.Join("; ", failed.Take(5))}");
    }

    /// <returns>Null when every line came back in order; else what went wrong.</returns>
    private static async Task<string?> EchoAllAsync(BridgeNode bridge, string name)
    {
        var lines = Enumerable.Range(0, LinesEach).Select(i => $"{name} line {i} {new string('x', 2000)}\n").ToList();
        await using var client = await bridge.ConnectAsync();
        foreach (var line in lines)
        {
            await client.SendTextAsync(line);
        }

        for (var i = 0; i < lines.Count; i++)
        {
            try
            {
                var received = await client.ReceiveAsync(TimeSpan.FromSeconds(10));
                if (received.Text != lines[i])
                {
                    return $"{name}: line {i} came back as {(received.IsClose ? "close " + received.CloseStatus : received.Text[..Math.Min(40, received.Text.Length)])}";
                }
            }
            catch (OperationCanceledException)
            {
                return $"{name}: line {i} not echoed within 10 s";
            }
        }

        return null;
    }
}
