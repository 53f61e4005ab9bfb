using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using System.Threading.Tasks.Sources;

namespace Parley.Server.Connections;

/// <summary>
/// A bare Kestrel connection's pipes as the stream a device's WebSocket runs on (Kestrel keeps owning,
/// and closes, the pipes). Built for the idle device, which is most of them:
/// <list type="bullet">
/// <item>A read that waits allocates nothing and holds no async state: it goes straight to the pipe and
/// completes through this object (the WebSocket has at most one read pending).</item>
/// <item>Keep-alive without a timer per socket: the node's <see cref="KeepAliveSweep"/> calls
/// <see cref="KeepAlive"/> on every connection; it sends a WebSocket ping, which the client answers,
/// and reports a peer that has sent nothing for too long.</item>
/// </list>
/// </summary>
internal sealed class PipeSocketStream : Stream, IValueTaskSource<int>
{
    /// <summary>A server's ping frame (RFC 6455 §5.5.2): FIN + opcode 9, unmasked, no payload.</summary>
    private static readonly byte[] PingFrame = [0x89, 0x00];

    private readonly PipeReader _input;
    private readonly PipeWriter _output;
    private readonly Action _readCompleted;
    private ManualResetValueTaskSourceCore<int> _read;
    private ConfiguredValueTaskAwaitable<ReadResult>.ConfiguredValueTaskAwaiter _pending;
    private Memory<byte> _destination;

    /// <summary>When the client last sent anything (Environment.TickCount64): a frame, a pong, a ping.</summary>
    private long _lastReceived = Environment.TickCount64;

    /// <summary>1 while a frame is being written: the WebSocket's writes and the sweep's pings take turns.</summary>
    private int _writing;

    /// <summary>A ping still flushing to a client that is slow to read; the WebSocket's next write waits for it.</summary>
    private Task? _pingFlushing;

    public PipeSocketStream(IDuplexPipe pipe)
    {
        _input = pipe.Input;
        _output = pipe.Output;
        _readCompleted = OnReadCompleted;
    }

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    /// <summary>
    /// Pings the client unless a frame is being written anyway; false when the client has sent nothing
    /// (not even the pong to the last ping) for longer than <paramref name="timeout"/>: it is gone.
    /// </summary>
    public bool KeepAlive(TimeSpan timeout)
    {
        if (Environment.TickCount64 - Volatile.Read(ref _lastReceived) > (long)timeout.TotalMilliseconds)
        {
            return false;
        }
        if (Interlocked.CompareExchange(ref _writing, 1, 0) != 0)
        {
            return true; // a frame is on its way: that is traffic enough
        }
        var writing = WriteHoldingTheTurn(PingFrame, CancellationToken.None);
        if (!writing.IsCompletedSuccessfully)
        {
            _pingFlushing = PingWrittenAsync(writing); // the WebSocket's next write waits for it
        }
        return true;
    }

    private static async Task PingWrittenAsync(ValueTask writing)
    {
        try
        {
            await writing;
        }
        catch (Exception error) when (error is InvalidOperationException or IOException or OperationCanceledException)
        {
            // The connection is closing; its read ends it.
        }
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        // The WebSocket writes one frame per call and never two at once; only a ping can be in the way.
        Interlocked.CompareExchange(ref _writing, 1, 0) == 0
            ? WriteHoldingTheTurn(buffer, cancellationToken)
            : WriteAfterPingAsync(buffer, cancellationToken);

    /// <summary>Writes and flushes one whole frame; the caller took the turn (<see cref="_writing"/>), and it is given back when done.</summary>
    private ValueTask WriteHoldingTheTurn(ReadOnlyMemory<byte> frame, CancellationToken cancellationToken)
    {
        ValueTask<FlushResult> flushing;
        try
        {
            _output.Write(frame.Span);
            flushing = _output.FlushAsync(cancellationToken);
        }
        catch (Exception error)
        {
            Volatile.Write(ref _writing, 0);
            return ValueTask.FromException(error);
        }
        if (!flushing.IsCompletedSuccessfully)
        {
            return AwaitFlushAsync(flushing);
        }
        Volatile.Write(ref _writing, 0);
        return flushing.Result.IsCanceled ? ValueTask.FromException(new OperationCanceledException("The write was canceled.")) : default;
    }

    private async ValueTask AwaitFlushAsync(ValueTask<FlushResult> flushing)
    {
        try
        {
            if ((await flushing).IsCanceled)
            {
                throw new OperationCanceledException("The write was canceled.");
            }
        }
        finally
        {
            Volatile.Write(ref _writing, 0);
        }
    }

    private async ValueTask WriteAfterPingAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken)
    {
        while (Volatile.Read(ref _writing) != 0)
        {
            // The ping holds the turn for a moment, or until a slow client has read it.
            if (Volatile.Read(ref _pingFlushing) is { } flushing)
            {
                await flushing.WaitAsync(cancellationToken);
            }
            else
            {
                await Task.Yield();
            }
        }
        await WriteAsync(buffer, cancellationToken);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();

    /// <summary>Every write is flushed as it is made.</summary>
    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override void Flush()
    {
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<int>(cancellationToken);
        }
        // The token is not passed on: the WebSocket already watches it and disposes this stream when it
        // fires, which cancels the read (Dispose below). Passed on, every waiting read would hold a
        // second registration on it.
        var reading = _input.ReadAsync(CancellationToken.None);
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

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

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
        if (!result.Buffer.IsEmpty)
        {
            Volatile.Write(ref _lastReceived, Environment.TickCount64);
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

    /// <summary>
    /// The WebSocket was aborted or closed: a read or a write still waiting ends (Kestrel completes the
    /// pipes itself). This is how a device's socket calls, which take no token, are cancelled.
    /// </summary>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _input.CancelPendingRead();
            _output.CancelPendingFlush();
        }
        base.Dispose(disposing);
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
