using System.Net;
using System.Net.Sockets;

namespace Parley.Server.Tests.Media;

/// <summary>
/// A loopback TCP proxy in front of the server that really drops a connection: the first one to
/// carry more than <see cref="CutAfterBytes"/> bytes towards the server is reset mid-stream (RST),
/// as when a phone loses its network. Later connections pass untouched. Counts bytes per connection.
/// </summary>
public sealed class CuttingProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Uri _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<long> _upstreamBytes = [];
    private readonly Task _accepting;
    private int _cuts;

    public CuttingProxy(Uri target, long cutAfterBytes)
    {
        _target = target;
        CutAfterBytes = cutAfterBytes;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public long CutAfterBytes { get; }

    public static readonly TimeSpan StallBeforeCut = TimeSpan.FromSeconds(1);

    public Uri BaseAddress => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");

    public int Cuts => Volatile.Read(ref _cuts);

    /// <summary>Bytes each connection carried from the client to the server, in the order they opened.</summary>
    public IReadOnlyList<long> UpstreamBytes
    {
        get
        {
            lock (_upstreamBytes)
            {
                return _upstreamBytes.ToList();
            }
        }
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            _ = RelayAsync(client);
        }
    }

    private async Task RelayAsync(TcpClient client)
    {
        int index;
        lock (_upstreamBytes)
        {
            index = _upstreamBytes.Count;
            _upstreamBytes.Add(0);
        }
        using var server = new TcpClient();
        using (client)
        {
            await server.ConnectAsync(_target.Host, _target.Port);
            var up = PumpAsync(client, server, index);
            var down = PumpAsync(server, client, null);
            await Task.WhenAny(up, down);
            client.Client.LingerState = new LingerOption(true, 0); // close with RST, like a vanished network
            server.Client.LingerState = new LingerOption(true, 0);
        }
    }

    private async Task PumpAsync(TcpClient from, TcpClient to, int? upstreamIndex)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            var source = from.GetStream();
            var target = to.GetStream();
            int read;
            while ((read = await source.ReadAsync(buffer, _stop.Token)) > 0)
            {
                if (upstreamIndex is { } index)
                {
                    long total;
                    lock (_upstreamBytes)
                    {
                        total = _upstreamBytes[index] += read;
                    }
                    if (total > CutAfterBytes && Interlocked.CompareExchange(ref _cuts, 1, 0) == 0)
                    {
                        // The link stalls (the server gets to store what came so far), then dies: the rest
                        // of this chunk never arrives and both sides are reset.
                        await target.WriteAsync(buffer.AsMemory(0, read - (int)(total - CutAfterBytes)), _stop.Token);
                        await Task.Delay(StallBeforeCut, _stop.Token);
                        return;
                    }
                }
                await target.WriteAsync(buffer.AsMemory(0, read), _stop.Token);
            }
        }
        catch (Exception error) when (error is IOException or OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // One side went away; the relay ends.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }
}
