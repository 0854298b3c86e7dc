using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace PingActors.Node.Hosting;

/// <summary>The Kestrel endpoints of the node; after start their ports are the ones actually bound (port 0 resolved).</summary>
public sealed class NodeListeners
{
    public const string Hub = "hub";
    public const string Ops = "ops";

    public ListenOptions? HubEndpoint { get; set; }

    public ListenOptions? OpsEndpoint { get; set; }
}
