namespace Parley.Crypto.Kem;

/// <summary>A Kyber1024 secret key, serialized <c>0x08 ‖ 3168 bytes</c> as libsignal stores it.</summary>
public sealed class KyberSecretKey
{
    private readonly byte[] _key;

    internal KyberSecretKey(byte[] key) => _key = key;

    public static KyberSecretKey Deserialize(ReadOnlySpan<byte> serialized)
    {
        if (serialized.Length != 1 + KyberEngine.SecretKeyLength || serialized[0] != KyberPublicKey.KeyType)
        {
            throw new SignalProtocolException(SignalError.InvalidKey, "malformed Kyber1024 secret key");
        }

        return new KyberSecretKey(serialized[1..].ToArray());
    }

    public byte[] Serialize() => [KyberPublicKey.KeyType, .. _key];

    /// <summary>
    /// Recovers the shared secret from a typed ciphertext. A wrong type or length is
    /// <see cref="SignalError.InvalidMessage"/>; a forged ciphertext of the right shape yields an
    /// unrelated secret (implicit rejection), so the failure surfaces later as a bad MAC.
    /// </summary>
    public byte[] Decapsulate(ReadOnlySpan<byte> serializedCiphertext)
    {
        if (serializedCiphertext.Length != KyberPublicKey.SerializedCiphertextLength || serializedCiphertext[0] != KyberPublicKey.KeyType)
        {
            throw new SignalProtocolException(SignalError.InvalidMessage, "malformed Kyber1024 ciphertext");
        }

        return KyberEngine.Decapsulate(KyberVariant.KyberRound3, _key, serializedCiphertext[1..]);
    }
}
