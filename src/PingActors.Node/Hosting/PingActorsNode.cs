using Akka;
using Akka.Actor;
using Akka.Cluster;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using PingActors.Actors.Connections;
using PingActors.Actors.Metrics;
using PingActors.Node.Configuration;
using PingActors.Node.Http;

namespace PingActors.Node.Hosting;

/// <summary>One PingActors node: Kestrel owns HTTP and the sockets, the ActorSystem owns the state.</summary>
public sealed class PingActorsNode : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly NodeListeners _listeners;
    private readonly IReadOnlyList<string> _configWarnings;
    private HubRuntime? _runtime;

    private PingActorsNode(WebApplication app, NodeListeners listeners, IReadOnlyList<string> configWarnings)
    {
        _app = app;
        _listeners = listeners;
        _configWarnings = configWarnings;
    }

    public IServiceProvider Services => _app.Services;

    public NodeSettings Settings => _app.Services.GetRequiredService<NodeSettings>();

    public Uri HubUri => UriOf(_listeners.HubEndpoint!);

    public Uri OpsUri => UriOf(_listeners.OpsEndpoint!);

    /// <summary>True if the cluster downed this node (it was cut off or paused past the split brain resolver's window).</summary>
    public bool DownedByCluster => _runtime?.DownedByCluster ?? false;

    public static PingActorsNode Create(LoadedConfig config, NodeSettings settings)
    {
        // Hosted services (the ActorSystem among them) start before Kestrel binds, so a port in use would
        // otherwise only show after this node had joined the cluster. Fail before anything starts.
        EnsureFree("pingactors.hub.listen", settings.HubListen);
        EnsureFree("pingactors.ops.listen", settings.OpsListen);

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = typeof(PingActorsNode).Assembly.GetName().Name });
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(settings.LogLevel);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting", LogLevel.Warning);

        // With this category enabled ASP.NET Core keeps an Activity and a log scope for every request,
        // and a WebSocket request lives as long as its socket: ~0.5 KB per idle connection. We log
        // requests ourselves (pingactors.ops.access-log).
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.UseUtcTimestamp = true;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
        });

        var listeners = new NodeListeners();
        var metrics = new HubMetrics();
        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton(metrics);
        builder.Services.AddSingleton(listeners);
        builder.Services.AddSingleton<HubRuntime>();
        builder.Services.AddSingleton<HubHandler>();
        builder.Services.AddSingleton<OpsHandler>();
        builder.Services.AddSingleton<AccessLog>();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = settings.ShutdownTimeout);
        builder.Services.AddPingActorsAkka(config, settings, metrics);
        builder.Services.AddHostedService<ShutdownDrainService>();

        // Kestrel counts upgraded (WebSocket) connections apart from plain HTTP ones; together they must
        // stay within the open-file budget.
        var budget = OpenFileLimit.ConnectionBudget(OpenFileLimit.Raise());
        var httpConnections = budget is { } b ? Math.Max(1, Math.Min(512, b / 20)) : (long?)null;
        var webSockets = settings.MaxConnections ?? budget - httpConnections;
        if (settings.IoQueues is { } ioQueues)
        {
            builder.Services.Configure<SocketTransportOptions>(o => o.IOQueueCount = ioQueues);
        }

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxConcurrentConnections = settings.MaxConnections is null ? httpConnections : null;
            kestrel.Limits.MaxConcurrentUpgradedConnections = webSockets;
            kestrel.Listen(settings.HubListen.Address, settings.HubListen.Port, o => Tag(o, NodeListeners.Hub, listeners));
            kestrel.Listen(settings.OpsListen.Address, settings.OpsListen.Port, o => Tag(o, NodeListeners.Ops, listeners));
        });

        var app = builder.Build();
        var hub = app.Services.GetRequiredService<HubHandler>();
        var ops = app.Services.GetRequiredService<OpsHandler>();
        var accessLog = app.Services.GetRequiredService<AccessLog>();
        app.Run(context =>
        {
            var listener = context.Features.Get<ListenerTag>()?.Name ?? NodeListeners.Hub;
            Task Handle() => listener == NodeListeners.Ops ? ops.HandleAsync(context) : hub.HandleAsync(context);
            return settings.AccessLog ? accessLog.InvokeAsync(context, listener, Handle) : Handle();
        });
        return new PingActorsNode(app, listeners, ShutdownBounds.Warnings(config, settings));
    }

    /// <summary>Starts the listeners and waits (bounded) until this node is an Up cluster member.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        await _app.StartAsync(cancellationToken);
        var log = _app.Services.GetRequiredService<ILogger<PingActorsNode>>();
        log.LogInformation("PingActors hub listening on {Hub}", HubUri);
        log.LogInformation("PingActors ops listening on {Ops}", OpsUri);
        foreach (var warning in _configWarnings)
        {
            log.LogWarning("{ConfigWarning}", warning);
        }

        var limits = _app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>>().Value.Limits;
        log.LogInformation(
            "Accepting at most {WebSockets} WebSocket connections and {Http} other HTTP connections at once",
            (object?)limits.MaxConcurrentUpgradedConnections ?? "unlimited",
            (object?)limits.MaxConcurrentConnections ?? "unlimited");

        var system = _app.Services.GetRequiredService<ActorSystem>();
        var runtime = _app.Services.GetRequiredService<HubRuntime>();
        var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Cluster.Get(system).RegisterOnMemberUp(() =>
        {
            runtime.JoinedCluster = true;
            up.TrySetResult();
        });

        // A SIGTERM while the seeds are still unreachable must not wait out the rest of this: shutdown
        // only proceeds once the caller gets to WaitForShutdownAsync.
        var stopping = _app.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        using var giveUp = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, stopping);
        _runtime = runtime;
        DrainWhenDowned(system, runtime, log);
        var joinTimeout = Settings.ClusterJoinTimeout;
        var waited = Task.Delay(joinTimeout, giveUp.Token);
        if (await Task.WhenAny(up.Task, waited) == up.Task)
        {
            log.LogInformation("PingActors node is Up in the cluster as {Address}", Cluster.Get(system).SelfAddress);
        }
        else if (!stopping.IsCancellationRequested)
        {
            log.LogWarning(
                "PingActors node has not joined a cluster within {Timeout} (seeds: {Seeds}); still trying. Check that every node lists the same seeds, spelled as each seed's hostname",
                joinTimeout,
                string.Join(", ", Cluster.Get(system).Settings.SeedNodes));
        }
    }

    public Task StopAsync(CancellationToken cancellationToken = default) => _app.StopAsync(cancellationToken);

    /// <summary>
    /// A node the cluster downs (the other side of a partition removed it, or it was paused too long) runs
    /// Akka's CoordinatedShutdown on its own, and the ActorSystem is gone before the host's drain
    /// (<see cref="ShutdownDrainService"/>) gets to run: its clients would wait on sockets that no longer
    /// deliver anything, then see them aborted. So close them first, as on SIGTERM (1001, spread over
    /// the drain window), in CoordinatedShutdown's first phase; the host then stops and the node exits
    /// non-zero (Program.cs) so a supervisor restarts it and it joins again.
    /// </summary>
    private void DrainWhenDowned(ActorSystem system, HubRuntime runtime, ILogger log)
    {
        var shutdown = CoordinatedShutdown.Get(system);

        // Read now: by the time the task runs the host may be tearing down its service provider.
        var drainWindow = Settings.DrainWindow;
        var bound = Settings.DrainBound;
        shutdown.AddTask(CoordinatedShutdown.PhaseBeforeServiceUnbind, "pingactors-drain-when-downed", async () =>
        {
            if (shutdown.ShutdownReason is not CoordinatedShutdown.ClusterDowningReason)
            {
                return Done.Instance;
            }

            log.LogError("PingActors node was downed by the cluster; closing its connections and stopping (it can be restarted to join again)");
            runtime.DownedByCluster = true;
            runtime.Draining = true;
            try
            {
                await runtime.Connections.Ask<Drained>(new Drain(drainWindow), bound);
            }
            catch (AskTimeoutException)
            {
                log.LogWarning("Connections still open after {Bound}; stopping anyway", bound);
            }

            return Done.Instance;
        });
    }

    public Task WaitForShutdownAsync(CancellationToken cancellationToken = default) => _app.WaitForShutdownAsync(cancellationToken);

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    private static void EnsureFree(string key, ListenAddress address)
    {
        if (address.Port == 0)
        {
            return;
        }

        // Same socket options as Kestrel's listen socket (SO_REUSEADDR on Unix), so a port held only by
        // TIME_WAIT connections of a previous run passes here as it does there. Still racy, so Kestrel's
        // own bind failure is handled too (StartupFailure).
        using var probe = new System.Net.Sockets.Socket(address.Address.AddressFamily, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        if (!OperatingSystem.IsWindows())
        {
            probe.SetSocketOption(System.Net.Sockets.SocketOptionLevel.Socket, System.Net.Sockets.SocketOptionName.ReuseAddress, true);
        }

        try
        {
            probe.Bind(new System.Net.IPEndPoint(address.Address, address.Port));
        }
        catch (System.Net.Sockets.SocketException e) when (e.SocketErrorCode == System.Net.Sockets.SocketError.AddressAlreadyInUse)
        {
            throw new ListenAddressInUseException(key, address, e);
        }
    }

    private static void Tag(ListenOptions options, string name, NodeListeners listeners)
    {
        var tag = new ListenerTag(name);
        options.Use(next => connection =>
        {
            connection.Features.Set(tag);
            return next(connection);
        });
        if (name == NodeListeners.Hub)
        {
            listeners.HubEndpoint = options;
        }
        else
        {
            listeners.OpsEndpoint = options;
        }
    }

    private static Uri UriOf(ListenOptions options)
    {
        var endpoint = options.IPEndPoint!;
        var host = endpoint.Address.Equals(System.Net.IPAddress.Any) ? "127.0.0.1" : endpoint.Address.Equals(System.Net.IPAddress.IPv6Any) ? "[::1]" : new ListenAddress(endpoint.Address, 0).ToString()[..^2];
        return new Uri($"http://{host}:{endpoint.Port}/");
    }
}
