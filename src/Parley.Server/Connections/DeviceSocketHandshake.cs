using System.Buffers;
using System.IO.Pipelines;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Connections;
using Parley.Protocol.Rest;
using Parley.Server.Accounts;

namespace Parley.Server.Connections;

/// <summary>
/// Answers a device's WebSocket upgrade on the bare Kestrel connection, before Kestrel's HTTP/1.1
/// layer sees it. An upgraded HTTP request keeps that whole layer alive for as long as the
/// connection lasts (connection and request objects, both header collections, the HttpContext and
/// the request's suspended async state: about 6 KB of an idle device's 19 KB); answered here, an
/// idle device holds only its socket, the two pipes and its WebSocket.
/// Only the plain case is taken: the whole request head in the first read, well-formed
/// (<see cref="UpgradeRequest"/>) and with credentials that check out. Everything else (other
/// requests, TLS, HTTP/2, odd or wrong upgrades) goes on to Kestrel untouched, and
/// <see cref="WebSocketEndpoint"/> answers it, errors included, exactly as before.
/// </summary>
public sealed class DeviceSocketHandshake(DeviceSockets sockets)
{
    /// <summary>How long a new connection may stay silent before it is handed to Kestrel (which has its own timeouts).</summary>
    private static readonly TimeSpan FirstBytesTimeout = TimeSpan.FromSeconds(10);

    private const string AcceptGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    /// <summary>
    /// Unwrapped rather than awaited: an async method here would stay suspended, and allocated, for as
    /// long as the device is connected. What Kestrel waits on is the served connection's own task.
    /// </summary>
    public Task OnConnectedAsync(ConnectionContext connection, ConnectionDelegate next) => AcceptAsync(connection, next).Unwrap();

    /// <summary>The task that serves the connection: the device's WebSocket, or Kestrel's HTTP for anything else.</summary>
    private async Task<Task> AcceptAsync(ConnectionContext connection, ConnectionDelegate next) =>
        await TryUpgradeAsync(connection) is { } accepted
            ? sockets.ServeAsync(accepted.Device, accepted.Socket, accepted.Stream)
            : next(connection);

    /// <summary>Answers the upgrade if it is one this handshake takes; otherwise consumes nothing and returns null.</summary>
    private async Task<(DeviceAddress Device, WebSocket Socket, PipeSocketStream Stream)?> TryUpgradeAsync(ConnectionContext connection)
    {
        var input = connection.Transport.Input;
        ReadResult read;
        using (var silent = new CancellationTokenSource(FirstBytesTimeout))
        {
            try
            {
                read = await input.ReadAsync(silent.Token);
            }
            catch (OperationCanceledException) when (silent.IsCancellationRequested)
            {
                return null;
            }
        }
        var (request, headLength) = Peek(read);
        // No token from the connection here and below: a registration on ConnectionClosed, even one
        // undone at once, leaves its node allocated on that token for the life of the connection.
        var device = request is null ? null : await sockets.AuthenticateAsync(request.Authorization, CancellationToken.None);
        if (request is null || device is null)
        {
            // Nothing consumed or examined: Kestrel reads the same bytes at once.
            input.AdvanceTo(read.Buffer.Start);
            return null;
        }
        input.AdvanceTo(read.Buffer.GetPosition(headLength));
        await connection.Transport.Output.WriteAsync(SwitchingProtocols(request), CancellationToken.None);
        var stream = new PipeSocketStream(connection.Transport);
        var socket = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions
        {
            IsServer = true,
            SubProtocol = request.CredentialsFromSubprotocol ? BrowserWebSocketAuth.Protocol : null,
            // No timer per socket: the node's KeepAliveSweep pings every connection through its stream.
            KeepAliveInterval = TimeSpan.Zero,
        });
        return (device.Value, socket, stream);
    }

    private static (UpgradeRequest? Request, int HeadLength) Peek(ReadResult read)
    {
        var buffer = read.Buffer;
        if (read.IsCanceled || buffer.Length > UpgradeRequest.MaxHeadBytes)
        {
            return (null, 0);
        }
        ReadOnlySpan<byte> data = buffer.IsSingleSegment ? buffer.FirstSpan : buffer.ToArray();
        var headLength = UpgradeRequest.MayBeOne(data) ? UpgradeRequest.HeadLength(data) : -1;
        return headLength < 0 ? (null, 0) : (UpgradeRequest.TryParse(data[..headLength]), headLength);
    }

    /// <summary>The 101 answer (RFC 6455 §4.2.2); the browser's answer names the subprotocol it must see selected.</summary>
    private static byte[] SwitchingProtocols(UpgradeRequest request)
    {
        var accept = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(request.Key + AcceptGuid)));
        var protocol = request.CredentialsFromSubprotocol ? $"Sec-WebSocket-Protocol: {BrowserWebSocketAuth.Protocol}\r\n" : "";
        return Encoding.ASCII.GetBytes(
            $"HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Accept: {accept}\r\n{protocol}\r\n");
    }
}
