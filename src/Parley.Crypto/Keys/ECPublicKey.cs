using System.Security.Cryptography;
using Parley.Crypto.Curve;

namespace Parley.Crypto.Keys;

/// <summary>A Curve25519 public key; serialized as libsignal does, <c>0x05 ‖ 32-byte u-coordinate</c>.</summary>
public sealed class ECPublicKey : IEquatable<ECPublicKey>
{
    /// <summary>The type byte libsignal puts before a Curve25519 key ("DJB" type).</summary>
    public const byte KeyType = 0x05;

    /// <summary>Length of <see cref="Serialize"/>: type byte plus 32 key bytes.</summary>
    public const int SerializedLength = 33;

    private readonly byte[] _key;

    internal ECPublicKey(byte[] key) => _key = key;

    /// <summary>The raw 32-byte Montgomery u-coordinate.</summary>
    public ReadOnlySpan<byte> PublicKeyBytes => _key;

    /// <summary>Parses <c>0x05 ‖ 32 bytes</c>; anything else is <see cref="SignalError.InvalidKey"/>.</summary>
    public static ECPublicKey Deserialize(ReadOnlySpan<byte> serialized)
    {
        if (serialized.Length == 0)
        {
            throw new SignalProtocolException(SignalError.InvalidKey, "empty public key");
        }

        if (serialized[0] != KeyType)
        {
            throw new SignalProtocolException(SignalError.InvalidKey, $"unknown public key type 0x{serialized[0]:x2}");
        }

        // libsignal tolerates trailing bytes after a well-formed key, and so do we.
        if (serialized.Length < SerializedLength)
        {
            throw new SignalProtocolException(SignalError.InvalidKey, $"public key has {serialized.Length} bytes, expected {SerializedLength}");
        }

        return new ECPublicKey(serialized[1..SerializedLength].ToArray());
    }

    /// <summary>Wraps a raw 32-byte u-coordinate.</summary>
    public static ECPublicKey FromPublicKeyBytes(ReadOnlySpan<byte> raw) =>
        raw.Length == X25519.KeyLength
            ? new ECPublicKey(raw.ToArray())
            : throw new SignalProtocolException(SignalError.InvalidKey, "raw Curve25519 public key must be 32 bytes");

    public byte[] Serialize()
    {
        var result = new byte[SerializedLength];
        result[0] = KeyType;
        _key.CopyTo(result, 1);
        return result;
    }

    /// <summary>Checks a libsignal XEdDSA signature (64 bytes) over <paramref name="message"/>.</summary>
    public bool VerifySignature(ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature) => XEdDsa.Verify(_key, message, signature);

    public bool Equals(ECPublicKey? other) => other is not null && CryptographicOperations.FixedTimeEquals(_key, other._key);

    public override bool Equals(object? obj) => obj is ECPublicKey other && Equals(other);

    public override int GetHashCode() => BitConverter.ToInt32(_key, 0);

    public override string ToString() => Convert.ToHexString(Serialize());
}
