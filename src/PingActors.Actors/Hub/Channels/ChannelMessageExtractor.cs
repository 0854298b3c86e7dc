using Akka.Cluster.Sharding;

namespace PingActors.Actors.Hub.Channels;

/// <summary>Routes channel commands to the entity named by the channel path.</summary>
public sealed class ChannelMessageExtractor(int maxShards) : HashCodeMessageExtractor(maxShards)
{
    public override string? EntityId(object message) => (message as IChannelCommand)?.Channel;
}
