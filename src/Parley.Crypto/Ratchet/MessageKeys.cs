using Parley.Crypto.Primitives;

namespace Parley.Crypto.Ratchet;

/// <summary>
/// The per-message AES key, HMAC key and IV: HKDF-SHA256(seed, salt none, "WhisperMessageKeys")
/// split 32 ‖ 32 ‖ 16, exactly as libsignal derives them.
/// </summary>
internal sealed class MessageKeys
{
    private static readonly byte[] Info = "WhisperMessageKeys"u8.ToArray();

    private MessageKeys(byte[] cipherKey, byte[] macKey, byte[] iv, uint counter)
    {
        CipherKey = cipherKey;
        MacKey = macKey;
        Iv = iv;
        Counter = counter;
    }

    public byte[] CipherKey { get; }

    public byte[] MacKey { get; }

    public byte[] Iv { get; }

    public uint Counter { get; }

    public static MessageKeys Derive(ReadOnlySpan<byte> seed, uint counter)
    {
        var okm = Hkdf.DeriveSecrets(seed, [], Info, 80);
        return new MessageKeys(okm[..32], okm[32..64], okm[64..80], counter);
    }
}
