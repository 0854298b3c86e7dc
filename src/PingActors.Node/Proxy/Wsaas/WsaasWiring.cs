using Akka.Actor;
using PingActors.Node.WebSockets;

namespace PingActors.Node.Proxy.Wsaas;

/// <summary>WSaaS's face in the node's composition: its services, and its two listeners' handlers.</summary>
public static class WsaasWiring
{
    public static void Add(IServiceCollection services, WsaasFeatureSettings feature, ProxyParts parts, Prometheus.CollectorRegistry registry)
    {
        services.AddSingleton(feature);
        if (feature.Settings is not { } settings)
        {
            return;
        }

        ProxyCallbackClient.Add(services, settings, WsaasRuntime.CallbackClientName);
        services.AddSingleton(sp => new WsaasRuntime(feature, parts, sp.GetRequiredService<ActorSystem>(), sp.GetRequiredService<IHttpClientFactory>(), registry));
        services.AddSingleton<WsaasEndpoint>();
    }

    public static void Route(IServiceProvider services, IDictionary<string, RequestDelegate> handlers)
    {
        var endpoint = services.GetRequiredService<WsaasEndpoint>();
        handlers[WsaasFeatureSettings.Name] = endpoint.HandleAsync;
        handlers[WsaasFeatureSettings.ControlName] = endpoint.HandleControlAsync;

        // A drain closes the sessions; their DELETE callbacks are sent before the node goes.
        services.GetRequiredService<NodeSessions>().AfterDrain(services.GetRequiredService<WsaasRuntime>().CloseCallbacksSentAsync);
    }
}
