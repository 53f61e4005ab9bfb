using System.Buffers;
using System.Net;
using System.Net.WebSockets;
using Parley.Protocol.Rest;
using Parley.Protocol.Wire;

namespace Parley.Client.Transport;

/// <summary>The connect / receive / reconnect loop.</summary>
public sealed partial class ParleyConnection
{
    /// <summary>Close codes after which reconnecting is pointless (see the server's CloseCodes).</summary>
    private const int LoggedOutCloseCode = 4002;

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var failures = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            SetState(ConnectionState.Connecting);
            using var socket = new ClientWebSocket();
            if (OperatingSystem.IsBrowser())
            {
                // A browser can set neither headers nor keep-alives on a WebSocket: credentials travel as a subprotocol.
                socket.Options.AddSubProtocol(BrowserWebSocketAuth.Protocol);
                socket.Options.AddSubProtocol(BrowserWebSocketAuth.CredentialsProtocol(_credentials.BasicCredentials));
            }
            else
            {
                socket.Options.SetRequestHeader("Authorization", _credentials.ToAuthorizationHeader().ToString());
                socket.Options.KeepAliveInterval = _options.KeepAlive;
                socket.Options.CollectHttpResponseDetails = true;
            }
            try
            {
                await socket.ConnectAsync(_endpoint, cancellationToken);
            }
            catch (WebSocketException) when (!OperatingSystem.IsBrowser() && socket.HttpStatusCode == HttpStatusCode.Unauthorized)
            {
                SetState(ConnectionState.LoggedOut);
                FailPending();
                _connected.TrySetException(new LoggedOutException());
                return;
            }
            catch (Exception error) when (error is WebSocketException or HttpRequestException)
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    return; // disposed while this attempt failed (the server was down): nothing to retry
                }
                await BackoffAsync(++failures, cancellationToken);
                continue;
            }
            catch (OperationCanceledException)
            {
                return;
            }
            failures = 0;
            _connected.TrySetResult(socket);
            SetState(ConnectionState.Connected);
            try
            {
                await ReceiveLoopAsync(socket, cancellationToken);
            }
            catch (Exception error) when (error is WebSocketException or OperationCanceledException)
            {
                // Dropped; reconnect below (unless we are shutting down).
            }
            _connected = NewConnectedSource();
            if (_drained.Task.IsCompleted)
            {
                _drained = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
            }
            // else dropped before its backlog was drained (e.g. replaced at once): whoever waits for the
            // drain is answered by the next connection's, instead of waiting forever.
            FailPending();
            if ((int?)socket.CloseStatus == LoggedOutCloseCode)
            {
                SetState(ConnectionState.LoggedOut);
                _connected.TrySetException(new LoggedOutException());
                return;
            }
            if (!cancellationToken.IsCancellationRequested)
            {
                await BackoffAsync(1, cancellationToken);
            }
        }
    }

    private async Task BackoffAsync(int failures, CancellationToken cancellationToken)
    {
        var exponent = Math.Min(failures - 1, 16);
        var delay = Math.Min(_options.MaxBackoff.TotalMilliseconds, _options.InitialBackoff.TotalMilliseconds * Math.Pow(2, exponent));
        // Jitter spreads the reconnects of many clients after a server restart.
        delay *= 0.5 + (Random.Shared.NextDouble() / 2);
        try
        {
            await Task.Delay(TimeSpan.FromMilliseconds(delay), cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // Shutting down.
        }
    }

    /// <summary>
    /// Most frames (an envelope, an ack) are well under this; a bigger one grows the buffer for its
    /// own duration only. Small buffers matter with many connections in one process (the bench holds
    /// thousands): 64 KB each made a heap whose every garbage collection took tens of milliseconds.
    /// </summary>
    private const int ReceiveBufferBytes = 4 * 1024;

    private async Task ReceiveLoopAsync(ClientWebSocket socket, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(ReceiveBufferBytes);
        try
        {
            var length = 0;
            while (true)
            {
                if (length == buffer.Length)
                {
                    buffer = Resize(buffer, length, buffer.Length * 2);
                }
                var result = await socket.ReceiveAsync(buffer.AsMemory(length), cancellationToken);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    if (socket.State == WebSocketState.CloseReceived)
                    {
                        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
                    }
                    return;
                }
                length += result.Count;
                if (result.EndOfMessage)
                {
                    Dispatch(ServerFrame.Parser.ParseFrom(buffer.AsSpan(0, length)));
                    length = 0;
                    if (buffer.Length > ReceiveBufferBytes)
                    {
                        buffer = Resize(buffer, 0, ReceiveBufferBytes);
                    }
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Swaps <paramref name="buffer"/> for a pooled one of <paramref name="size"/> bytes, keeping the first <paramref name="keep"/>.</summary>
    private static byte[] Resize(byte[] buffer, int keep, int size)
    {
        var resized = ArrayPool<byte>.Shared.Rent(size);
        buffer.AsSpan(0, keep).CopyTo(resized);
        ArrayPool<byte>.Shared.Return(buffer);
        return resized;
    }

    private void Dispatch(ServerFrame frame)
    {
        switch (frame.BodyCase)
        {
            case ServerFrame.BodyOneofCase.Envelope:
                _envelopes.Writer.TryWrite(frame.Envelope);
                return;
            case ServerFrame.BodyOneofCase.Presence or ServerFrame.BodyOneofCase.Typing or ServerFrame.BodyOneofCase.ProfileChanged:
                _signals.Writer.TryWrite(frame);
                return;
            case ServerFrame.BodyOneofCase.QueueDrained:
                _drained.TrySetResult((int)frame.QueueDrained.Count);
                QueueDrained?.Invoke((int)frame.QueueDrained.Count);
                return;
        }
        if (frame.RequestId != 0 && _pending.TryGetValue(frame.RequestId, out var answer))
        {
            answer.TrySetResult(frame);
        }
        else if (frame.BodyCase == ServerFrame.BodyOneofCase.Error)
        {
            UnsolicitedErrors.Writer.TryWrite(frame.Error);
        }
    }

    /// <summary>Errors the server sent without a request id (e.g. for a frame it could not parse).</summary>
    public System.Threading.Channels.Channel<Error> UnsolicitedErrors { get; } = System.Threading.Channels.Channel.CreateUnbounded<Error>();

    private void FailPending()
    {
        foreach (var (_, answer) in _pending)
        {
            answer.TrySetException(new ConnectionLostException());
        }
    }
}
