using System.Security.Cryptography;

namespace Parley.Crypto.Kem;

/// <summary>
/// A Kyber1024 public key as libsignal's <c>kem::PublicKey</c> of type Kyber1024:
/// serialized <c>0x08 ‖ 1568 bytes</c>.
/// </summary>
public sealed class KyberPublicKey : IEquatable<KyberPublicKey>
{
    /// <summary>libsignal's KEM type byte for Kyber1024 (keys and ciphertexts carry it).</summary>
    public const byte KeyType = 0x08;

    public const int SerializedLength = 1 + KyberEngine.PublicKeyLength;

    public const int SerializedCiphertextLength = 1 + KyberEngine.CiphertextLength;

    private readonly byte[] _key;

    internal KyberPublicKey(byte[] key) => _key = key;

    /// <summary>Parses a typed key; rejects other types, lengths, and coefficients ≥ q (FIPS 203 modulus check).</summary>
    public static KyberPublicKey Deserialize(ReadOnlySpan<byte> serialized)
    {
        if (serialized.Length == 0 || serialized[0] != KeyType)
        {
            throw new SignalProtocolException(SignalError.InvalidKey, "not a Kyber1024 public key (type byte 0x08 expected)");
        }

        if (serialized.Length != SerializedLength || !KyberEngine.IsValidPublicKey(serialized[1..]))
        {
            throw new SignalProtocolException(SignalError.InvalidKey, "malformed Kyber1024 public key");
        }

        return new KyberPublicKey(serialized[1..].ToArray());
    }

    public byte[] Serialize() => [KeyType, .. _key];

    /// <summary>A fresh shared secret (32 bytes) and the typed ciphertext (<c>0x08 ‖ 1568 bytes</c>) that carries it.</summary>
    public (byte[] SharedSecret, byte[] Ciphertext) Encapsulate()
    {
        var (secret, ciphertext) = KyberEngine.Encapsulate(KyberVariant.KyberRound3, _key, RandomNumberGenerator.GetBytes(32));
        return (secret, [KeyType, .. ciphertext]);
    }

    public bool Equals(KyberPublicKey? other) => other is not null && CryptographicOperations.FixedTimeEquals(_key, other._key);

    public override bool Equals(object? obj) => obj is KyberPublicKey other && Equals(other);

    public override int GetHashCode() => BitConverter.ToInt32(_key, 0);
}
