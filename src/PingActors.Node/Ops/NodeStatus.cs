namespace PingActors.Node.Ops;

/// <summary>The node's standing in its cluster, as the host learns it and ops reports it.</summary>
public sealed class NodeStatus
{
    /// <summary>True once this node has been an Up member of its cluster.</summary>
    public bool JoinedCluster { get; set; }

    /// <summary>Set when the cluster downed this node: the ActorSystem shuts itself down, the node exits non-zero.</summary>
    public bool DownedByCluster { get; set; }
}
