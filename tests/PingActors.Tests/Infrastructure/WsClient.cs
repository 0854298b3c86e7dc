using System.Net.WebSockets;
using System.Text;

namespace PingActors.Tests.Infrastructure;

/// <summary>One message (or the close) a test client received.</summary>
public sealed record Received(WebSocketMessageType Type, byte[] Bytes, WebSocketCloseStatus? CloseStatus = null, string? CloseReason = null)
{
    public string Text => Encoding.UTF8.GetString(Bytes);

    public bool IsClose => Type == WebSocketMessageType.Close;
}

/// <summary>A real ClientWebSocket with helpers that always time out instead of hanging a test.</summary>
public sealed class WsClient : IAsyncDisposable
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(15);

    private WsClient(ClientWebSocket socket) => Socket = socket;

    public ClientWebSocket Socket { get; }

    public static async Task<WsClient> ConnectAsync(Uri uri, Action<ClientWebSocketOptions>? configure = null)
    {
        var socket = new ClientWebSocket();
        configure?.Invoke(socket.Options);
        using var cts = new CancellationTokenSource(DefaultTimeout);
        await socket.ConnectAsync(uri, cts.Token);
        return new WsClient(socket);
    }

    public async Task SendTextAsync(string text)
    {
        using var cts = new CancellationTokenSource(DefaultTimeout);
        await Socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, cts.Token);
    }

    public async Task SendAsync(byte[] bytes, WebSocketMessageType type)
    {
        using var cts = new CancellationTokenSource(DefaultTimeout);
        await Socket.SendAsync(bytes, type, true, cts.Token);
    }

    /// <summary>Receives one whole message, or the close frame.</summary>
    public async Task<Received> ReceiveAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? DefaultTimeout);
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        while (true)
        {
            var result = await Socket.ReceiveAsync(buffer, cts.Token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return new Received(WebSocketMessageType.Close, [], result.CloseStatus, result.CloseStatusDescription);
            }

            message.Write(buffer, 0, result.Count);
            if (result.EndOfMessage)
            {
                return new Received(result.MessageType, message.ToArray());
            }
        }
    }

    public async Task<string> ReceiveTextAsync(TimeSpan? timeout = null)
    {
        var received = await ReceiveAsync(timeout);
        Assert.Equal(WebSocketMessageType.Text, received.Type);
        return received.Text;
    }

    /// <summary>Reads until the server's close frame, skipping data messages; returns the close.</summary>
    public async Task<Received> ReceiveCloseAsync(TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                throw new TimeoutException("no close frame");
            }

            var received = await ReceiveAsync(left);
            if (received.IsClose)
            {
                return received;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Socket.State == WebSocketState.Open)
        {
            try
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await Socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", cts.Token);
            }
            catch (Exception)
            {
                // The test is over; the server side is what was under test.
            }
        }

        Socket.Dispose();
    }
}
