using System.Net;
using System.Net.Sockets;

namespace Parley.Bench;

/// <summary>
/// HTTP invokers whose sockets are bound to 127.0.0.1 .. 127.0.0.K: one source address has only
/// ~28k ephemeral ports towards one server port, several have that many each.
/// </summary>
public sealed class SourceAddresses : IDisposable
{
    private readonly HttpMessageInvoker[] _invokers;

    public SourceAddresses(int count, int offset = 0) =>
        _invokers = [.. Enumerable.Range(0, count).Select(i => Bound(new IPAddress([127, 0, 0, (byte)(1 + ((offset + i) % count))])))];

    /// <summary>The invoker for the <paramref name="index"/>th connection (round robin over the addresses).</summary>
    public HttpMessageInvoker For(int index) => _invokers[index % _invokers.Length];

    private static HttpMessageInvoker Bound(IPAddress source) => new(new SocketsHttpHandler
    {
        ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                socket.Bind(new IPEndPoint(source, 0));
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
        UseProxy = false,
    });

    public void Dispose()
    {
        foreach (var invoker in _invokers)
        {
            invoker.Dispose();
        }
    }
}
