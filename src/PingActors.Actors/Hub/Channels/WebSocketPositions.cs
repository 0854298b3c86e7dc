using System.Buffers.Binary;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using PingActors.Actors.Sessions;

namespace PingActors.Actors.Hub.Channels;

/// <summary>
/// How a <c>?recover=1</c> WebSocket client receives the channel (docs/recovery.md): a text message as the text
/// frame <c>{"epoch":"…","seq":N,"data":"…"}</c>; a binary message as a binary frame of the seq (8 bytes,
/// big-endian), the epoch's length (1 byte) and its ASCII bytes, then the payload unchanged; the answer as
/// <c>{"recovered":…,"epoch":"…","seq":N}</c>. One instance, so a node-local channel encodes each message once
/// for all such clients.
/// </summary>
public sealed class WebSocketPositions : IDeliveryFormat
{
    public static readonly WebSocketPositions Instance = new();

    // The text as published, not \u-escaped beyond what JSON requires: the frame stays close to its size.
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private WebSocketPositions()
    {
    }

    public Payload Message(ChannelPosition position, Payload payload)
    {
        if (!payload.IsText)
        {
            var epochLength = Encoding.ASCII.GetByteCount(position.Epoch);
            var bytes = new byte[8 + 1 + epochLength + payload.Length];
            BinaryPrimitives.WriteInt64BigEndian(bytes, position.Seq);
            bytes[8] = checked((byte)epochLength);
            Encoding.ASCII.GetBytes(position.Epoch, bytes.AsSpan(9));
            payload.Bytes.CopyTo(bytes, 9 + epochLength);
            return new Payload(false, bytes);
        }

        return Json(payload.Length + 64, position, writer => writer.WriteString("data"u8, payload.Bytes));
    }

    public Payload Recovery(bool recovered, ChannelPosition position) =>
        Json(64, position, writer => writer.WriteBoolean("recovered"u8, recovered), first: true);

    private static Payload Json(int capacity, ChannelPosition position, Action<Utf8JsonWriter> extra, bool first = false)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(capacity);
        using (var writer = new Utf8JsonWriter(buffer, Options))
        {
            writer.WriteStartObject();
            if (first)
            {
                extra(writer);
            }

            writer.WriteString("epoch"u8, position.Epoch);
            writer.WriteNumber("seq"u8, position.Seq);
            if (!first)
            {
                extra(writer);
            }

            writer.WriteEndObject();
        }

        return new Payload(true, buffer.WrittenSpan.ToArray());
    }
}
