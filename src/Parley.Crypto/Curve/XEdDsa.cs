using System.Security.Cryptography;
using F = Org.BouncyCastle.Math.EC.Rfc7748.X25519Field;

namespace Parley.Crypto.Curve;

/// <summary>
/// XEdDSA signatures by Curve25519 keys, in libsignal's variant: the private scalar is used as is
/// (not negated to force a positive Edwards key) and the Edwards key's sign bit travels in bit 7
/// of the signature's last byte, which is always 0 in a reduced s. A verifier that assumes a
/// positive key (the paper) would reject about half of libsignal's signatures.
/// </summary>
internal static class XEdDsa
{
    public const int SignatureLength = 64;

    /// <summary>Signs with a clamped 32-byte Curve25519 private key; <paramref name="random"/> is 64 fresh bytes.</summary>
    public static byte[] Sign(ReadOnlySpan<byte> privateKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> random)
    {
        var a = Scalar25519.Reduce(privateKey);
        var publicPoint = EdwardsScalarMult.MulBase(a).Compress();
        var signBit = (byte)(publicPoint[31] & 0x80);

        // r = SHA-512(0xFE ‖ 0xFF×31 ‖ k ‖ M ‖ Z) mod L: hash1 of the XEdDSA paper, prefix as libsignal.
        using var hash1 = IncrementalHash.CreateHash(HashAlgorithmName.SHA512);
        Span<byte> prefix = stackalloc byte[32];
        prefix.Fill(0xff);
        prefix[0] = 0xfe;
        hash1.AppendData(prefix);
        hash1.AppendData(privateKey);
        hash1.AppendData(message);
        hash1.AppendData(random);
        var r = Scalar25519.Reduce(hash1.GetHashAndReset());
        var capitalR = EdwardsScalarMult.MulBase(r).Compress();

        var h = Challenge(capitalR, publicPoint, message);
        var s = Scalar25519.MulAdd(h, a, r);

        var signature = new byte[SignatureLength];
        capitalR.CopyTo(signature, 0);
        s.CopyTo(signature, 32);
        signature[63] = (byte)((signature[63] & 0x7f) | signBit);
        return signature;
    }

    /// <summary>Verifies against a 32-byte Montgomery u-coordinate, exactly as libsignal accepts.</summary>
    public static bool Verify(ReadOnlySpan<byte> montgomeryU, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        if (montgomeryU.Length != 32 || signature.Length != SignatureLength)
        {
            return false;
        }

        var edwardsKey = MontgomeryToEdwards(montgomeryU, signature[63] >> 7);
        if (edwardsKey is null)
        {
            return false;
        }

        var s = signature[32..].ToArray();
        s[31] &= 0x7f;
        if ((s[31] & 0xe0) != 0)
        {
            return false;
        }

        var encodedKey = edwardsKey.Compress();
        return VerifyEquation(edwardsKey, encodedKey, message, signature[..32], Scalar25519.Reduce(s));
    }

    /// <summary>
    /// Plain Ed25519 verification with RFC 8032's strict decoding (canonical A, s &lt; L). Parley does
    /// not use Ed25519 keys; this exists so the shared curve code is checked against Wycheproof.
    /// </summary>
    internal static bool VerifyEd25519(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        if (publicKey.Length != 32 || signature.Length != SignatureLength || !Scalar25519.IsCanonical(signature[32..]))
        {
            return false;
        }

        var key = EdwardsPoint.Decompress(publicKey, requireCanonical: true);
        return key is not null && VerifyEquation(key, publicKey, message, signature[..32], signature[32..].ToArray());
    }

    /// <summary>Checks encode(s·B − h·A) == R bytewise, which also rejects non-canonical R.</summary>
    private static bool VerifyEquation(EdwardsPoint key, ReadOnlySpan<byte> encodedKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> capitalR, byte[] s)
    {
        var h = Challenge(capitalR, encodedKey, message);
        var check = EdwardsScalarMult.DoubleMulBaseVartime(h, key.Negate(), s).Compress();
        return CryptographicOperations.FixedTimeEquals(check, capitalR);
    }

    private static byte[] Challenge(ReadOnlySpan<byte> capitalR, ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> message)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA512);
        hash.AppendData(capitalR);
        hash.AppendData(publicKey);
        hash.AppendData(message);
        return Scalar25519.Reduce(hash.GetHashAndReset());
    }

    /// <summary>y = (u − 1)/(u + 1) with the given sign of x; null for u = −1 or a point on the twist.</summary>
    private static EdwardsPoint? MontgomeryToEdwards(ReadOnlySpan<byte> montgomeryU, int sign)
    {
        var u = F.Create();
        F.Decode255(montgomeryU.ToArray(), 0, u, 0);
        var num = F.Create();
        var den = F.Create();
        F.Copy(u, 0, num, 0);
        F.SubOne(num);
        F.Copy(u, 0, den, 0);
        F.AddOne(den);
        F.Normalize(den);
        if (F.IsZeroVar(den))
        {
            return null;
        }

        F.Inv(den, den);
        var y = F.Create();
        F.Mul(num, den, y);
        F.Normalize(y);
        var encoded = new byte[32];
        F.Encode(y, encoded, 0);
        encoded[31] |= (byte)(sign << 7);
        return EdwardsPoint.Decompress(encoded, requireCanonical: false);
    }
}
