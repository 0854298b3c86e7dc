using Akka.Actor;
using Akka.Cluster;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using PingActors.Actors.Bridge;
using PingActors.Actors.Hub;
using PingActors.Actors.Proxy;
using PingActors.Actors.Proxy.Delivery;
using PingActors.Node.Bridge;
using PingActors.Node.Configuration;
using PingActors.Node.Hub;
using PingActors.Node.Ops;
using PingActors.Node.Proxy;
using PingActors.Node.Proxy.Wsaas;
using PingActors.Node.WebSockets;

namespace PingActors.Node.Hosting;

/// <summary>One PingActors node: Kestrel owns HTTP and the sockets, the ActorSystem owns the state. This class only composes them.</summary>
public sealed class PingActorsNode : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly NodeListeners _listeners;
    private readonly IReadOnlyList<string> _configWarnings;
    private readonly NodeStatus _status;

    private PingActorsNode(WebApplication app, NodeListeners listeners, IReadOnlyList<string> configWarnings)
    {
        _app = app;
        _listeners = listeners;
        _configWarnings = configWarnings;

        // Read after the host is disposed too (Program.cs picks the exit code from it).
        _status = app.Services.GetRequiredService<NodeStatus>();
    }

    public IServiceProvider Services => _app.Services;

    public NodeSetup Setup => _app.Services.GetRequiredService<NodeSetup>();

    public NodeListeners Listeners => _listeners;

    public Uri HubUri => _listeners.UriOf(HubFeatureSettings.Name);

    public Uri OpsUri => _listeners.UriOf(ListenerSpec.Ops);

    /// <summary>True if the cluster downed this node (it was cut off or paused past the split brain resolver's window).</summary>
    public bool DownedByCluster => _status.DownedByCluster;

    public static PingActorsNode Create(LoadedConfig config, NodeSetup setup)
    {
        foreach (var listener in setup.Listeners)
        {
            PortProbe.EnsureFree(listener.Key, listener.Address);
        }

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = typeof(PingActorsNode).Assembly.GetName().Name });
        NodeLogging.Configure(builder.Logging, setup.Node.LogLevel);

        var listeners = new NodeListeners();
        var nodeMetrics = new NodeMetrics();
        var hubMetrics = new HubMetrics(nodeMetrics.Registry);
        var proxyParts = new ProxyParts(new SessionDirectory(), new ProxyPeers(), new ProxyMetrics(nodeMetrics.Registry));
        builder.Services.AddSingleton(setup);
        builder.Services.AddSingleton(setup.Node);
        builder.Services.AddSingleton(setup.Hub);
        builder.Services.AddSingleton(nodeMetrics);
        builder.Services.AddSingleton(hubMetrics);
        builder.Services.AddSingleton(listeners);
        builder.Services.AddSingleton<NodeStatus>();
        builder.Services.AddSingleton<NodeSessions>();
        builder.Services.AddSingleton<SessionEndpoint>();
        builder.Services.AddSingleton<HubRuntime>();
        builder.Services.AddSingleton<HubEndpoint>();
        builder.Services.AddSingleton<OpsEndpoint>();
        builder.Services.AddSingleton(setup.Proxy);
        builder.Services.AddSingleton(proxyParts);
        builder.Services.AddSingleton(proxyParts.Directory);
        builder.Services.AddSingleton(proxyParts.Peers);
        builder.Services.AddSingleton(proxyParts.Metrics);
        builder.Services.AddSingleton<ProxyStats>();
        builder.Services.AddSingleton(sp => ActivatorUtilities.CreateInstance<ProxyRuntime>(sp, (Func<int>)(() => listeners.PortOf(ProxyFeatureSettings.Name))));
        builder.Services.AddSingleton<ProxyEndpoint>();
        WsaasWiring.Add(builder.Services, setup.Wsaas, proxyParts, nodeMetrics.Registry);
        builder.Services.AddSingleton(setup.Bridge);
        builder.Services.AddSingleton(new BridgeMetrics(nodeMetrics.Registry));
        builder.Services.AddSingleton<BridgeRuntime>();
        builder.Services.AddSingleton<BridgeEndpoint>();
        if (setup.Proxy.Settings is { } proxySettings)
        {
            ProxyCallbackClient.Add(builder.Services, proxySettings);
        }

        builder.Services.AddSingleton<AccessLog>();
        builder.Services.AddSingleton(sp => new UnfinishedRequests(setup.Node.Http.MaxPendingPerAddress, nodeMetrics.Registry, sp.GetRequiredService<ILogger<UnfinishedRequests>>()));
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = setup.Node.ShutdownTimeout);
        builder.Services.AddPingActorsAkka(config, setup, hubMetrics, proxyParts);
        builder.Services.AddHostedService<ShutdownDrainService>();
        Ops.Console.ConsoleRecorderHost.Add(builder.Services);

        var limits = KestrelLimits.For(OpenFileLimit.ConnectionBudget(OpenFileLimit.Raise()), setup.Node.MaxConnections);
        builder.Services.AddSingleton(sp => new SseEndpoint(
            setup.Hub,
            sp.GetRequiredService<HubRuntime>(),
            sp.GetRequiredService<NodeSessions>(),
            setup.Hub.SseMaxConnections ?? limits.WebSockets,
            sp.GetRequiredService<ILogger<SseEndpoint>>()));
        if (setup.Node.IoQueues is { } ioQueues)
        {
            builder.Services.Configure<SocketTransportOptions>(o => o.IOQueueCount = ioQueues);
        }

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxConcurrentConnections = limits.Http;
            kestrel.Limits.MaxConcurrentUpgradedConnections = limits.WebSockets;
            var http = setup.Node.Http;
            kestrel.Limits.RequestHeadersTimeout = http.HeadersTimeout;
            kestrel.Limits.MinRequestBodyDataRate = http.MinBodyRate > 0 ? new MinDataRate(http.MinBodyRate, http.MinBodyRateGrace) : null;
            foreach (var listener in setup.Listeners)
            {
                void Configure(ListenOptions o)
                {
                    o.Use(next => o.ApplicationServices.GetRequiredService<UnfinishedRequests>().For(listener.Name)(next));
                    listeners.Add(listener.Name, o);
                }

                if (listener.Address.UnixSocket is { } socketFile)
                {
                    kestrel.ListenUnixSocket(socketFile, Configure);
                }
                else
                {
                    kestrel.Listen(listener.Address.Address, listener.Address.Port, Configure);
                }
            }
        });

        var app = builder.Build();
        var handlers = new Dictionary<string, RequestDelegate>(StringComparer.Ordinal)
        {
            [ListenerSpec.Ops] = new OpsAuth(setup.Node.OpsAuthToken).Guard(OpsWithConnections(app.Services)),
        };
        if (setup.Hub.Enabled)
        {
            handlers[HubFeatureSettings.Name] = app.Services.GetRequiredService<HubEndpoint>().HandleAsync;
        }

        if (setup.Proxy.Enabled)
        {
            var proxy = app.Services.GetRequiredService<ProxyEndpoint>();
            handlers[ProxyFeatureSettings.Name] = proxy.HandleAsync;
            handlers[ProxyFeatureSettings.ControlName] = proxy.HandleControlAsync;
            app.Services.GetRequiredService<NodeSessions>().AfterDrain(app.Services.GetRequiredService<ProxyRuntime>().CloseCallbacksSentAsync);
        }

        if (setup.Wsaas.Enabled)
        {
            WsaasWiring.Route(app.Services, handlers);
        }

        if (setup.Bridge.Enabled)
        {
            handlers[BridgeFeatureSettings.Name] = app.Services.GetRequiredService<BridgeEndpoint>().HandleAsync;
        }

        var accessLog = app.Services.GetRequiredService<AccessLog>();
        app.Run(context =>
        {
            var tag = context.Features.Get<ConnectionTag>()!;
            tag.RequestArrived();
            var listener = tag.Listener;
            var handle = handlers[listener];
            return setup.Node.AccessLog && !Unlogged(setup, listener, context) ? accessLog.InvokeAsync(context, listener, () => handle(context)) : handle(context);
        });
        IReadOnlyList<string> openProxy = setup.Bridge.Enabled && setup.Bridge.OpenProxy
            ? [$"{config.SourceOf(BridgeFeatureSettings.AllowKey)}: {BridgeFeatureSettings.AllowKey} is not set: the bridge reaches any peer its backend names, as websocksy does (an open proxy); list the peers it may reach"]
            : [];
        return new PingActorsNode(app, listeners, [.. setup.ShutdownWarnings(config), .. openProxy]);
    }

    // The connection API lives on ops only when a proxy face holds sessions on this node.
    private static RequestDelegate OpsWithConnections(IServiceProvider services)
    {
        var ops = services.GetRequiredService<OpsEndpoint>();
        var setup = services.GetRequiredService<NodeSetup>();
        if (!setup.Proxy.Enabled && !setup.Wsaas.Enabled)
        {
            return ops.HandleAsync;
        }

        var connections = new ConnectionsEndpoint(services.GetRequiredService<ProxyParts>(), services.GetRequiredService<ActorSystem>());
        return context => ConnectionsEndpoint.Serves(context.Request.Path.Value) ? connections.HandleAsync(context) : ops.HandleAsync(context);
    }

    // kuiperbelt's suppress_access_log: no line for send, close, ping and unknown paths (connect and stats keep theirs).
    private static bool Unlogged(NodeSetup setup, string listener, HttpContext context) =>
        setup.Proxy.SuppressAccessLog
        && listener is ProxyFeatureSettings.Name or ProxyFeatureSettings.ControlName
        && context.Request.Path.Value != setup.Proxy.Paths.Connect
        && context.Request.Path.Value != setup.Proxy.Paths.Stats;

    /// <summary>Starts the listeners and waits (bounded) until this node is an Up cluster member.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        await _app.StartAsync(cancellationToken);
        var log = _app.Services.GetRequiredService<ILogger<PingActorsNode>>();
        var setup = Setup;

        // What a newcomer needs at start, one line each: where each listener is, the limits, the cluster.
        foreach (var listener in setup.Listeners)
        {
            log.LogInformation(
                "PingActors {Listener} listening on {Uri} ({Key} = {Bind}{Scope}): {Serves}",
                listener.Name,
                _listeners.UriOf(listener.Name),
                listener.Key,
                listener.Address,
                ScopeOf(listener.Address),
                Serves(listener.Name, setup));
        }

        foreach (var warning in _configWarnings)
        {
            log.LogWarning("{ConfigWarning}", warning);
        }

        var limits = _app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<KestrelServerOptions>>().Value.Limits;
        log.LogInformation(
            "Accepting at most {WebSockets} WebSocket connections and {Http} other HTTP connections at once (pingactors.hub.max-connections); messages up to {MaxMessage} (pingactors.websocket.max-message-size, or the hub's own)",
            (object?)limits.MaxConcurrentUpgradedConnections ?? "unlimited",
            (object?)limits.MaxConcurrentConnections ?? "unlimited",
            setup.Hub.Enabled ? SizeText(setup.Hub.Settings.Session.MaxMessageSize) : "n/a (hub off)");

        // The hub's stream hosts start now rather than on the first connection.
        _ = _app.Services.GetRequiredService<HubRuntime>().Context;

        var system = _app.Services.GetRequiredService<ActorSystem>();
        var status = _status;
        var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Cluster.Get(system).RegisterOnMemberUp(() =>
        {
            status.JoinedCluster = true;
            up.TrySetResult();
        });

        // A SIGTERM while the seeds are still unreachable must not wait out the rest of this: shutdown
        // only proceeds once the caller gets to WaitForShutdownAsync.
        var stopping = _app.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        using var giveUp = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, stopping);

        // Read now: by the time the task runs the host may be tearing down its service provider.
        DrainWhenDowned.Register(system, _app.Services.GetRequiredService<NodeSessions>(), status, setup.Node.DrainWindow, setup.DrainBound, log);
        var joinTimeout = setup.Node.ClusterJoinTimeout;
        var seeds = Cluster.Get(system).Settings.SeedNodes;
        var joining = seeds.Count == 0 ? "a cluster of its own (akka.cluster.seed-nodes is empty)" : "joined through seeds " + string.Join(", ", seeds);
        if (seeds.Count > 0 && !up.Task.IsCompleted)
        {
            log.LogInformation("PingActors node is joining the cluster as {Address} through seeds {Seeds}", Cluster.Get(system).SelfAddress, string.Join(", ", seeds));
        }

        var waited = Task.Delay(joinTimeout, giveUp.Token);
        if (await Task.WhenAny(up.Task, waited) == up.Task)
        {
            log.LogInformation("PingActors node is Up in the cluster as {Address} ({Joining})", Cluster.Get(system).SelfAddress, joining);
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

    public Task WaitForShutdownAsync(CancellationToken cancellationToken = default) => _app.WaitForShutdownAsync(cancellationToken);

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    private static string Serves(string listener, NodeSetup setup) => listener switch
    {
        ListenerSpec.Ops => "GET /ping, /stats, /cluster, /metrics",
        HubFeatureSettings.Name => "a WebSocket on any path subscribes to that channel, a POST publishes to it",
        ProxyFeatureSettings.Name => $"WebSockets on {setup.Proxy.Paths.Connect} through the app's connect callback {setup.Proxy.Settings?.ConnectCallback}"
            + (setup.Proxy.ControlListen is null ? $"; POST {setup.Proxy.Paths.Send} and {setup.Proxy.Paths.Close} push to sessions (pingactors.proxy.control-listen moves them off this listener)" : string.Empty),
        ProxyFeatureSettings.ControlName => $"POST {setup.Proxy.Paths.Send}, {setup.Proxy.Paths.Close}; GET {setup.Proxy.Paths.Stats}",
        WsaasFeatureSettings.Name => $"WebSockets on any path through the app's POST {setup.Wsaas.Target}/{{id}} (WSaaS)",
        WsaasFeatureSettings.ControlName => "PUT /{id} pushes to a WSaaS session, DELETE /{id} closes it",
        BridgeFeatureSettings.Name => $"a WebSocket on any path is joined to the peer its backend ({setup.Bridge.BackendSettings.Type}) chooses",
        _ => listener,
    };

    // A newcomer binding 0.0.0.0 or 127.0.0.1 learns from whom the listener can be reached.
    private static string ScopeOf(ListenAddress listen) =>
        listen.UnixSocket is not null ? ", a unix socket"
        : listen.Address is var address && address.Equals(System.Net.IPAddress.Any) ? ", every IPv4 interface"
        : address.Equals(System.Net.IPAddress.IPv6Any) ? ", every interface"
        : System.Net.IPAddress.IsLoopback(address) ? ", this machine only"
        : string.Empty;

    private static string SizeText(int bytes) =>
        bytes % (1024 * 1024) == 0 ? $"{bytes / (1024 * 1024)} MiB"
        : bytes % 1024 == 0 ? $"{bytes / 1024} KiB"
        : $"{bytes} bytes";
}
