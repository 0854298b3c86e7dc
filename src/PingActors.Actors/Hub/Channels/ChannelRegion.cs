namespace PingActors.Actors.Hub.Channels;

/// <summary>Registry key for the channel shard region.</summary>
public sealed class ChannelRegion
{
    private ChannelRegion()
    {
    }
}
