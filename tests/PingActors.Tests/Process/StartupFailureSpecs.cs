using System.Net;
using System.Net.Sockets;
using PingActors.Tests.Infrastructure;

namespace PingActors.Tests.Process;

/// <summary>A node that cannot bind its ports fails at once with one clear line, exit 3, and does not hang.</summary>
public sealed class StartupFailureSpecs
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(60);
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(30) };

    [Fact]
    public async Task Second_node_on_the_same_hub_port_fails_with_one_line_and_the_first_keeps_serving()
    {
        var port = NodeProcess.FreeTcpPort();
        await using var first = await NodeProcess.StartAsync(new NodeProcessOptions
        {
            Sets = [$"pingactors.hub.listen=127.0.0.1:{port}", "akka.loglevel=WARNING"],
        });

        var second = await NodeProcess.RunToExitAsync(
            new NodeProcessOptions { Sets = [$"pingactors.hub.listen=127.0.0.1:{port}"] }.Arguments(),
            HangGuard);

        var line = ProcessAssertions.SingleErrorLine(second, expectedExitCode: 3, Bound);
        Assert.Equal($"error: --set: pingactors.hub.listen: expected a free address, got 127.0.0.1:{port}, which is already in use (is another node running?)", line);

        // Checked before anything starts: a node that cannot serve must not join (and then leave) the cluster.
        Assert.True(!second.Stdout.Any(l => l.Contains("Remoting started", StringComparison.Ordinal)), "the ActorSystem started before the bind failed\n" + second.Transcript);

        using var content = new StringContent("still here");
        using var response = await Http.PostAsync(new Uri(first.HubUri!, "/survivor"), content);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Ops_port_in_use_names_the_ops_key()
    {
        using var holder = new TcpListener(IPAddress.Loopback, 0);
        holder.Start();
        var port = ((IPEndPoint)holder.LocalEndpoint).Port;
        var file = Path.Combine(Path.GetTempPath(), $"pingactors-ops-{Guid.NewGuid():N}.conf");
        await File.WriteAllTextAsync(file, $"pingactors.ops.listen = \"127.0.0.1:{port}\"\n");
        try
        {
            var run = await NodeProcess.RunToExitAsync(["--config", file, "--set", "pingactors.hub.listen=127.0.0.1:0"], HangGuard);

            var line = ProcessAssertions.SingleErrorLine(run, expectedExitCode: 3, Bound);
            Assert.Equal($"error: {file}: pingactors.ops.listen: expected a free address, got 127.0.0.1:{port}, which is already in use (is another node running?)", line);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Akka_remoting_port_in_use_fails_with_one_line()
    {
        using var holder = new TcpListener(IPAddress.Loopback, 0);
        holder.Start();
        var port = ((IPEndPoint)holder.LocalEndpoint).Port;

        var run = await NodeProcess.RunToExitAsync(new NodeProcessOptions { AkkaPort = port }.Arguments(), HangGuard);

        var line = ProcessAssertions.SingleErrorLine(run, expectedExitCode: 3, Bound);
        Assert.Equal($"error: --set: akka.remote.dot-netty.tcp.port: expected a free port, got 127.0.0.1:{port}, which is already in use (is another node running?)", line);
        Assert.DoesNotContain(run.Stdout, l => l.Contains("listening on", StringComparison.Ordinal));
    }
}
