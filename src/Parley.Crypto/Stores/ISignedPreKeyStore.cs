using Parley.Crypto.PreKeys;

namespace Parley.Crypto.Stores;

/// <summary>Signed Curve25519 prekeys; older ones are kept a while after rotation for late initiators.</summary>
public interface ISignedPreKeyStore
{
    Task<SignedPreKeyRecord?> LoadSignedPreKeyAsync(uint signedPreKeyId);

    Task StoreSignedPreKeyAsync(uint signedPreKeyId, SignedPreKeyRecord record);
}
