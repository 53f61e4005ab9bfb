using System.Buffers;
using System.Net.WebSockets;
using Parley.Client.Api;
using Parley.Protocol.Wire;

namespace Parley.Bench;

/// <summary>
/// A device that connects, reads its (empty) backlog up to "queue drained", then just stays: a pending
/// zero-byte receive answers the server's keep-alive pings without holding a buffer, and the client
/// sends its own keep-alives. Far leaner than a full SDK connection, so one process holds thousands.
/// </summary>
public sealed class IdleClient(DeviceCredentials credentials) : IAsyncDisposable
{
    private ClientWebSocket? _socket;
    private Task? _holding;

    public bool IsOpen => _socket?.State == WebSocketState.Open && _holding is { IsCompleted: false };

    public async Task ConnectAsync(Uri endpoint, HttpMessageInvoker invoker, TimeSpan keepAlive, CancellationToken cancellationToken)
    {
        _socket = new ClientWebSocket();
        _socket.Options.SetRequestHeader("Authorization", credentials.ToAuthorizationHeader().ToString());
        _socket.Options.KeepAliveInterval = keepAlive;
        await _socket.ConnectAsync(endpoint, invoker, cancellationToken);
        while (await ReadFrameAsync(cancellationToken) is { } frame && frame.BodyCase != ServerFrame.BodyOneofCase.QueueDrained)
        {
            // A fresh account's queue is empty; anything before "drained" is backlog we don't need.
        }
        _holding = HoldAsync(cancellationToken);
    }

    private async Task HoldAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                var ready = await _socket!.ReceiveAsync(Memory<byte>.Empty, cancellationToken);
                if (ready.MessageType == WebSocketMessageType.Close || await ReadFrameAsync(cancellationToken) is null)
                {
                    return;
                }
            }
        }
        catch (Exception error) when (error is OperationCanceledException or WebSocketException)
        {
            // Closed by us or by the server; IsOpen tells the workload.
        }
    }

    private async Task<ServerFrame?> ReadFrameAsync(CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            var length = 0;
            while (true)
            {
                var result = await _socket!.ReceiveAsync(buffer.AsMemory(length), cancellationToken);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return null;
                }
                length += result.Count;
                if (result.EndOfMessage)
                {
                    return ServerFrame.Parser.ParseFrom(buffer, 0, length);
                }
                if (length == buffer.Length)
                {
                    throw new InvalidDataException("A frame larger than 64 KiB arrived on an idle connection.");
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_socket is null)
        {
            return;
        }
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            if (_socket.State == WebSocketState.Open)
            {
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bench done", timeout.Token);
            }
        }
        catch (Exception error) when (error is OperationCanceledException or WebSocketException)
        {
            // The server may already be gone; the socket is aborted below either way.
        }
        _socket.Abort();
        _socket.Dispose();
        if (_holding is not null)
        {
            await _holding;
        }
    }
}
