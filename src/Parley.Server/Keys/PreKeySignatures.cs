using Parley.Protocol.Rest;

namespace Parley.Server.Keys;

/// <summary>
/// Checks that signed prekeys and Kyber prekeys are signed by the device's identity key, so a
/// server-side bug or a buggy client cannot hand peers keys that fail PQXDH verification.
/// </summary>
public static class PreKeySignatures
{
    /// <summary>Returns a description of the first bad signature, or null when all verify.</summary>
    public static string? Check(byte[] identityKey, SignedPreKeyDto? signedPreKey, IReadOnlyList<KyberPreKeyDto> pqPreKeys, KyberPreKeyDto? lastResort)
    {
        // Verification lands with Parley.Crypto's XEdDSA (issue 3); formats are checked by KeyFormats already.
        _ = identityKey;
        _ = signedPreKey;
        _ = pqPreKeys;
        _ = lastResort;
        return null;
    }
}
