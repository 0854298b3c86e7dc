using System.Buffers.Binary;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using PingActors.Tests.Infrastructure;

namespace PingActors.Tests.Hub.Recovery;

/// <summary>One frame of a <c>?recover=1</c> subscriber, decoded as docs/recovery.md describes it.</summary>
public sealed record Positioned(string Epoch, long Seq, bool IsText, byte[] Data)
{
    public string Text => Encoding.UTF8.GetString(Data);

    /// <summary>The client's next <paramref name="count"/> frames, decoded.</summary>
    public static async Task<List<Positioned>> ReadAsync(WsClient client, int count)
    {
        var read = new List<Positioned>();
        for (var i = 0; i < count; i++)
        {
            read.Add(Decode(await client.ReceiveAsync()));
        }

        return read;
    }

    public static Positioned Decode(Received frame)
    {
        if (frame.Type == WebSocketMessageType.Binary)
        {
            var bytes = frame.Bytes;
            var seq = BinaryPrimitives.ReadInt64BigEndian(bytes);
            var epochLength = bytes[8];
            return new Positioned(Encoding.ASCII.GetString(bytes, 9, epochLength), seq, false, bytes[(9 + epochLength)..]);
        }

        Assert.Equal(WebSocketMessageType.Text, frame.Type);
        using var json = JsonDocument.Parse(frame.Bytes);
        var root = json.RootElement;
        return new Positioned(root.GetProperty("epoch").GetString()!, root.GetProperty("seq").GetInt64(), true, Encoding.UTF8.GetBytes(root.GetProperty("data").GetString()!));
    }
}

/// <summary>The first frame of a <c>?recover=1</c> subscriber.</summary>
public sealed record RecoveryAnswer(bool Recovered, string Epoch, long Seq)
{
    public static async Task<RecoveryAnswer> ReadAsync(WsClient client)
    {
        var text = await client.ReceiveTextAsync();
        using var json = JsonDocument.Parse(text);
        var root = json.RootElement;
        Assert.Equal(["recovered", "epoch", "seq"], root.EnumerateObject().Select(p => p.Name));
        return new RecoveryAnswer(root.GetProperty("recovered").GetBoolean(), root.GetProperty("epoch").GetString()!, root.GetProperty("seq").GetInt64());
    }
}
