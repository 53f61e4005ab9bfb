using System.Net.Sockets;
using System.Text;

namespace Parley.Server.Tests.Infrastructure;

/// <summary>
/// A WebSocket client at the byte level, for what ClientWebSocket hides: the exact upgrade sent, the
/// answer's head, and control frames (pings) as they arrive.
/// </summary>
public static class RawWebSocket
{
    /// <summary>RFC 6455 §1.3's example key; its accept value is s3pPLMBiTxaQ9kYGzzhZRbK+xOo=.</summary>
    public const string Key = "dGhlIHNhbXBsZSBub25jZQ==";

    public const byte PingOpcode = 0x9;

    public const byte CloseOpcode = 0x8;

    public static string Head(string extraHeaders) =>
        "GET /v1/websocket HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + $"Sec-WebSocket-Key: {Key}\r\nSec-WebSocket-Version: 13\r\n{extraHeaders}\r\n";

    public static async Task<TcpClient> ConnectAsync(ParleyServer server)
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", server.Process.Port);
        return tcp;
    }

    /// <summary>Connects <paramref name="user"/>'s device with a plain upgrade and checks the 101; the stream then carries WebSocket frames.</summary>
    public static async Task<TcpClient> ConnectDeviceAsync(ParleyServer server, TestUser user)
    {
        var tcp = await ConnectAsync(server);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(Head($"Authorization: {user.Credentials.ToAuthorizationHeader()}\r\n")));
        Assert.StartsWith("HTTP/1.1 101", await ReadHeadAsync(stream));
        return tcp;
    }

    /// <summary>Reads the answer's head byte by byte, so no WebSocket bytes behind it are swallowed.</summary>
    public static async Task<string> ReadHeadAsync(NetworkStream stream)
    {
        using var timeout = new CancellationTokenSource(Expect.Timeout);
        var head = new StringBuilder();
        var one = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            if (await stream.ReadAsync(one, timeout.Token) == 0)
            {
                break;
            }
            head.Append((char)one[0]);
        }
        return head.ToString();
    }

    /// <summary>The next frame the server sends (opcode and payload), or null when it closed the TCP connection.</summary>
    public static async Task<(byte Opcode, byte[] Payload)?> ReadFrameAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var header = new byte[2];
        if (!await ReadExactlyOrEndAsync(stream, header, cancellationToken))
        {
            return null;
        }
        long length = header[1] & 0x7F; // server frames are not masked
        if (length >= 126)
        {
            var extended = new byte[length == 126 ? 2 : 8];
            if (!await ReadExactlyOrEndAsync(stream, extended, cancellationToken))
            {
                return null;
            }
            length = extended.Aggregate(0L, (value, b) => (value << 8) | b);
        }
        var payload = new byte[length];
        return await ReadExactlyOrEndAsync(stream, payload, cancellationToken) ? ((byte)(header[0] & 0x0F), payload) : null;
    }

    private static async Task<bool> ReadExactlyOrEndAsync(NetworkStream stream, byte[] buffer, CancellationToken cancellationToken)
    {
        try
        {
            return await stream.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken) == buffer.Length;
        }
        catch (IOException)
        {
            return false; // reset by the server
        }
    }
}
