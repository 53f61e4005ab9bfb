using System.Security.Cryptography;
using System.Text;

namespace Parley.Server.Registration;

/// <summary>Six-digit codes. Only a salted hash is stored, so a database dump does not reveal live codes.</summary>
public static class VerificationCodes
{
    public const int MaxAttempts = 5;
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);

    /// <summary>How long after verification the client may still create the account.</summary>
    public static readonly TimeSpan VerifiedSessionLifetime = TimeSpan.FromMinutes(30);

    public static string Generate() => RandomNumberGenerator.GetInt32(0, 1_000_000).ToString("D6", System.Globalization.CultureInfo.InvariantCulture);

    public static byte[] Hash(string sessionId, string code) =>
        HMACSHA256.HashData(Encoding.UTF8.GetBytes(sessionId), Encoding.UTF8.GetBytes(code));

    public static bool Matches(RegistrationSession session, string code) =>
        CryptographicOperations.FixedTimeEquals(session.CodeHash, Hash(session.Id, code));
}
