using System.Buffers;
using System.IO.Pipelines;
using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Tasks.Sources;
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

    public async Task OnConnectedAsync(ConnectionContext connection, ConnectionDelegate next)
    {
        // Only the device and its socket stay in this method's state for the life of the connection.
        if (await TryUpgradeAsync(connection) is not { } accepted)
        {
            await next(connection);
            return;
        }
        using var socket = accepted.Socket;
        await sockets.ServeAsync(accepted.Device, socket, connection.ConnectionClosed);
    }

    /// <summary>Answers the upgrade if it is one this handshake takes; otherwise consumes nothing and returns null.</summary>
    private async Task<(DeviceAddress Device, WebSocket Socket)?> TryUpgradeAsync(ConnectionContext connection)
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
        var device = request is null ? null : await sockets.AuthenticateAsync(request.Authorization, connection.ConnectionClosed);
        if (request is null || device is null)
        {
            // Nothing consumed or examined: Kestrel reads the same bytes at once.
            input.AdvanceTo(read.Buffer.Start);
            return null;
        }
        input.AdvanceTo(read.Buffer.GetPosition(headLength));
        await connection.Transport.Output.WriteAsync(SwitchingProtocols(request), connection.ConnectionClosed);
        var socket = WebSocket.CreateFromStream(new DuplexPipeStream(connection.Transport), new WebSocketCreationOptions
        {
            IsServer = true,
            SubProtocol = request.CredentialsFromSubprotocol ? BrowserWebSocketAuth.Protocol : null,
            KeepAliveInterval = DeviceSockets.KeepAliveInterval,
            KeepAliveTimeout = DeviceSockets.KeepAliveTimeout,
        });
        return (device.Value, socket);
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

    /// <summary>
    /// The connection's pipes as the stream a WebSocket runs on; Kestrel keeps owning (and closes)
    /// the pipes. Reads go straight to the pipe and complete through this object (the WebSocket has
    /// at most one read pending), so a read that waits allocates nothing and holds no async state:
    /// an idle device always has one such read waiting.
    /// </summary>
    private sealed class DuplexPipeStream : Stream, IValueTaskSource<int>
    {
        private readonly PipeReader _input;
        private readonly Stream _output;
        private readonly Action _readCompleted;
        private ManualResetValueTaskSourceCore<int> _read;
        private ConfiguredValueTaskAwaitable<ReadResult>.ConfiguredValueTaskAwaiter _pending;
        private Memory<byte> _destination;

        public DuplexPipeStream(IDuplexPipe pipe)
        {
            _input = pipe.Input;
            _output = pipe.Output.AsStream(leaveOpen: true);
            _readCompleted = OnReadCompleted;
        }

        public override bool CanRead => true;

        public override bool CanWrite => true;

        public override bool CanSeek => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var reading = _input.ReadAsync(cancellationToken);
            if (reading.IsCompleted)
            {
                return ValueTask.FromResult(CopyOut(reading.Result, buffer));
            }
            _read.Reset();
            _destination = buffer;
            _pending = reading.ConfigureAwait(false).GetAwaiter();
            _pending.UnsafeOnCompleted(_readCompleted);
            return new ValueTask<int>(this, _read.Version);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        private void OnReadCompleted()
        {
            var pending = _pending;
            var destination = _destination;
            _pending = default;
            _destination = default;
            try
            {
                _read.SetResult(CopyOut(pending.GetResult(), destination));
            }
            catch (Exception error)
            {
                _read.SetException(error);
            }
        }

        /// <summary>Moves what fits from the pipe into <paramref name="destination"/>; a zero-byte read only waits for data.</summary>
        private int CopyOut(ReadResult result, Memory<byte> destination)
        {
            if (result.IsCanceled)
            {
                _input.AdvanceTo(result.Buffer.Start);
                throw new OperationCanceledException("The read was canceled.");
            }
            var count = (int)Math.Min(result.Buffer.Length, destination.Length);
            var taken = result.Buffer.Slice(0, count);
            taken.CopyTo(destination.Span);
            _input.AdvanceTo(taken.End);
            return count;
        }

        int IValueTaskSource<int>.GetResult(short token) => _read.GetResult(token);

        ValueTaskSourceStatus IValueTaskSource<int>.GetStatus(short token) => _read.GetStatus(token);

        void IValueTaskSource<int>.OnCompleted(Action<object?> continuation, object? state, short token,
            ValueTaskSourceOnCompletedFlags flags) => _read.OnCompleted(continuation, state, token, flags);

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
            _output.WriteAsync(buffer, cancellationToken);

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            _output.WriteAsync(buffer, offset, count, cancellationToken);

        public override Task FlushAsync(CancellationToken cancellationToken) => _output.FlushAsync(cancellationToken);

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override void Write(byte[] buffer, int offset, int count) => _output.Write(buffer, offset, count);

        public override void Flush() => _output.Flush();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
