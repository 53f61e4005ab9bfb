using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Parley.Server.Accounts;

/// <summary>
/// Authenticates a device by HTTP Basic credentials "&lt;accountId&gt;.&lt;deviceId&gt;:&lt;password&gt;",
/// on REST calls (the WebSocket upgrade checks them itself, see <see cref="Connections.WebSocketEndpoint"/>).
/// </summary>
public sealed class DeviceAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, DeviceCredentialCheck credentials)
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
        if (await credentials.AuthenticateAsync(header, Context.RequestAborted) is not { } address)
        {
            return AuthenticateResult.Fail("Unknown device, wrong password or malformed Authorization header.");
        }
        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.NameIdentifier, address.AccountId), new Claim(DeviceIdClaim, address.DeviceId.ToString(System.Globalization.CultureInfo.InvariantCulture))],
            SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }
}

public static class ClaimsPrincipalExtensions
{
    /// <summary>The authenticated device; only valid on endpoints that require authorization.</summary>
    public static DeviceAddress Device(this ClaimsPrincipal user) => new(
        user.FindFirstValue(ClaimTypes.NameIdentifier) ?? throw new InvalidOperationException("Not authenticated."),
        int.Parse(user.FindFirstValue(DeviceAuthenticationHandler.DeviceIdClaim)!, System.Globalization.CultureInfo.InvariantCulture));
}
