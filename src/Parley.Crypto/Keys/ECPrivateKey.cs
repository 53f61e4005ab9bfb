using System.Security.Cryptography;
using Parley.Crypto.Curve;

namespace Parley.Crypto.Keys;

/// <summary>A clamped Curve25519 private scalar: X25519 agreement and XEdDSA signing.</summary>
public sealed class ECPrivateKey
{
    private readonly byte[] _key;

    private ECPrivateKey(byte[] clamped) => _key = clamped;

    /// <summary>Parses 32 bytes and clamps them, as libsignal does for any stored private key.</summary>
    public static ECPrivateKey Deserialize(ReadOnlySpan<byte> serialized)
    {
        if (serialized.Length != X25519.KeyLength)
        {
            throw new SignalProtocolException(SignalError.InvalidKey, "private key must be 32 bytes");
        }

        var key = serialized.ToArray();
        X25519.Clamp(key);
        return new ECPrivateKey(key);
    }

    public static ECPrivateKey Generate()
    {
        var key = RandomNumberGenerator.GetBytes(X25519.KeyLength);
        X25519.Clamp(key);
        return new ECPrivateKey(key);
    }

    public byte[] Serialize() => (byte[])_key.Clone();

    public ECPublicKey GetPublicKey() => new(X25519.PublicFromPrivate(_key));

    /// <summary>The 32-byte X25519 shared secret with <paramref name="theirKey"/>.</summary>
    public byte[] CalculateAgreement(ECPublicKey theirKey) => X25519.Agree(_key, theirKey.PublicKeyBytes);

    /// <summary>A randomized 64-byte XEdDSA signature that libsignal's verifier accepts.</summary>
    public byte[] CalculateSignature(ReadOnlySpan<byte> message) =>
        XEdDsa.Sign(_key, message, RandomNumberGenerator.GetBytes(64));
}
