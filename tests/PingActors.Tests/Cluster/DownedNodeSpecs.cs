using Xunit.Abstractions;

namespace PingActors.Tests.Cluster;

/// <summary>
/// A node that was cut off long enough to be downed (here: paused with SIGSTOP past the failure detector
/// and stable-after, which to the others looks like a crash, and to it like a partition once it resumes)
/// must not carry on as a second cluster: it downs itself, its clients lose their sockets promptly so they
/// reconnect elsewhere, and it exits with a code a supervisor treats as a failure.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class DownedNodeSpecs(ITestOutputHelper output)
{
    private const int SIGCONT = 18;
    private const int SIGSTOP = 19;

    [Fact]
    public async Task A_node_downed_while_paused_closes_its_sockets_and_exits_non_zero_when_it_resumes()
    {
        const int paused = 2;
        await using var cluster = await LocalCluster.StartAsync(3, output);
        await using var cleanup = new Cleanup();
        var path = $"/downed-{Guid.NewGuid():N}";
        var onPaused = cleanup.Add(await Subscriber.ConnectAsync(cluster[paused], path, "subscriber on the paused node"));
        var survivor = cleanup.Add(await Subscriber.ConnectAsync(cluster[0], path, "subscriber 0"));

        cluster[paused].Signal(SIGSTOP);
        try
        {
            // The others remove it (as after a crash) and carry on as two.
            await cluster.WaitForMembersUpAsync(2, TimeSpan.FromSeconds(40), except: paused);
        }
        finally
        {
            cluster[paused].Signal(SIGCONT);
        }

        var resumedAt = Subscriber.Clock.Elapsed;
        var code = await cluster[paused].WaitForExitAsync(TimeSpan.FromSeconds(40));
        var exitedAfter = Subscriber.Clock.Elapsed - resumedAt;
        var ended = await onPaused.Ended.WaitAsync(TimeSpan.FromSeconds(5));
        output.WriteLine($"resumed node exited {code} {exitedAfter.TotalSeconds:F1} s after SIGCONT; its subscriber: {ended} after {(onPaused.EndedAt!.Value - resumedAt).TotalSeconds:F1} s");

        // Exit code 4: downed by the cluster (a supervisor restarts it); its client got a close frame, not
        // a dead socket, well before the process is gone.
        Assert.True(code == 4, $"exit code {code}\n{cluster[paused].Transcript}");
        Assert.Equal("close 1001 server shutting down", ended);
        Assert.True(exitedAfter < TimeSpan.FromSeconds(30), $"the downed node took {exitedAfter.TotalSeconds:F1} s to exit\n{cluster[paused].Transcript}");
        Assert.True(survivor.IsOpen, "the survivor's subscriber lost its socket");
    }
}
