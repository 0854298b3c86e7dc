namespace PingActors.Node.Hosting;

/// <summary>
/// The node's console log: one line per event, UTC timestamps, ASP.NET's own chatter kept to warnings, and events
/// repeated once per connection summed up (<see cref="LogSummaries"/>).
/// </summary>
public static class NodeLogging
{
    public static void Configure(ILoggingBuilder logging, LogLevel level)
    {
        logging.ClearProviders();
        logging.SetMinimumLevel(level);
        logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        logging.AddFilter("Microsoft.Hosting", LogLevel.Warning);

        // With this category enabled ASP.NET Core keeps an Activity and a log scope for every request,
        // and a WebSocket request lives as long as its socket: ~0.5 KB per idle connection. We log
        // requests ourselves (pingactors.ops.access-log).
        logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
        logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.UseUtcTimestamp = true;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
        });
        LogSummaries.Install(logging);
    }
}
