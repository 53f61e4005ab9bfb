using System.Security.Cryptography;

namespace Parley.Crypto.Primitives;

/// <summary>HMAC-SHA256 (RFC 2104) from the BCL, which also works under WebAssembly.</summary>
internal static class HmacSha256
{
    public static byte[] Compute(ReadOnlySpan<byte> key, ReadOnlySpan<byte> data) => HMACSHA256.HashData(key, data);

    /// <summary>Compares a (possibly truncated) tag in constant time.</summary>
    public static bool Verify(ReadOnlySpan<byte> key, ReadOnlySpan<byte> data, ReadOnlySpan<byte> tag)
    {
        if (tag.Length == 0 || tag.Length > 32)
        {
            return false;
        }

        Span<byte> full = stackalloc byte[32];
        HMACSHA256.HashData(key, data, full);
        return CryptographicOperations.FixedTimeEquals(full[..tag.Length], tag);
    }
}
