using PingActors.Node.Bridge;
using PingActors.Node.Configuration;
using PingActors.Node.Hub;
using PingActors.Node.Proxy;
using PingActors.Node.Proxy.Wsaas;

namespace PingActors.Node.Hosting;

/// <summary>Everything the node was configured with: what the node shares, and each feature's section, read by that feature.</summary>
public sealed record NodeSetup(NodeSettings Node, HubFeatureSettings Hub, ProxyFeatureSettings Proxy, BridgeFeatureSettings Bridge, WsaasFeatureSettings Wsaas)
{
    /// <summary>The listeners to open, ops last: each enabled feature's, by name, with the key it was set by.</summary>
    public IReadOnlyList<ListenerSpec> Listeners { get; } =
    [
        .. Hub.Enabled ? [new ListenerSpec(HubFeatureSettings.Name, HubFeatureSettings.ListenKey, Hub.Listen)] : Array.Empty<ListenerSpec>(),
        .. Proxy.Enabled ? [new ListenerSpec(ProxyFeatureSettings.Name, ProxyFeatureSettings.ListenKey, Proxy.Listen)] : Array.Empty<ListenerSpec>(),
        .. Proxy.Enabled && Proxy.ControlListen is { } control ? [new ListenerSpec(ProxyFeatureSettings.ControlName, ProxyFeatureSettings.ControlListenKey, control)] : Array.Empty<ListenerSpec>(),
        .. Wsaas.Enabled ? [new ListenerSpec(WsaasFeatureSettings.Name, WsaasFeatureSettings.ListenKey, Wsaas.Listen)] : Array.Empty<ListenerSpec>(),
        .. Wsaas.Enabled ? [new ListenerSpec(WsaasFeatureSettings.ControlName, WsaasFeatureSettings.ControlListenKey, Wsaas.ControlListen)] : Array.Empty<ListenerSpec>(),
        .. Bridge.Enabled ? [new ListenerSpec(BridgeFeatureSettings.Name, BridgeFeatureSettings.ListenKey, Bridge.Listen)] : Array.Empty<ListenerSpec>(),
        new ListenerSpec(ListenerSpec.Ops, NodeSettings.OpsListenKey, Node.OpsListen),
    ];

    /// <summary>The close-timeout a drain waits for (the enabled features'), and the key that set it.</summary>
    public (TimeSpan Timeout, string Key) CloseTimeout
    {
        get
        {
            (TimeSpan, string) longest = (TimeSpan.Zero, "no feature's close-timeout");
            if (Hub.Enabled)
            {
                longest = (Hub.Settings.Session.CloseTimeout, Hub.CloseTimeoutKey);
            }

            if (Proxy.Settings is { } proxy && proxy.Session.CloseTimeout > longest.Item1)
            {
                longest = (proxy.Session.CloseTimeout, Proxy.CloseTimeoutKey);
            }

            if (Wsaas.Settings is { } wsaas && wsaas.Session.CloseTimeout > longest.Item1)
            {
                longest = (wsaas.Session.CloseTimeout, Wsaas.CloseTimeoutKey);
            }

            if (Bridge.Enabled && Bridge.Session.CloseTimeout > longest.Item1)
            {
                longest = (Bridge.Session.CloseTimeout, Bridge.CloseTimeoutKey);
            }

            return longest;
        }
    }

    /// <summary>The longest a drain of the node's sockets may take (<see cref="ShutdownBounds.DrainBound"/>).</summary>
    public TimeSpan DrainBound => ShutdownBounds.DrainBound(Node, CloseTimeout.Timeout);

    /// <summary>Where the shutdown bounds are too short for this node's drain (<see cref="ShutdownBounds"/>).</summary>
    public IReadOnlyList<string> ShutdownWarnings(LoadedConfig loaded) => ShutdownBounds.Warnings(loaded, Node, CloseTimeout.Timeout, CloseTimeout.Key);

    /// <summary>Reads and checks the <c>pingactors</c> section; a problem is a <see cref="ConfigException"/> naming the file and the key.</summary>
    public static NodeSetup From(LoadedConfig loaded)
    {
        var reader = new SettingsReader(loaded);
        reader.RejectUnknownKeys("pingactors");
        var setup = new NodeSetup(NodeSettings.From(reader), HubFeatureSettings.From(reader), ProxyFeatureSettings.From(reader), BridgeFeatureSettings.From(reader), WsaasFeatureSettings.From(reader));
        ListenerSpec.CheckDistinct(setup.Listeners, loaded);
        ClusterChecks.Validate(loaded);
        return setup;
    }
}
