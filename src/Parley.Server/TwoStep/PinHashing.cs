using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Parley.Server.TwoStep;

/// <summary>
/// Two-step PINs are six digits — a million possibilities — so the stored hash must be slow:
/// PBKDF2-HMAC-SHA256 with a random salt and OWASP's 600,000 iterations. The iteration count is
/// stored with the hash so it can be raised without invalidating existing PINs.
/// </summary>
public static class PinHashing
{
    private const byte FormatVersion = 1;
    private const int Iterations = 600_000;
    private const int SaltBytes = 16;
    private const int HashBytes = 32;

    public static bool IsWellFormed(string? pin) => pin is { Length: 6 } && pin.All(char.IsAsciiDigit);

    public static byte[] Hash(string pin)
    {
        var stored = new byte[1 + 4 + SaltBytes + HashBytes];
        stored[0] = FormatVersion;
        BinaryPrimitives.WriteInt32BigEndian(stored.AsSpan(1), Iterations);
        RandomNumberGenerator.Fill(stored.AsSpan(5, SaltBytes));
        Rfc2898DeriveBytes.Pbkdf2(pin, stored.AsSpan(5, SaltBytes), stored.AsSpan(5 + SaltBytes), Iterations, HashAlgorithmName.SHA256);
        return stored;
    }

    public static bool Matches(byte[] stored, string pin)
    {
        if (stored.Length != 1 + 4 + SaltBytes + HashBytes || stored[0] != FormatVersion || !IsWellFormed(pin))
        {
            return false;
        }
        var iterations = BinaryPrimitives.ReadInt32BigEndian(stored.AsSpan(1));
        Span<byte> candidate = stackalloc byte[HashBytes];
        Rfc2898DeriveBytes.Pbkdf2(pin, stored.AsSpan(5, SaltBytes), candidate, iterations, HashAlgorithmName.SHA256);
        return CryptographicOperations.FixedTimeEquals(candidate, stored.AsSpan(5 + SaltBytes));
    }
}
