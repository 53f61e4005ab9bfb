using System.Numerics;

namespace Parley.Crypto.Curve;

/// <summary>
/// Arithmetic modulo the group order L = 2^252 + 27742317777372353535851937790883648493.
/// Scalars are only reduced and multiplied a couple of times per signature, so BigInteger's
/// speed is fine here; the heavy and secret-dependent work (point multiplication) is
/// constant-time in <see cref="EdwardsScalarMult"/>.
/// </summary>
internal static class Scalar25519
{
    private static readonly BigInteger L = BigInteger.Pow(2, 252) + BigInteger.Parse("27742317777372353535851937790883648493", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Reduces a little-endian integer of any length modulo L, returning 32 bytes.</summary>
    public static byte[] Reduce(ReadOnlySpan<byte> littleEndian) => ToBytes(FromBytes(littleEndian) % L);

    /// <summary>(a * b + c) mod L for little-endian inputs.</summary>
    public static byte[] MulAdd(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, ReadOnlySpan<byte> c) =>
        ToBytes(((FromBytes(a) * FromBytes(b)) + FromBytes(c)) % L);

    /// <summary>True when the 32-byte little-endian value is below L (RFC 8032's check on s).</summary>
    public static bool IsCanonical(ReadOnlySpan<byte> littleEndian) => FromBytes(littleEndian) < L;

    private static BigInteger FromBytes(ReadOnlySpan<byte> littleEndian) => new(littleEndian, isUnsigned: true, isBigEndian: false);

    private static byte[] ToBytes(BigInteger value)
    {
        var result = new byte[32];
        value.TryWriteBytes(result, out _, isUnsigned: true, isBigEndian: false);
        return result;
    }
}
