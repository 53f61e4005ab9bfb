namespace Parley.Protocol.Rest;

/// <summary>A one-time Curve25519 prekey.</summary>
public sealed record PreKeyDto(int KeyId, byte[] PublicKey);

/// <summary>A Curve25519 prekey signed by the device's identity key (XEdDSA).</summary>
public sealed record SignedPreKeyDto(int KeyId, byte[] PublicKey, byte[] Signature);

/// <summary>A Kyber1024 prekey signed by the device's identity key (XEdDSA).</summary>
public sealed record KyberPreKeyDto(int KeyId, byte[] PublicKey, byte[] Signature);

/// <summary>PUT /v1/keys: add one-time prekeys and/or replace the signed and last-resort keys.</summary>
public sealed record SetKeysRequest(
    IReadOnlyList<PreKeyDto>? PreKeys = null,
    SignedPreKeyDto? SignedPreKey = null,
    IReadOnlyList<KyberPreKeyDto>? PqPreKeys = null,
    KyberPreKeyDto? PqLastResortPreKey = null);

/// <summary>GET /v1/keys/status: how many one-time keys remain, so clients know when to replenish.</summary>
public sealed record PreKeyCountResponse(int Count, int PqCount);

/// <summary>GET /v1/keys/{accountId}/{deviceId|*}: what a sender needs to start sessions (PQXDH).</summary>
public sealed record PreKeyResponse(string AccountId, IReadOnlyList<PreKeyBundleDto> Devices);

/// <summary>
/// One device's bundle. <see cref="PreKey"/> is null when the device ran out of one-time keys;
/// <see cref="PqPreKey"/> falls back to the last-resort Kyber key and is never null.
/// </summary>
public sealed record PreKeyBundleDto(
    int DeviceId,
    int RegistrationId,
    byte[] IdentityKey,
    SignedPreKeyDto SignedPreKey,
    PreKeyDto? PreKey,
    KyberPreKeyDto PqPreKey);
