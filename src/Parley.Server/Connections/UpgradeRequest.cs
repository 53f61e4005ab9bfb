using System.Text;
using Parley.Protocol.Rest;

namespace Parley.Server.Connections;

/// <summary>
/// A well-formed HTTP/1.1 WebSocket upgrade of /v1/websocket (RFC 6455 §4.2.1), read from the raw
/// request head. Anything this does not recognise exactly is left to Kestrel's HTTP stack, which
/// answers it (and every error) as before, so this parser only ever says "yes, certainly" or "not mine".
/// </summary>
internal sealed record UpgradeRequest(string Key, string Authorization, bool CredentialsFromSubprotocol)
{
    /// <summary>Longest request head read on the bare connection; bigger ones go to Kestrel.</summary>
    public const int MaxHeadBytes = 8 * 1024;

    private static ReadOnlySpan<byte> RequestLinePrefix => "GET /v1/websocket"u8;

    private static ReadOnlySpan<byte> EndOfHead => "\r\n\r\n"u8;

    /// <summary>True when <paramref name="data"/> starts like a request this handshake may take.</summary>
    public static bool MayBeOne(ReadOnlySpan<byte> data) =>
        data.Length > RequestLinePrefix.Length && data.StartsWith(RequestLinePrefix) && data[RequestLinePrefix.Length] is (byte)' ' or (byte)'?';

    /// <summary>Length of the head (through its blank line) in <paramref name="data"/>, or -1 if it is not all there.</summary>
    public static int HeadLength(ReadOnlySpan<byte> data)
    {
        var end = data.IndexOf(EndOfHead);
        return end < 0 ? -1 : end + EndOfHead.Length;
    }

    /// <summary>The upgrade in <paramref name="head"/>, or null when it is anything else.</summary>
    public static UpgradeRequest? TryParse(ReadOnlySpan<byte> head)
    {
        var lines = Encoding.Latin1.GetString(head).Split("\r\n");
        var requestLine = lines[0].Split(' ');
        if (requestLine.Length != 3 || requestLine[1].Split('?')[0] != WebSocketEndpoint.Path || requestLine[2] != "HTTP/1.1")
        {
            return null;
        }
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var protocols = new List<string>();
        foreach (var line in lines.Skip(1).TakeWhile(l => l.Length > 0))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0 || line.AsSpan(0, colon).ContainsAny(' ', '\t'))
            {
                return null; // folded or malformed: Kestrel decides
            }
            var name = line[..colon];
            var value = line[(colon + 1)..].Trim(' ', '\t');
            if (name.Equals("Sec-WebSocket-Protocol", StringComparison.OrdinalIgnoreCase))
            {
                protocols.AddRange(value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
            }
            else if (!headers.TryAdd(name, value))
            {
                return null; // a repeated header: Kestrel decides
            }
        }
        if (!headers.ContainsKey("Host") || headers.ContainsKey("Content-Length") || headers.ContainsKey("Transfer-Encoding")
            || !HasToken(headers, "Upgrade", "websocket") || !HasToken(headers, "Connection", "upgrade")
            || headers.GetValueOrDefault("Sec-WebSocket-Version") != "13"
            || headers.GetValueOrDefault("Sec-WebSocket-Key") is not { } key || !IsNonce(key))
        {
            return null;
        }
        if (headers.TryGetValue("Authorization", out var authorization))
        {
            return new UpgradeRequest(key, authorization, CredentialsFromSubprotocol: false);
        }
        return protocols.Select(BrowserWebSocketAuth.AuthorizationFrom).FirstOrDefault(a => a is not null) is { } fromProtocol
            ? new UpgradeRequest(key, fromProtocol, CredentialsFromSubprotocol: true)
            : null;
    }

    private static bool HasToken(Dictionary<string, string> headers, string name, string token) =>
        headers.TryGetValue(name, out var value)
        && value.Split(',', StringSplitOptions.TrimEntries).Contains(token, StringComparer.OrdinalIgnoreCase);

    /// <summary>The key must be 16 random bytes in base64 (RFC 6455 §4.1).</summary>
    private static bool IsNonce(string key)
    {
        Span<byte> bytes = stackalloc byte[18];
        return Convert.TryFromBase64String(key, bytes, out var length) && length == 16;
    }
}
