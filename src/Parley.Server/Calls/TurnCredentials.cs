using System.Security.Cryptography;
using System.Text;

namespace Parley.Server.Calls;

/// <summary>
/// The "TURN REST API" scheme coturn implements with <c>use-auth-secret</c>: the user name is
/// "<expiry unix time>:<account id>" and the password is base64(HMAC-SHA1(secret, user name)), so
/// coturn can check a credential without asking us, and it stops working when it expires.
/// </summary>
public static class TurnCredentials
{
    public static (string Username, string Password) Issue(string secret, string accountId, DateTimeOffset expires)
    {
        var username = $"{expires.ToUnixTimeSeconds()}:{accountId}";
        var password = Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(username)));
        return (username, password);
    }
}
