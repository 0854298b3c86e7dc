using PingActors.Actors.Sessions;
using PingActors.Actors.Hub.Channels;
using PingActors.Actors.Hub;

namespace PingActors.Tests.Hub.Channels;

public sealed class ReplayBufferSpecs
{
    [Fact]
    public void Keeps_the_newest_messages_within_its_count_bound()
    {
        var buffer = new ReplayBuffer(maxMessages: 3, maxBytes: 1000);
        for (var seq = 1; seq <= 5; seq++)
        {
            buffer.Add(Message(seq, 10));
        }

        Assert.True(buffer.TryGetAfter(2, out var after2));
        Assert.Equal([3L, 4L, 5L], after2.Select(m => m.Seq));
        Assert.False(buffer.TryGetAfter(1, out _));
    }

    [Fact]
    public void Keeps_the_newest_messages_within_its_byte_bound()
    {
        var buffer = new ReplayBuffer(maxMessages: 100, maxBytes: 25);
        for (var seq = 1; seq <= 5; seq++)
        {
            buffer.Add(Message(seq, 10));
        }

        Assert.Equal(2, buffer.Count);
        Assert.True(buffer.TryGetAfter(3, out var after3));
        Assert.Equal([4L, 5L], after3.Select(m => m.Seq));
        Assert.False(buffer.TryGetAfter(2, out _));
    }

    [Fact]
    public void A_zero_sized_buffer_covers_only_the_present()
    {
        var buffer = new ReplayBuffer(maxMessages: 0, maxBytes: 0);
        buffer.Add(Message(1, 1));
        Assert.True(buffer.TryGetAfter(1, out var none));
        Assert.Empty(none);
        Assert.False(buffer.TryGetAfter(0, out _));
    }

    [Fact]
    public void Skipping_a_message_drops_what_it_held_and_covers_only_what_follows()
    {
        var buffer = new ReplayBuffer(maxMessages: 100, maxBytes: 1000);
        buffer.Add(Message(1, 10));
        buffer.Add(Message(2, 10));
        buffer.Skip(Message(3, 10));
        buffer.Add(Message(4, 10));

        Assert.Equal(10, buffer.Bytes);
        Assert.False(buffer.TryGetAfter(2, out _));
        Assert.True(buffer.TryGetAfter(3, out var after3));
        Assert.Equal([4L], after3.Select(m => m.Seq));
    }

    private static ChannelMessage Message(long seq, int size) => new("/c", 1, seq, new Payload(false, new byte[size]));
}
