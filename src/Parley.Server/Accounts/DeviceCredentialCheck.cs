using System.Text;

namespace Parley.Server.Accounts;

/// <summary>
/// Checks HTTP Basic device credentials "&lt;accountId&gt;.&lt;deviceId&gt;:&lt;password&gt;" — for the
/// REST authentication handler and for the WebSocket upgrade, which is answered before the
/// authentication middleware runs.
/// </summary>
public sealed class DeviceCredentialCheck(AccountStore accounts)
{
    /// <summary>The device the header proves, or null when it is malformed, unknown or the password is wrong.</summary>
    public async Task<DeviceAddress?> AuthenticateAsync(string authorizationHeader, CancellationToken cancellationToken)
    {
        if (!TryParse(authorizationHeader, out var address, out var password))
        {
            return null;
        }
        var hash = await accounts.FindCredentialHashAsync(address, cancellationToken);
        return hash is not null && DeviceCredentials.Verify(hash, password) ? address : null;
    }

    private static bool TryParse(string header, out DeviceAddress address, out string password)
    {
        address = default;
        password = "";
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header["Basic ".Length..].Trim()));
        }
        catch (FormatException)
        {
            return false;
        }
        var colon = decoded.IndexOf(':', StringComparison.Ordinal);
        var dot = colon < 0 ? -1 : decoded.LastIndexOf('.', colon);
        if (dot <= 0 || !int.TryParse(decoded.AsSpan(dot + 1, colon - dot - 1), out var deviceId) || !Guid.TryParse(decoded.AsSpan(0, dot), out _))
        {
            return false;
        }
        address = new DeviceAddress(decoded[..dot], deviceId);
        password = decoded[(colon + 1)..];
        return true;
    }
}
