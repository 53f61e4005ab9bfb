using System.Buffers;
using System.Net.WebSockets;
using Google.Protobuf;
using Parley.Protocol.Wire;
using Parley.Server.Accounts;
using Parley.Server.Messages;

namespace Parley.Server.Connections;

/// <summary>
/// One authenticated device's WebSocket. On connect it sends the stored backlog in order, then
/// "queue drained", then live envelopes; meanwhile it reads client frames. Live pushes that race
/// with the backlog are held back and de-duplicated, so nothing is sent twice or out of order.
/// </summary>
public sealed partial class DeviceConnection : IThreadPoolWorkItem
{
    /// <summary>Frames waiting for a slow client before we give up on it (it reconnects and reads the backlog).</summary>
    private const int MaxQueuedFrames = 10_000;
    private const int BacklogPageSize = 256;

    /// <summary>Read buffer rented while a frame arrives (it grows up to the frame limit for big frames).</summary>
    private const int ReadBufferBytes = 4 * 1024;

    private readonly WebSocket _socket;
    private readonly PipeSocketStream? _stream;
    private readonly ConnectionServices _services;
    private SemaphoreSlim? _inFlight;
    private SendTokenBucket _sendTokens;
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _closed = new();

    // The outgoing queue, guarded by _gate. No writer task waits on an idle connection: the first frame
    // queued starts one on the thread pool, and it ends when the queue is empty.
    private Queue<Outgoing>? _outgoing;
    private bool _writing;
    private bool _closing;
    private TaskCompletionSource? _written;
    private bool _draining = true;
    private long _backlogWatermark;
    private List<(long Id, byte[] Frame)>? _heldBack;
    private HashSet<string>? _presenceSubscriptions;
    private Presence.TypingThrottle? _typingThrottle;

    internal DeviceConnection(DeviceAddress device, WebSocket socket, PipeSocketStream? stream, ConnectionServices services)
    {
        Device = device;
        _socket = socket;
        _stream = stream;
        _services = services;
    }

    public DeviceAddress Device { get; }

    public Guid Id { get; } = Guid.NewGuid();

    /// <summary>
    /// The connection's whole life: registered (closing the one it replaces) and online, run until
    /// the client leaves or it is closed, then undone. One method rather than a chain of them: each
    /// suspended async method stays allocated for as long as the connection is open. A dropped
    /// transport ends the read by itself, so nothing watches the connection's abort token.
    /// </summary>
    public async Task ServeAsync()
    {
        var replaced = _services.Registry.Register(this);
        // Online before the replaced connection goes: a reconnecting device must not flicker offline.
        await AnnounceOnlineAsync();
        replaced?.Close(CloseCodes.Replaced, "connected elsewhere");
        await ConnectionDirectoryGrain.For(_services.Grains, Device).Connect(Device, _services.Registry.Reference, Id);
        var draining = DrainBacklogAsync(_closed.Token);
        // The read loop is inline for the same reason; an idle device waits in the first ReceiveAsync,
        // with no buffer: one is rented only while a frame is arriving.
        byte[]? buffer = null;
        var length = 0;
        try
        {
            while (true)
            {
                if (buffer is null)
                {
                    if ((await _socket.ReceiveAsync(Memory<byte>.Empty, SocketToken)).MessageType == WebSocketMessageType.Close)
                    {
                        Close(WebSocketCloseStatus.NormalClosure, "bye");
                        break;
                    }
                    buffer = ArrayPool<byte>.Shared.Rent(ReadBufferBytes);
                }
                buffer = RoomToRead(buffer, length);
                var result = await _socket.ReceiveAsync(buffer.AsMemory(length), SocketToken);
                length += result.Count;
                if (RefuseOrClose(result.MessageType, length))
                {
                    break;
                }
                if (result.EndOfMessage)
                {
                    var frame = buffer.AsSpan(0, length).ToArray();
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = null;
                    length = 0;
                    await HandleFrameAsync(frame, _closed.Token);
                }
            }
        }
        catch (Exception error) when (error is OperationCanceledException or WebSocketException)
        {
            // The client went away or we closed it; both are normal ends of a connection.
        }
        finally
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
            // Let the writer flush what is queued (a close frame among it) before tearing down.
            var written = StopQueueing();
            await Task.WhenAny(written, Task.Delay(TimeSpan.FromSeconds(5), CancellationToken.None));
            await FinishCloseHandshakeAsync();
            AbortSocketWhenClosed();
            await _closed.CancelAsync();
            await Task.WhenAll(written, Quietly(draining));
            _services.Registry.Unregister(this);
            _socket.Dispose();
            await ConnectionDirectoryGrain.For(_services.Grains, Device).Disconnect(Device, Id);
            await AnnounceOfflineAsync();
        }
    }

    /// <summary>The read buffer, doubled (up to the frame limit) when the frame so far fills it.</summary>
    private static byte[] RoomToRead(byte[] buffer, int length)
    {
        if (length < buffer.Length)
        {
            return buffer;
        }
        var bigger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, MessageLimits.MaxFrameBytes + 1));
        buffer.AsSpan(0, length).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(buffer);
        return bigger;
    }

    /// <summary>Queues our close when the client closed, sent text, or exceeded the frame limit; true then.</summary>
    private bool RefuseOrClose(WebSocketMessageType type, int length)
    {
        if (type == WebSocketMessageType.Close)
        {
            Close(WebSocketCloseStatus.NormalClosure, "bye");
        }
        else if (type == WebSocketMessageType.Text)
        {
            Close(CloseCodes.TextFrame, "Parley frames are binary protobuf");
        }
        else if (length > MessageLimits.MaxFrameBytes)
        {
            Close(CloseCodes.FrameTooLarge, $"frames are limited to {MessageLimits.MaxFrameBytes} bytes");
        }
        else
        {
            return false;
        }
        return true;
    }

    /// <summary>
    /// The token for the socket's own calls. On the bare connection (<see cref="PipeSocketStream"/>)
    /// none: a call waiting with a token holds a registration on it, and an idle device always has a
    /// receive waiting (the registration and its node were ~150 bytes of the ~8 KB per idle device).
    /// There, <see cref="AbortSocketWhenClosed"/> ends the socket's calls instead. Sockets from
    /// Kestrel's HTTP layer keep the token: disposing their stream may not end a waiting read.
    /// </summary>
    private CancellationToken SocketToken => _stream is null ? _closed.Token : CancellationToken.None;

    /// <summary>Called before <see cref="_closed"/> is cancelled: on the bare connection the socket is aborted with it.</summary>
    private void AbortSocketWhenClosed()
    {
        if (_stream is not null)
        {
            _closed.Token.UnsafeRegister(static socket => ((WebSocket)socket!).Abort(), _socket);
        }
    }

    internal int KeepAliveSlot => (int)((uint)Id.GetHashCode() % KeepAliveSweep.Slots);

    /// <summary>
    /// A round of the node's <see cref="KeepAliveSweep"/>: pings the client, or cuts it off when it has
    /// been silent too long (it reconnects and reads its backlog). Sockets accepted through Kestrel's
    /// HTTP layer have no <see cref="PipeSocketStream"/> and ping by themselves. An empty outgoing
    /// queue is given back: it is made again by the next frame, and after a long backlog it is large.
    /// </summary>
    internal void KeepAlive(TimeSpan timeout)
    {
        if (_stream is not null && !_stream.KeepAlive(timeout))
        {
            AbortSocketWhenClosed();
            _ = _closed.CancelAsync(); // not inline: the sweep goes on to the next connection
        }
        lock (_gate)
        {
            if (!_writing && _outgoing is { Count: 0 })
            {
                _outgoing = null;
            }
        }
    }

    /// <summary>Queues a live envelope; called from any thread once the envelope is durable.</summary>
    public void PushLive(long envelopeId, byte[] frame)
    {
        lock (_gate)
        {
            if (_draining)
            {
                (_heldBack ??= []).Add((envelopeId, frame));
                return;
            }
            if (envelopeId <= _backlogWatermark)
            {
                return; // already sent as part of the backlog
            }
        }
        Send(frame);
    }

    /// <summary>Queues a frame that is never stored (presence, typing); order relative to envelopes does not matter.</summary>
    public void PushEphemeral(byte[] frame) => Send(frame);

    /// <summary>Asks the connection to close with a reason the client sees.</summary>
    public void Close(string reason) =>
        Close(reason == "connected elsewhere" ? CloseCodes.Replaced : CloseCodes.LoggedOut, reason);

    public void Close(WebSocketCloseStatus status, string reason)
    {
        Queue(new Outgoing(null, status, reason));
        // A client that ignores our close frame is cut off after a grace period.
        AbortSocketWhenClosed();
        _closed.CancelAfter(TimeSpan.FromSeconds(5));
    }

    private void Send(ServerFrame frame) => Send(frame.ToByteArray());

    private void Send(byte[] frame) => Queue(new Outgoing(frame, null, null));

    private void Queue(Outgoing item)
    {
        bool startWriter;
        var overflowed = false;
        lock (_gate)
        {
            if (_closing)
            {
                return; // a close frame is queued: nothing goes after it
            }
            _outgoing ??= new Queue<Outgoing>();
            if (_outgoing.Count >= MaxQueuedFrames)
            {
                _closing = overflowed = true;
                _outgoing.Clear();
            }
            else
            {
                _outgoing.Enqueue(item);
                _closing = item.Frame is null;
            }
            startWriter = !_writing && _outgoing.Count > 0;
            _writing |= startWriter;
        }
        if (overflowed)
        {
            // The client is not reading; everything pushed is in the database, so it loses nothing by reconnecting.
            AbortSocketWhenClosed();
            _closed.Cancel();
        }
        else if (startWriter)
        {
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }
    }

    void IThreadPoolWorkItem.Execute() => _ = WriteQueuedAsync();

    /// <summary>Writes queued frames until the queue is empty; the close frame, if queued, is the last.</summary>
    private async Task WriteQueuedAsync()
    {
        try
        {
            while (NextQueued() is { } item)
            {
                if (item.Frame is not null)
                {
                    await _socket.SendAsync(item.Frame, WebSocketMessageType.Binary, endOfMessage: true, SocketToken);
                }
                else if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
                {
                    await _socket.CloseOutputAsync(item.CloseStatus!.Value, item.CloseReason, SocketToken);
                }
            }
        }
        catch (Exception error)
        {
            if (error is not (OperationCanceledException or WebSocketException or ObjectDisposedException))
            {
                LogRequestFailed(_services.Log, error, Device.ToString());
            }
            // The socket is gone: end the connection; the client reads what it missed from the backlog.
            lock (_gate)
            {
                _closing = true;
                _outgoing?.Clear();
                _writing = false;
                _written?.TrySetResult();
            }
            AbortSocketWhenClosed();
            _closed.Cancel();
        }
    }

    private Outgoing? NextQueued()
    {
        lock (_gate)
        {
            if (_outgoing is { Count: > 0 } queue)
            {
                return queue.Dequeue();
            }
            _writing = false;
            _written?.TrySetResult();
            return null;
        }
    }

    /// <summary>Takes no more frames; completes when what was queued has been written.</summary>
    private Task StopQueueing()
    {
        lock (_gate)
        {
            _closing = true;
            if (!_writing)
            {
                return Task.CompletedTask;
            }
            _written ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _written.Task;
        }
    }

    private async Task DrainBacklogAsync(CancellationToken cancellationToken)
    {
        try
        {
            await SendBacklogAsync(cancellationToken);
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            LogRequestFailed(_services.Log, error, Device.ToString());
            Close(WebSocketCloseStatus.InternalServerError, "could not read the queue; reconnect");
        }
    }

    private async Task SendBacklogAsync(CancellationToken cancellationToken)
    {
        var now = _services.Clock.GetUtcNow().ToUnixTimeMilliseconds();
        long after = 0;
        var count = 0;
        while (true)
        {
            var page = await _services.Envelopes.ReadQueueAsync(Device, after, BacklogPageSize, now, cancellationToken);
            foreach (var envelope in page)
            {
                Send(envelope.ToFrameBytes());
                after = envelope.Id;
                count++;
            }
            if (page.Count < BacklogPageSize)
            {
                break;
            }
        }
        List<(long Id, byte[] Frame)> heldBack;
        lock (_gate)
        {
            _backlogWatermark = after;
            _draining = false;
            heldBack = _heldBack ?? [];
            _heldBack = null;
            // Sent inside the lock so that a concurrent PushLive cannot overtake these.
            Send(new ServerFrame { QueueDrained = new QueueDrained { Count = (uint)count } });
            foreach (var (id, frame) in heldBack.OrderBy(h => h.Id))
            {
                if (id > after)
                {
                    Send(frame);
                }
            }
        }
    }

    /// <summary>After we sent a close frame, reads (and drops) until the client's close arrives, briefly.</summary>
    private async Task FinishCloseHandshakeAsync()
    {
        if (_socket.State != WebSocketState.CloseSent)
        {
            return;
        }
        var sink = ArrayPool<byte>.Shared.Rent(16 * 1024);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            while ((await _socket.ReceiveAsync(sink, timeout.Token)).MessageType != WebSocketMessageType.Close)
            {
            }
        }
        catch (Exception error) when (error is OperationCanceledException or WebSocketException)
        {
            // The client did not answer our close; the socket is aborted when the request ends.
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(sink);
        }
    }

    private static async Task Quietly(Task task)
    {
        try
        {
            await task;
        }
        catch (Exception error) when (error is OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
            // The connection is ending; the other loop's fate is already decided.
        }
    }

    private readonly record struct Outgoing(byte[]? Frame, WebSocketCloseStatus? CloseStatus, string? CloseReason);
}
