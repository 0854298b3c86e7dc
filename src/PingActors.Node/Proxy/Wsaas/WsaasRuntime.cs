using Akka.Actor;
using PingActors.Actors.Proxy;
using PingActors.Actors.Proxy.Delivery;
using PingActors.Actors.Proxy.Faces;

namespace PingActors.Node.Proxy.Wsaas;

/// <summary>
/// WSaaS's face on this node: the proxy engine with <see cref="WsaasFace"/>, its own callback pool, stream hosts
/// and counters, but the node's one session directory and gateway, so a push through any node's control
/// listener reaches a session wherever it is.
/// </summary>
public sealed class WsaasRuntime(WsaasFeatureSettings feature, ProxyParts parts, ActorSystem system, IHttpClientFactory clients, Prometheus.CollectorRegistry registry)
{
    /// <summary>The name of the pooled HttpClient WSaaS's callbacks use.</summary>
    public const string CallbackClientName = "wsaas-callbacks";

    private readonly Lazy<ProxyContext> _context = new(() => ProxyContext.Start(
        feature.Settings!,
        new WsaasFace(feature.Target, feature.LocalAddress, (long)feature.Timeout.TotalMilliseconds),
        clients.CreateClient(CallbackClientName),
        parts.Directory,
        new ProxyStats(),
        new ProxyMetrics(registry, WsaasFeatureSettings.Name),
        system));

    private readonly Lazy<ProxyDelivery> _delivery = new(() => new ProxyDelivery(parts.Directory, parts.Peers, feature.Settings!));

    public ProxyContext Context => _context.Value;

    public ProxyDelivery Delivery => _delivery.Value;

    /// <summary>Waits (bounded by callback.timeout) for the DELETE callbacks of the sessions a drain closed.</summary>
    public Task CloseCallbacksSentAsync() =>
        _context.IsValueCreated ? Context.Callbacks.WhenClosesSentAsync().WaitAsync(Context.Settings.CallbackTimeout) : Task.CompletedTask;
}
