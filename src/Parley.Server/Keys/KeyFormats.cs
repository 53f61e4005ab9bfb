using Parley.Protocol.Rest;

namespace Parley.Server.Keys;

/// <summary>
/// Shape checks for uploaded public keys, in libsignal's serialized forms. A key that fails here
/// could never be used by a peer, so it is refused at upload instead of breaking a session later.
/// </summary>
public static class KeyFormats
{
    public const byte Curve25519Type = 0x05;
    public const int Curve25519KeyLength = 33;
    public const byte Kyber1024Type = 0x08;
    public const int Kyber1024KeyLength = 1569;
    public const int SignatureLength = 64;

    /// <summary>Most one-time keys (EC and Kyber each) a device may upload in one request.</summary>
    public const int MaxKeysPerUpload = 100;

    /// <summary>Most one-time keys (EC and Kyber each) the server stores per device.</summary>
    public const int MaxStoredKeysPerDevice = 1000;

    public static string? CheckCurveKey(byte[]? key, string what) =>
        key is { Length: Curve25519KeyLength } && key[0] == Curve25519Type
            ? null
            : $"{what} must be a 33-byte Curve25519 public key starting with 0x05.";

    public static string? CheckKyberKey(byte[]? key, string what)
    {
        if (key is not { Length: Kyber1024KeyLength } || key[0] != Kyber1024Type)
        {
            return $"{what} must be a 1569-byte Kyber1024 public key starting with 0x08.";
        }
        try
        {
            // Also rejects coefficients outside the field, which peers' encapsulation would refuse.
            Crypto.Kem.KyberPublicKey.Deserialize(key);
            return null;
        }
        catch (Crypto.SignalProtocolException)
        {
            return $"{what} is not a valid Kyber1024 public key.";
        }
    }

    public static string? CheckSignature(byte[]? signature, string what) =>
        signature is { Length: SignatureLength } ? null : $"{what} signature must be 64 bytes.";

    public static string? Check(SignedPreKeyDto? key, string what) =>
        key is null ? $"{what} is required." : CheckCurveKey(key.PublicKey, what) ?? CheckSignature(key.Signature, what);

    public static string? Check(KyberPreKeyDto? key, string what) =>
        key is null ? $"{what} is required." : CheckKyberKey(key.PublicKey, what) ?? CheckSignature(key.Signature, what);
}
