namespace Parley.Crypto.Curve;

/// <summary>X25519 (RFC 7748) through BouncyCastle's managed, constant-time Montgomery ladder.</summary>
internal static class X25519
{
    public const int KeyLength = 32;

    /// <summary>Clamps 32 random bytes into a private scalar as RFC 7748 (and libsignal) do.</summary>
    public static void Clamp(Span<byte> key)
    {
        key[0] &= 248;
        key[31] &= 127;
        key[31] |= 64;
    }

    public static byte[] PublicFromPrivate(ReadOnlySpan<byte> privateKey)
    {
        var result = new byte[KeyLength];
        Org.BouncyCastle.Math.EC.Rfc7748.X25519.ScalarMultBase(privateKey, result);
        return result;
    }

    /// <summary>
    /// The shared secret. Like libsignal, a low-order peer key is not rejected here (it yields a
    /// fixed output); PQXDH mixes several agreements and a KEM secret, so one bad input cannot
    /// force the derived keys.
    /// </summary>
    public static byte[] Agree(ReadOnlySpan<byte> privateKey, ReadOnlySpan<byte> publicKey)
    {
        var result = new byte[KeyLength];
        Org.BouncyCastle.Math.EC.Rfc7748.X25519.ScalarMult(privateKey, publicKey, result);
        return result;
    }
}
