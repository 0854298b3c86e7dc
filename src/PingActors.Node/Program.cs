using PingActors.Node.Configuration;
using PingActors.Node.Hosting;

LoadedConfig config;
NodeSettings settings;
try
{
    var commandLine = CommandLine.Parse(args);
    if (commandLine.ShowHelp)
    {
        Console.WriteLine(CommandLine.Usage);
        return 0;
    }

    config = ConfigLoader.Load(commandLine);
    settings = NodeSettings.From(config);
}
catch (ConfigException e)
{
    Console.Error.WriteLine("error: " + e.Message);
    return 2;
}

await using var node = PingActorsNode.Create(config, settings);
try
{
    await node.StartAsync();
}
catch (IOException e) when (e.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException)
{
    Console.Error.WriteLine("error: " + e.Message);
    return 3;
}

await node.WaitForShutdownAsync();
return 0;
