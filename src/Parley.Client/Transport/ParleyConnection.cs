using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Threading.Channels;
using Google.Protobuf;
using Parley.Client.Api;
using Parley.Protocol.Wire;

namespace Parley.Client.Transport;

/// <summary>
/// A device's WebSocket to the server, kept open: it reconnects with exponential backoff, re-sends
/// requests that were in flight when a connection dropped (safe: receivers de-duplicate by message
/// id, acks are idempotent), and hands incoming envelopes to the app, which acks them once stored.
/// </summary>
public sealed partial class ParleyConnection : IAsyncDisposable
{
    private readonly Uri _endpoint;
    private readonly DeviceCredentials _credentials;
    private readonly ConnectionOptions _options;
    private readonly Channel<Envelope> _envelopes = Channel.CreateUnbounded<Envelope>(new() { SingleWriter = true });
    private readonly ConcurrentDictionary<ulong, TaskCompletionSource<ServerFrame>> _pending = new();
    private readonly Channel<ServerFrame> _signals = Channel.CreateBounded<ServerFrame>(
        new BoundedChannelOptions(1000) { FullMode = BoundedChannelFullMode.DropOldest });
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly CancellationTokenSource _disposed = new();
    private TaskCompletionSource<ClientWebSocket> _connected = NewConnectedSource();
    private TaskCompletionSource<int> _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _loop;
    private long _nextRequestId;

    public ParleyConnection(Uri server, DeviceCredentials credentials, ConnectionOptions? options = null)
    {
        var builder = new UriBuilder(new Uri(server, "v1/websocket")) { Scheme = server.Scheme == "https" ? "wss" : "ws" };
        _endpoint = builder.Uri;
        _credentials = credentials;
        _options = options ?? new ConnectionOptions();
    }

    public ConnectionState State { get; private set; } = ConnectionState.Connecting;

    /// <summary>Raised on every state change (from a background thread).</summary>
    public event Action<ConnectionState>? StateChanged;

    /// <summary>Raised when the backlog of a (re)connection has been delivered; the argument is its size.</summary>
    public event Action<int>? QueueDrained;

    /// <summary>Starts connecting in the background and returns at once.</summary>
    public void Start() => _loop ??= Task.Run(() => RunAsync(_disposed.Token));

    /// <summary>Starts and waits until the first connection is open.</summary>
    public async Task ConnectAsync(CancellationToken cancellationToken = default)
    {
        Start();
        await WaitForSocketAsync(cancellationToken);
    }

    /// <summary>
    /// Completes when the current connection has delivered its backlog, or, if it drops first, the next
    /// one has; returns the backlog size.
    /// </summary>
    public Task<int> WaitUntilDrainedAsync(CancellationToken cancellationToken = default) => _drained.Task.WaitAsync(cancellationToken);

    /// <summary>Incoming envelopes (messages and receipts), in server order. Ack each after storing it.</summary>
    public IAsyncEnumerable<Envelope> ReadEnvelopesAsync(CancellationToken cancellationToken = default) =>
        _envelopes.Reader.ReadAllAsync(cancellationToken);

    /// <summary>The incoming envelopes as a channel, for consumers that need to know whether more are waiting.</summary>
    public ChannelReader<Envelope> Envelopes => _envelopes.Reader;

    /// <summary>Waits for the next envelope, or null if none arrives within <paramref name="timeout"/>.</summary>
    public async Task<Envelope?> NextEnvelopeAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout);
        try
        {
            return await _envelopes.Reader.ReadAsync(timeoutSource.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    /// <summary>Sends a message; completes with "sent" once the server stored it for every device.</summary>
    /// <exception cref="SendRejectedException">The server refused it (mismatched/stale devices, unknown account, ...).</exception>
    public async Task<SendResult> SendAsync(SendMessage message, CancellationToken cancellationToken = default) =>
        (await RequestAsync(new ClientFrame { Send = message }, cancellationToken)).SendResult;

    /// <summary>Tells the server these envelopes are stored; it deletes them and sends delivery receipts.</summary>
    public async Task<int> AckAsync(IEnumerable<ulong> envelopeIds, CancellationToken cancellationToken = default)
    {
        var ack = new AckEnvelopes();
        ack.EnvelopeIds.AddRange(envelopeIds);
        return (int)(await RequestAsync(new ClientFrame { Ack = ack }, cancellationToken)).AckResult.Acked;
    }

    /// <summary>
    /// Tells the server these envelopes are stored, without waiting for its answer (request id 0: it
    /// sends none). What the receive path uses: an ack lost with the connection is harmless, as the
    /// server sends those envelopes again on the next connection and the receive path drops them as
    /// duplicates. Completes once the frame is written, or the connection it was for is gone.
    /// </summary>
    public async Task AcknowledgeAsync(IEnumerable<ulong> envelopeIds, CancellationToken cancellationToken = default)
    {
        var ack = new AckEnvelopes();
        ack.EnvelopeIds.AddRange(envelopeIds);
        Start();
        var socket = await WaitForSocketAsync(cancellationToken);
        try
        {
            await SendFrameAsync(socket, new ClientFrame { Ack = ack }.ToByteArray(), cancellationToken);
        }
        catch (Exception error) when (error is WebSocketException || (error is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            // The connection broke under the ack: the envelopes come again on the next one.
        }
    }

    /// <summary>Tells the sender's devices that the user read these messages (blue ticks).</summary>
    public async Task SendReadReceiptAsync(string senderAccount, IEnumerable<byte[]> messageIds, CancellationToken cancellationToken = default)
    {
        var receipt = new SendReadReceipt { SenderAccount = senderAccount };
        receipt.MessageIds.AddRange(messageIds.Select(ByteString.CopyFrom));
        await RequestAsync(new ClientFrame { ReadReceipt = receipt }, cancellationToken);
    }

    /// <summary>Starts watching these accounts' online / last-seen state; returns their current state.</summary>
    public async Task<IReadOnlyList<PresenceUpdate>> SubscribePresenceAsync(IEnumerable<string> accountIds, CancellationToken cancellationToken = default)
    {
        var request = new SubscribePresence();
        request.AccountIds.AddRange(accountIds);
        return (await RequestAsync(new ClientFrame { SubscribePresence = request }, cancellationToken)).PresenceSnapshot.Accounts;
    }

    /// <summary>
    /// Tells a chat (1:1: <paramref name="recipientAccount"/>, or a group) that the user is typing,
    /// recording or stopped. Fire and forget: nothing is retried, since a stale indicator is worse than none.
    /// </summary>
    public async Task SendTypingAsync(TypingState state, string? recipientAccount = null, string? groupId = null, CancellationToken cancellationToken = default)
    {
        var frame = new ClientFrame { Typing = new SendTyping { State = state, RecipientAccount = recipientAccount ?? "", GroupId = groupId ?? "" } };
        var socket = await WaitForSocketAsync(cancellationToken);
        await SendFrameAsync(socket, frame.ToByteArray(), cancellationToken);
    }

    /// <summary>Presence updates and typing indicators pushed by the server (ephemeral; never queued while offline).</summary>
    public ChannelReader<ServerFrame> Signals => _signals.Reader;

    /// <summary>Round-trip time of an application-level ping.</summary>
    public async Task<TimeSpan> PingAsync(CancellationToken cancellationToken = default)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        await RequestAsync(new ClientFrame { Ping = new Ping { ClientTime = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() } }, cancellationToken);
        return System.Diagnostics.Stopwatch.GetElapsedTime(started);
    }

    /// <summary>Sends a raw frame (for tests and tools); returns the answer if it carries a request id.</summary>
    public async Task<ServerFrame> RequestAsync(ClientFrame frame, CancellationToken cancellationToken = default)
    {
        Start();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var socket = await WaitForSocketAsync(cancellationToken);
            frame.RequestId = (ulong)Interlocked.Increment(ref _nextRequestId);
            var answer = new TaskCompletionSource<ServerFrame>(TaskCreationOptions.RunContinuationsAsynchronously);
            _pending[frame.RequestId] = answer;
            try
            {
                await SendFrameAsync(socket, frame.ToByteArray(), cancellationToken);
                var response = await answer.Task.WaitAsync(_options.RequestTimeout, cancellationToken);
                if (response.BodyCase == ServerFrame.BodyOneofCase.Error)
                {
                    throw new SendRejectedException(response.Error);
                }
                return response;
            }
            catch (Exception error) when (error is ConnectionLostException or WebSocketException or TimeoutException
                || (error is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                // The connection broke before the answer arrived (an aborted socket reports that as a
                // cancellation): send again on the next one.
            }
            finally
            {
                _pending.TryRemove(frame.RequestId, out _);
            }
        }
    }

    /// <summary>Sends raw bytes as one binary frame (tests use it to send malformed input).</summary>
    public async Task SendRawAsync(byte[] bytes, WebSocketMessageType type = WebSocketMessageType.Binary, CancellationToken cancellationToken = default)
    {
        var socket = await WaitForSocketAsync(cancellationToken);
        await _sendLock.WaitAsync(cancellationToken);
        try
        {
            await socket.SendAsync(bytes, type, endOfMessage: true, cancellationToken);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    private async Task<ClientWebSocket> WaitForSocketAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (State == ConnectionState.LoggedOut)
            {
                throw new LoggedOutException();
            }
            ObjectDisposedException.ThrowIf(State == ConnectionState.Closed, this);
            var socket = await _connected.Task.WaitAsync(cancellationToken);
            if (socket.State == WebSocketState.Open)
            {
                return socket;
            }
            await Task.Yield();
        }
    }

    private async Task SendFrameAsync(ClientWebSocket socket, byte[] bytes, CancellationToken cancellationToken)
    {
        await _sendLock.WaitAsync(cancellationToken);
        try
        {
            await socket.SendAsync(bytes, WebSocketMessageType.Binary, endOfMessage: true, cancellationToken);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (State == ConnectionState.Closed)
        {
            return;
        }
        await _disposed.CancelAsync();
        if (_loop is not null)
        {
            await _loop;
        }
        State = ConnectionState.Closed;
        StateChanged?.Invoke(ConnectionState.Closed);
        _envelopes.Writer.TryComplete();
        _connected.TrySetException(new ObjectDisposedException(nameof(ParleyConnection)));
    }

    private static TaskCompletionSource<ClientWebSocket> NewConnectedSource() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private void SetState(ConnectionState state)
    {
        if (State == state || State == ConnectionState.LoggedOut)
        {
            return;
        }
        State = state;
        StateChanged?.Invoke(state);
    }

    private sealed class ConnectionLostException() : Exception("The connection to the server was lost.");
}
