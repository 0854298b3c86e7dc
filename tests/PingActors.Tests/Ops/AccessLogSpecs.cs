using PingActors.Tests.Infrastructure;

namespace PingActors.Tests.Ops;

/// <summary>The access log is one line per request when switched on, and silent by default.</summary>
public sealed class AccessLogSpecs
{
    [Fact]
    public async Task Logs_one_line_per_request_when_on()
    {
        await using var node = await NodeProcess.StartAsync(new NodeProcessOptions { Sets = ["pingactors.ops.access-log=on"], WaitForUp = false });
        using var http = new HttpClient();
        using (await http.PostAsync(node.HttpUri("/logged-channel"), new StringContent("x")))
        {
        }

        var line = await node.WaitForLineAsync(l => l.Contains("\"POST /logged-channel\"", StringComparison.Ordinal), TimeSpan.FromSeconds(15));
        Assert.Contains(" 200 ", line);
        Assert.Contains("hub", line);
    }

    [Fact]
    public async Task Is_silent_by_default()
    {
        await using var node = await NodeProcess.StartAsync(new NodeProcessOptions { WaitForUp = false });
        using var http = new HttpClient();
        using (await http.PostAsync(node.HttpUri("/quiet-channel"), new StringContent("x")))
        {
        }

        // Stop the node so everything it would log has been written, then look.
        node.Signal(NodeProcess.SIGTERM);
        Assert.Equal(0, await node.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.DoesNotContain(node.StdoutLines, l => l.Contains("/quiet-channel", StringComparison.Ordinal));
    }
}
