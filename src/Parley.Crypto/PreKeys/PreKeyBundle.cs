using Parley.Crypto.Kem;
using Parley.Crypto.Keys;

namespace Parley.Crypto.PreKeys;

/// <summary>
/// What the server hands out to start a session with one device: identity, signed prekey,
/// Kyber prekey and, while supplies last, a one-time prekey.
/// </summary>
public sealed record PreKeyBundle(
    uint RegistrationId,
    uint DeviceId,
    uint? PreKeyId,
    ECPublicKey? PreKeyPublic,
    uint SignedPreKeyId,
    ECPublicKey SignedPreKeyPublic,
    byte[] SignedPreKeySignature,
    uint KyberPreKeyId,
    KyberPublicKey KyberPreKeyPublic,
    byte[] KyberPreKeySignature,
    IdentityKey IdentityKey)
{
    /// <summary>True when both optional one-time prekey fields are present (or both absent).</summary>
    internal bool HasConsistentOneTimePreKey => PreKeyId.HasValue == (PreKeyPublic is not null);
}
