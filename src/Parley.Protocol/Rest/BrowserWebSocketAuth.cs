using System.Text;

namespace Parley.Protocol.Rest;

/// <summary>
/// Browsers cannot set an Authorization header on a WebSocket handshake, so a browser device offers
/// its Basic credentials as a second subprotocol, <c>parley-auth.&lt;base64url&gt;</c>, next to
/// <see cref="Protocol"/>. The server reads them like the header and selects <see cref="Protocol"/>;
/// credentials never go into the URL (where access logs and history would keep them).
/// </summary>
public static class BrowserWebSocketAuth
{
    /// <summary>The subprotocol the server selects for browser connections.</summary>
    public const string Protocol = "parley.v1";

    public const string CredentialsPrefix = "parley-auth.";

    /// <summary>The credentials subprotocol for "accountId.deviceId:password" (base64url: only token characters are allowed).</summary>
    public static string CredentialsProtocol(string basicCredentials) =>
        CredentialsPrefix + Convert.ToBase64String(Encoding.UTF8.GetBytes(basicCredentials)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>The Authorization header value carried by a credentials subprotocol, or null if <paramref name="protocol"/> is not one.</summary>
    public static string? AuthorizationFrom(string protocol)
    {
        if (!protocol.StartsWith(CredentialsPrefix, StringComparison.Ordinal))
        {
            return null;
        }
        var base64 = protocol[CredentialsPrefix.Length..].Replace('-', '+').Replace('_', '/');
        return "Basic " + base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '=');
    }
}
