using PingActors.Node.Configuration;
using PingActors.Node.Hub;

namespace PingActors.Node.Hosting;

/// <summary>Everything the node was configured with: what the node shares, and each feature's section, read by that feature.</summary>
public sealed record NodeSetup(NodeSettings Node, HubFeatureSettings Hub)
{
    /// <summary>The listeners to open, ops last: each enabled feature's, by name, with the key it was set by.</summary>
    public IReadOnlyList<ListenerSpec> Listeners { get; } =
    [
        .. Hub.Enabled ? [new ListenerSpec(HubFeatureSettings.Name, HubFeatureSettings.ListenKey, Hub.Listen)] : Array.Empty<ListenerSpec>(),
        new ListenerSpec(ListenerSpec.Ops, NodeSettings.OpsListenKey, Node.OpsListen),
    ];

    /// <summary>The close-timeout a drain waits for (the enabled features'), and the key that set it.</summary>
    public (TimeSpan Timeout, string Key) CloseTimeout => Hub.Enabled ? (Hub.Settings.Session.CloseTimeout, Hub.CloseTimeoutKey) : (TimeSpan.Zero, "no feature's close-timeout");

    /// <summary>The longest a drain of the node's sockets may take (<see cref="ShutdownBounds.DrainBound"/>).</summary>
    public TimeSpan DrainBound => ShutdownBounds.DrainBound(Node, CloseTimeout.Timeout);

    /// <summary>Where the shutdown bounds are too short for this node's drain (<see cref="ShutdownBounds"/>).</summary>
    public IReadOnlyList<string> ShutdownWarnings(LoadedConfig loaded) => ShutdownBounds.Warnings(loaded, Node, CloseTimeout.Timeout, CloseTimeout.Key);

    /// <summary>Reads and checks the <c>pingactors</c> section; a problem is a <see cref="ConfigException"/> naming the file and the key.</summary>
    public static NodeSetup From(LoadedConfig loaded)
    {
        var reader = new SettingsReader(loaded);
        reader.RejectUnknownKeys("pingactors");
        var setup = new NodeSetup(NodeSettings.From(reader), HubFeatureSettings.From(reader));
        ListenerSpec.CheckDistinct(setup.Listeners, loaded);
        ClusterChecks.Validate(loaded);
        return setup;
    }
}
