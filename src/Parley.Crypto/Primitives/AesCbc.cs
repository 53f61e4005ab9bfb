using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Modes;
using Org.BouncyCastle.Crypto.Paddings;
using Org.BouncyCastle.Crypto.Parameters;

namespace Parley.Crypto.Primitives;

/// <summary>
/// AES-CBC with PKCS#7 padding through BouncyCastle: the BCL's Aes throws
/// PlatformNotSupportedException in the browser, BouncyCastle's managed engine does not.
/// </summary>
internal static class AesCbc
{
    public static byte[] Encrypt(byte[] key, byte[] iv, ReadOnlySpan<byte> plaintext)
    {
        var cipher = Create(forEncryption: true, key, iv);
        var output = new byte[cipher.GetOutputSize(plaintext.Length)];
        var written = cipher.ProcessBytes(plaintext, output);
        written += cipher.DoFinal(output.AsSpan(written));
        return written == output.Length ? output : output[..written];
    }

    /// <summary>Decrypts and strips padding; a wrong length or padding is an <see cref="SignalError.InvalidMessage"/>.</summary>
    public static byte[] Decrypt(byte[] key, byte[] iv, ReadOnlySpan<byte> ciphertext)
    {
        if (ciphertext.Length == 0 || ciphertext.Length % 16 != 0)
        {
            throw new SignalProtocolException(SignalError.InvalidMessage, "ciphertext is not a whole number of AES blocks");
        }

        var cipher = Create(forEncryption: false, key, iv);
        var output = new byte[cipher.GetOutputSize(ciphertext.Length)];
        try
        {
            var written = cipher.ProcessBytes(ciphertext, output);
            written += cipher.DoFinal(output.AsSpan(written));
            return output[..written];
        }
        catch (InvalidCipherTextException e)
        {
            throw new SignalProtocolException(SignalError.InvalidMessage, "bad padding", e);
        }
    }

    private static PaddedBufferedBlockCipher Create(bool forEncryption, byte[] key, byte[] iv)
    {
        if (key.Length is not (16 or 24 or 32) || iv.Length != 16)
        {
            throw new SignalProtocolException(SignalError.InvalidArgument, "AES-CBC needs a 128/192/256-bit key and a 128-bit IV");
        }

        var cipher = new PaddedBufferedBlockCipher(new CbcBlockCipher(AesUtilities.CreateEngine()), new Pkcs7Padding());
        cipher.Init(forEncryption, new ParametersWithIV(new KeyParameter(key), iv));
        return cipher;
    }
}
