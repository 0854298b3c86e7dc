using System.Net;
using PingActors.Actors.Proxy;

namespace PingActors.Node.Proxy;

/// <summary>
/// The pooled HttpClient of the app's callbacks, from IHttpClientFactory: at most callback.max-connections
/// connections to one app server (more requests wait for one, within callback.timeout), each replaced after
/// callback.connection-lifetime so a scaled-out app gets its share, and no automatic redirects or cookies
/// (a callback's answer is the app's own), and none of the factory's per-request logging.
/// </summary>
public static class ProxyCallbackClient
{
    /// <param name="name">The client's name: each face has its own pool, sized by its own settings.</param>
    public static void Add(IServiceCollection services, ProxySettings settings, string name = ProxyRuntime.CallbackClientName) =>
        services.AddHttpClient(name, client =>
            {
                client.Timeout = Timeout.InfiniteTimeSpan; // each call carries its own callback.timeout
                client.MaxResponseContentBufferSize = Math.Max(1, settings.CallbackMaxBodySize);
            })
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                MaxConnectionsPerServer = settings.CallbackMaxConnections,
                PooledConnectionLifetime = settings.CallbackConnectionLifetime,
                PooledConnectionIdleTimeout = settings.CallbackConnectionLifetime,
                AllowAutoRedirect = false,
                UseCookies = false,
                UseProxy = false,
                AutomaticDecompression = DecompressionMethods.None,
                ConnectTimeout = settings.CallbackTimeout,
            })
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan)

            // The factory's default logging handlers cost a tenth of the node's CPU per connect (measured with
            // perf, docs/benchmarks.md "Proxy"); the callbacks' outcomes are counted in /metrics instead.
            .RemoveAllLoggers();
}
