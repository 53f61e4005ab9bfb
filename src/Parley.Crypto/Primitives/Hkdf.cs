using System.Security.Cryptography;

namespace Parley.Crypto.Primitives;

/// <summary>HKDF-SHA256 (RFC 5869). The BCL's implementation also works under WebAssembly.</summary>
internal static class Hkdf
{
    public static byte[] DeriveSecrets(ReadOnlySpan<byte> inputKeyMaterial, ReadOnlySpan<byte> salt, ReadOnlySpan<byte> info, int length)
    {
        if (length <= 0 || length > 255 * 32)
        {
            throw new SignalProtocolException(SignalError.InvalidArgument, $"HKDF output length {length} is out of range");
        }

        var output = new byte[length];
        HKDF.DeriveKey(HashAlgorithmName.SHA256, inputKeyMaterial, output, salt, info);
        return output;
    }
}
