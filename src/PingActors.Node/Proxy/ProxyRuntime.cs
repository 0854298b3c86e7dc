using Akka.Actor;
using PingActors.Actors.Proxy;
using PingActors.Actors.Proxy.Delivery;
using PingActors.Actors.Proxy.Faces;

namespace PingActors.Node.Proxy;

/// <summary>The proxy's parts on this node; its session core is made once the listeners are bound (the endpoint header names the bound port).</summary>
public sealed class ProxyRuntime(
    ProxyFeatureSettings feature,
    ProxyMetrics metrics,
    ProxyStats stats,
    SessionDirectory directory,
    ProxyPeers peers,
    ActorSystem system,
    IHttpClientFactory clients,
    Func<int> boundPort)
{
    /// <summary>The name of the pooled HttpClient the callbacks use (configured by the node's composition).</summary>
    public const string CallbackClientName = "proxy-callbacks";

    private readonly Lazy<ProxyContext> _context = new(() => Start(feature.Settings! with { Endpoint = EndpointOf(feature, boundPort) }, clients, directory, stats, metrics, system));

    private readonly Lazy<ProxyDelivery> _delivery = new(() => new ProxyDelivery(directory, peers, feature.Settings!));

    public ProxyContext Context => _context.Value;

    public ProxyDelivery Delivery => _delivery.Value;

    public ProxyStats Stats => stats;

    /// <summary>Waits (bounded by callback.timeout) for the close callbacks of the sessions a drain closed.</summary>
    public Task CloseCallbacksSentAsync() =>
        _context.IsValueCreated ? Context.Callbacks.WhenClosesSentAsync().WaitAsync(Context.Settings.CallbackTimeout) : Task.CompletedTask;

    private static ProxyContext Start(ProxySettings settings, IHttpClientFactory clients, SessionDirectory directory, ProxyStats stats, ProxyMetrics metrics, ActorSystem system) =>
        ProxyContext.Start(settings, new KuiperbeltFace(settings), clients.CreateClient(CallbackClientName), directory, stats, metrics, system);

    /// <summary>kuiperbelt's default endpoint: the hostname, with the port unless it is below 1024.</summary>
    private static string EndpointOf(ProxyFeatureSettings feature, Func<int> boundPort)
    {
        if (feature.Settings!.Endpoint.Length > 0)
        {
            return feature.Settings.Endpoint;
        }

        var port = boundPort();
        return port < 1024 ? Environment.MachineName : $"{Environment.MachineName}:{port}";
    }
}
