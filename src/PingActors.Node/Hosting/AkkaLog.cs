using Akka.Actor;
using Akka.Configuration;
using Akka.Dispatch;
using Akka.Event;
using Akka.Hosting.Logging;
using AkkaLevel = Akka.Event.LogLevel;
using LogLevel = Microsoft.Extensions.Logging.LogLevel;

namespace PingActors.Node.Hosting;

/// <summary>
/// Akka's logger: each log event becomes one line of the node's log, with the node's prefix only and the class
/// that logged as its category (<c>Akka.Cluster.ClusterCoreDaemon</c>, <c>PingActors.Actors.Sessions.SessionSupervisor</c>).
/// </summary>
/// <remarks>
/// Akka.Hosting's own logger wrote Akka's whole formatted event behind the node's prefix, so every line carried two:
/// <c>info: Akka.Actor.ActorSystem[0] [INFO][12/04/2026 ...][Thread 0013][remoting (akka://PingActors)] Remoting shut down</c>.
/// Akka's own information events (remoting, membership steps, singletons, dead letters) are chatter a newcomer
/// cannot act on: unless akka.loglevel asks for them they are written at debug. The node's actors keep their levels.
/// </remarks>
public sealed class AkkaLog : ActorBase, IRequiresMessageQueue<ILoggerMessageQueueSemantics>
{
    private readonly ILoggerFactory _factory;
    private readonly bool _akkaInfoAsDebug;
    private readonly Dictionary<Type, ILogger> _loggers = [];
    private readonly Dictionary<string, ILogger> _named = new(StringComparer.Ordinal);

    public AkkaLog()
    {
        var setups = Context.System.Settings.Setup;
        var factory = setups.Get<LoggerFactorySetup>();
        _factory = factory.HasValue
            ? factory.Value.LoggerFactory
            : throw new ConfigurationException($"{nameof(AkkaLog)} needs the host's ILoggerFactory ({nameof(LoggerFactorySetup)}), which Akka.Hosting adds");
        var levels = setups.Get<AkkaLogSetup>();
        _akkaInfoAsDebug = !levels.HasValue || levels.Value.AkkaInfoAsDebug;
    }

    protected override bool Receive(object message)
    {
        switch (message)
        {
            case InitializeLogger:
                Sender.Tell(new LoggerInitialized());
                return true;
            case LogEvent e:
                Write(e);
                return true;
            default:
                return false;
        }
    }

    private static bool IsAkkas(Type? logClass) => logClass?.Namespace?.StartsWith("PingActors", StringComparison.Ordinal) != true;

    private static string Text(LogEvent e)
    {
        try
        {
            return e.Message?.ToString() ?? string.Empty;
        }
        catch (FormatException)
        {
            // A template whose arguments do not match it: still worth a line.
            return e.Message is LogMessage m ? $"{m.Format} [{string.Join(", ", m.Parameters())}]" : e.Message?.GetType().Name ?? string.Empty;
        }
    }

    private void Write(LogEvent e)
    {
        var level = e.LogLevel() switch
        {
            AkkaLevel.DebugLevel => LogLevel.Debug,
            AkkaLevel.InfoLevel => _akkaInfoAsDebug && IsAkkas(e.LogClass) ? LogLevel.Debug : LogLevel.Information,
            AkkaLevel.WarningLevel => LogLevel.Warning,
            _ => LogLevel.Error,
        };
        var log = LoggerFor(e.LogClass, e.LogSource);
        if (!log.IsEnabled(level))
        {
            return;
        }

        // The source (an actor path, "Cluster (akka://PingActors)") stays a property for structured sinks.
        KeyValuePair<string, object?>[] state = [new("AkkaSource", e.LogSource), new("Message", Text(e))];
        log.Log(level, default, state, e.Cause, static (s, _) => (string)s[1].Value!);
    }

    private ILogger LoggerFor(Type? logClass, string? source)
    {
        // Events logged under a name rather than a class ("Cluster (akka://PingActors)", "remoting-terminator")
        // all carry this placeholder class: the name makes the category instead (Akka.Cluster), so it can be filtered.
        if (logClass is null || logClass == typeof(DummyClassForStringSources))
        {
            var name = source is null ? string.Empty : source.Split(" (", 2)[0];
            var category = name.Length == 0 || name.Contains("://", StringComparison.Ordinal) ? "Akka" : "Akka." + name;
            if (!_named.TryGetValue(category, out var named))
            {
                named = _factory.CreateLogger(category);
                _named[category] = named;
            }

            return named;
        }

        if (!_loggers.TryGetValue(logClass, out var log))
        {
            log = _factory.CreateLogger(logClass);
            _loggers[logClass] = log;
        }

        return log;
    }
}

/// <summary>Whether <see cref="AkkaLog"/> writes Akka's own information events at debug (when akka.loglevel was not set).</summary>
public sealed class AkkaLogSetup(bool akkaInfoAsDebug) : Akka.Actor.Setup.Setup
{
    public bool AkkaInfoAsDebug { get; } = akkaInfoAsDebug;
}
