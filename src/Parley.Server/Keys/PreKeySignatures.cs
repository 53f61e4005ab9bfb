using Parley.Crypto;
using Parley.Crypto.Keys;
using Parley.Protocol.Rest;

namespace Parley.Server.Keys;

/// <summary>
/// Checks that signed prekeys and Kyber prekeys carry a valid XEdDSA signature by the device's
/// identity key. A peer's PQXDH would refuse such a bundle anyway; refusing it at upload turns a
/// confusing session failure on someone else's phone into a clear error for the uploader.
/// </summary>
public static class PreKeySignatures
{
    /// <summary>Returns a description of the first bad signature, or null when all verify.</summary>
    public static string? Check(byte[] identityKey, SignedPreKeyDto? signedPreKey, IReadOnlyList<KyberPreKeyDto> pqPreKeys, KyberPreKeyDto? lastResort)
    {
        ECPublicKey identity;
        try
        {
            identity = ECPublicKey.Deserialize(identityKey);
        }
        catch (SignalProtocolException)
        {
            return "The identity key is not a valid Curve25519 public key.";
        }
        if (signedPreKey is not null && !identity.VerifySignature(signedPreKey.PublicKey, signedPreKey.Signature))
        {
            return $"Signed prekey {signedPreKey.KeyId} is not signed by this device's identity key.";
        }
        foreach (var key in pqPreKeys.Append(lastResort))
        {
            if (key is not null && !identity.VerifySignature(key.PublicKey, key.Signature))
            {
                return $"Kyber prekey {key.KeyId} is not signed by this device's identity key.";
            }
        }
        return null;
    }
}
