using PingActors.Node.Configuration;
using PingActors.Node.Hosting;

// Exit codes: 0 after a clean stop (SIGTERM, Ctrl-C), 2 for a configuration error, 3 when the node cannot
// start (e.g. a port in use), 4 when the cluster downed the node (a supervisor should restart it). Either error is one line on stderr, never a stack trace: it is what an
// operator or a supervisor (systemd, Kubernetes) shows first.
LoadedConfig config;
NodeSetup settings;
try
{
    var commandLine = CommandLine.Parse(args);
    if (commandLine.ShowHelp)
    {
        Console.WriteLine(CommandLine.Usage);
        return 0;
    }

    config = ConfigLoader.Load(commandLine);
    settings = NodeSetup.From(config);
}
catch (ConfigException e)
{
    Console.Error.WriteLine("error: " + e.Message);
    return 2;
}

PingActorsNode? node = null;
try
{
    // Create already builds the ActorSystem (and binds Akka remoting), so it fails like StartAsync does.
    node = PingActorsNode.Create(config, settings);
    await node.StartAsync();
}
catch (Exception e)
{
    Console.Error.WriteLine("error: " + StartupFailure.Describe(e, config, settings));
    if (node is not null)
    {
        // Stop whatever did start (the ActorSystem starts before Kestrel binds), but never hang on it.
        try
        {
            await node.DisposeAsync().AsTask().WaitAsync(settings.Node.ShutdownTimeout);
        }
        catch (Exception)
        {
            // The start already failed and was reported; exiting is all that is left.
        }
    }

    return 3;
}

await using (node)
{
    await node.WaitForShutdownAsync();
}

return node.DownedByCluster ? 4 : 0;
