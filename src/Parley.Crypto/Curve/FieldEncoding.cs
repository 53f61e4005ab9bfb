namespace Parley.Crypto.Curve;

/// <summary>Byte-level facts about GF(2^255 - 19) encodings that the limb arithmetic does not expose.</summary>
internal static class FieldEncoding
{
    /// <summary>True when the 255-bit little-endian value (top bit ignored) is below p = 2^255 - 19.</summary>
    public static bool IsCanonical(ReadOnlySpan<byte> encoded)
    {
        // The only non-canonical values are p .. 2^255 - 1: 0xed..0xff in byte 0, 0xff in 1..30, 0x7f in 31.
        if ((encoded[31] & 0x7f) != 0x7f)
        {
            return true;
        }

        for (var i = 1; i < 31; i++)
        {
            if (encoded[i] != 0xff)
            {
                return true;
            }
        }

        return encoded[0] < 0xed;
    }

    /// <summary>The "sign" of a normalized field element: its least significant bit.</summary>
    public static bool IsNegative(int[] normalized)
    {
        var bytes = new byte[32];
        Org.BouncyCastle.Math.EC.Rfc7748.X25519Field.Encode(normalized, bytes, 0);
        return (bytes[0] & 1) == 1;
    }
}
