using System.Security.Claims;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Parley.Server.Accounts;

/// <summary>
/// Authenticates a device by HTTP Basic credentials "&lt;accountId&gt;.&lt;deviceId&gt;:&lt;password&gt;",
/// on REST calls and on the WebSocket upgrade alike.
/// </summary>
public sealed class DeviceAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, AccountStore accounts)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Device";
    public const string DeviceIdClaim = "parley:device";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (string.IsNullOrEmpty(header))
        {
            return AuthenticateResult.NoResult();
        }
        if (!TryParse(header, out var address, out var password))
        {
            return AuthenticateResult.Fail("Malformed Authorization header.");
        }
        var hash = await accounts.FindCredentialHashAsync(address, Context.RequestAborted);
        if (hash is null || !DeviceCredentials.Verify(hash, password))
        {
            return AuthenticateResult.Fail("Unknown device or wrong password.");
        }
        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.NameIdentifier, address.AccountId), new Claim(DeviceIdClaim, address.DeviceId.ToString(System.Globalization.CultureInfo.InvariantCulture))],
            SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    internal static bool TryParse(string header, out DeviceAddress address, out string password)
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

public static class ClaimsPrincipalExtensions
{
    /// <summary>The authenticated device; only valid on endpoints that require authorization.</summary>
    public static DeviceAddress Device(this ClaimsPrincipal user) => new(
        user.FindFirstValue(ClaimTypes.NameIdentifier) ?? throw new InvalidOperationException("Not authenticated."),
        int.Parse(user.FindFirstValue(DeviceAuthenticationHandler.DeviceIdClaim)!, System.Globalization.CultureInfo.InvariantCulture));
}
