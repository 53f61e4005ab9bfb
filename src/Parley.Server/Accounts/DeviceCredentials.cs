using System.Security.Cryptography;

namespace Parley.Server.Accounts;

/// <summary>
/// Device passwords are random 256-bit secrets. Because they have full entropy, a single SHA-256
/// is a safe way to store them (a slow password hash would only cost CPU on every request).
/// </summary>
public static class DeviceCredentials
{
    public static string NewPassword() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public static byte[] Hash(string password) => SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(password));

    public static bool Verify(byte[] storedHash, string password) =>
        CryptographicOperations.FixedTimeEquals(storedHash, Hash(password));
}
