using Microsoft.Extensions.Logging.Console;

namespace PingActors.Node.Hosting;

/// <summary>
/// Wraps the console provider so that an event written once per attacking connection reaches the log once, then as
/// one summary line per interval. Kestrel warns for every connection it refuses at its connection limit: under a
/// connection flood that was 254,788 lines (49 MB) in 35 s, which buries everything else and fills the disk.
/// </summary>
/// <remarks>
/// Done here rather than with a logging filter because filters see only the category and the level, and the
/// category also carries Kestrel's other connection events, which stay as they are.
/// </remarks>
[ProviderAlias("Console")]
public sealed class LogSummaries : ILoggerProvider, ISupportExternalScope
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    private readonly ILoggerProvider _inner;
    private readonly RepeatedEvent[] _events;

    public LogSummaries(ILoggerProvider inner, TimeProvider time)
    {
        _inner = inner;
        _events =
        [
            new RepeatedEvent(
                "Microsoft.AspNetCore.Server.Kestrel.Connections",
                new EventId(24, "ConnectionRejected"),
                "Refused {Count} more connections at the HTTP connection limit in the last {Seconds:0}s (Kestrel's ConnectionRejected: written once, then counted every {Interval:0}s)",
                time),
        ];
    }

    /// <summary>Puts the wrapper in place of the console provider that <c>AddSimpleConsole</c> registered.</summary>
    public static void Install(ILoggingBuilder logging)
    {
        var console = logging.Services.Single(d => d.ServiceType == typeof(ILoggerProvider) && d.ImplementationType == typeof(ConsoleLoggerProvider));
        logging.Services.Remove(console);
        logging.Services.AddSingleton<ILoggerProvider>(sp => new LogSummaries(
            new ConsoleLoggerProvider(sp.GetRequiredService<Microsoft.Extensions.Options.IOptionsMonitor<ConsoleLoggerOptions>>(), sp.GetServices<ConsoleFormatter>()),
            TimeProvider.System));
    }

    public ILogger CreateLogger(string categoryName)
    {
        var inner = _inner.CreateLogger(categoryName);
        var summarised = Array.FindAll(_events, e => e.Category == categoryName);
        if (summarised.Length == 0)
        {
            return inner;
        }

        foreach (var e in summarised)
        {
            e.WriteTo(inner);
        }

        return new SummarisingLogger(inner, summarised);
    }

    public void SetScopeProvider(IExternalScopeProvider scopeProvider)
    {
        if (_inner is ISupportExternalScope scoped)
        {
            scoped.SetScopeProvider(scopeProvider);
        }
    }

    public void Dispose()
    {
        // What was counted since the last summary would otherwise be lost with the process.
        foreach (var e in _events)
        {
            e.Dispose();
        }

        _inner.Dispose();
    }

    private sealed class SummarisingLogger(ILogger inner, RepeatedEvent[] events) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            foreach (var e in events)
            {
                if (e.Id.Id == eventId.Id && !e.Occurred(logLevel))
                {
                    return;
                }
            }

            inner.Log(logLevel, eventId, state, exception, formatter);
        }
    }

    /// <summary>
    /// One event that is let through the first time, then counted: every interval that saw more of it logs one
    /// line with the count, and a quiet interval ends the run, so the next occurrence is let through again.
    /// </summary>
    private sealed class RepeatedEvent(string category, EventId id, string summary, TimeProvider time) : IDisposable
    {
        private readonly object _gate = new();
        private ILogger? _log;
        private ITimer? _timer;
        private long _count;
        private long _since;
        private LogLevel _level;
        private bool _disposed;

        public string Category { get; } = category;

        public EventId Id { get; } = id;

        public void WriteTo(ILogger log) => _log = log;

        /// <returns>True for the first occurrence of a run, which is to be written as it is.</returns>
        public bool Occurred(LogLevel level)
        {
            lock (_gate)
            {
                _level = level;
                if (_timer is not null)
                {
                    _count++;
                    return false;
                }

                if (!_disposed)
                {
                    _since = time.GetTimestamp();
                    _timer = time.CreateTimer(_ => Summarise(final: false), null, Interval, Interval);
                }

                return true;
            }
        }

        public void Dispose() => Summarise(final: true);

        private void Summarise(bool final)
        {
            long count;
            TimeSpan elapsed;
            LogLevel level;
            lock (_gate)
            {
                if (_disposed)
                {
                    return;
                }

                count = _count;
                level = _level;
                elapsed = time.GetElapsedTime(_since);
                _count = 0;
                _since = time.GetTimestamp();
                if (count == 0 || final)
                {
                    _timer?.Dispose();
                    _timer = null;
                    _disposed = final;
                }
            }

            if (count > 0)
            {
                // Only events the logging filters let through are counted, so a filter that hides the event
                // hides its summary too.
                _log?.Log(level, Id, summary, count, elapsed.TotalSeconds, Interval.TotalSeconds);
            }
        }
    }
}
