using System.Buffers.Text;
using System.Globalization;
using System.Text;
using PingActors.Actors.Hub.Channels;
using PingActors.Actors.Sessions;

namespace PingActors.Actors.Hub.Sse;

/// <summary>
/// The channel's messages as Server-Sent Events (docs/sse.md). Each returned payload is one whole event,
/// <c>id: epoch:seq</c> and its <c>data:</c> lines, so a node-local channel encodes a message once for all its
/// SSE subscribers and each stream only copies the bytes into its response. One instance per node: the
/// channel keys its encodings by format.
/// </summary>
public sealed class SseFormat : IDeliveryFormat
{
    private static readonly byte[] IdField = "id: "u8.ToArray();
    private static readonly byte[] DataField = "data: "u8.ToArray();
    private static readonly byte[] BinaryEvent = "event: binary\n"u8.ToArray();
    private static readonly byte[] RecoveryEvent = "event: recovery\n"u8.ToArray();

    public Payload Message(ChannelPosition position, Payload payload) =>
        new(true, payload.IsText ? Text(position, payload.Bytes) : Binary(position, payload.Bytes));

    /// <summary><c>event: recovery</c> with <c>{"recovered":…,"epoch":…,"seq":…}</c>; its id is where the stream continues, so a client that reconnects right after it resumes from there.</summary>
    public Payload Recovery(bool recovered, ChannelPosition position)
    {
        var json = "{\"recovered\":" + (recovered ? "true" : "false")
            + ",\"epoch\":" + System.Text.Json.JsonSerializer.Serialize(position.Epoch, SseJson.Default.String)
            + ",\"seq\":" + position.Seq.ToString(CultureInfo.InvariantCulture) + "}";
        var writer = new EventWriter(Id(position), RecoveryEvent.Length + DataField.Length + json.Length * 3 + 2);
        writer.Append(RecoveryEvent);
        writer.Append(DataField);
        writer.Append(Encoding.UTF8.GetBytes(json));
        writer.Append((byte)'\n');
        return new Payload(true, writer.Finish());
    }

    /// <summary>A last event before the server ends the stream on purpose (drain, lost messages), <c>event: close</c> with the reason as data.</summary>
    public static byte[] Close(CloseReason reason) =>
        Encoding.UTF8.GetBytes("event: close\ndata: " + (int)reason.Code + " " + reason.Text + "\n\n");

    // A text message becomes one data: line per line of it; CR LF, CR and LF all end a line in SSE, so each
    // is cut here (the client joins the lines with LF).
    private static byte[] Text(ChannelPosition position, byte[] text)
    {
        var lines = 1;
        foreach (var b in text)
        {
            if (b == (byte)'\n' || b == (byte)'\r')
            {
                lines++;
            }
        }

        var writer = new EventWriter(Id(position), text.Length + lines * DataField.Length + 1);
        writer.Append(DataField);
        for (var i = 0; i < text.Length; i++)
        {
            var b = text[i];
            if (b == (byte)'\r' || b == (byte)'\n')
            {
                if (b == (byte)'\r' && i + 1 < text.Length && text[i + 1] == (byte)'\n')
                {
                    i++;
                }

                writer.Append((byte)'\n');
                writer.Append(DataField);
                continue;
            }

            writer.Append(b);
        }

        writer.Append((byte)'\n');
        return writer.Finish();
    }

    private static byte[] Binary(ChannelPosition position, byte[] bytes)
    {
        var encoded = Base64.GetMaxEncodedToUtf8Length(bytes.Length);
        var writer = new EventWriter(Id(position), BinaryEvent.Length + DataField.Length + encoded + 1);
        writer.Append(BinaryEvent);
        writer.Append(DataField);
        writer.AppendBase64(bytes);
        writer.Append((byte)'\n');
        return writer.Finish();
    }

    private static byte[] Id(ChannelPosition position) => Encoding.UTF8.GetBytes(position.ToString());

    /// <summary>Fills one exactly sized array: <c>id: …</c>, the body, the blank line that ends the event.</summary>
    private ref struct EventWriter
    {
        private readonly byte[] _buffer;
        private int _length;

        public EventWriter(byte[] id, int body)
        {
            _buffer = new byte[IdField.Length + id.Length + 1 + body + 1];
            Append(IdField);
            Append(id);
            Append((byte)'\n');
        }

        public void Append(ReadOnlySpan<byte> bytes)
        {
            bytes.CopyTo(_buffer.AsSpan(_length));
            _length += bytes.Length;
        }

        public void Append(byte b) => _buffer[_length++] = b;

        public void AppendBase64(ReadOnlySpan<byte> bytes)
        {
            Base64.EncodeToUtf8(bytes, _buffer.AsSpan(_length), out _, out var written);
            _length += written;
        }

        public byte[] Finish()
        {
            Append((byte)'\n');
            return _length == _buffer.Length ? _buffer : _buffer.AsSpan(0, _length).ToArray();
        }
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(string))]
internal sealed partial class SseJson : System.Text.Json.Serialization.JsonSerializerContext;
