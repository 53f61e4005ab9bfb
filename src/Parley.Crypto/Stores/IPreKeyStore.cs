using Parley.Crypto.PreKeys;

namespace Parley.Crypto.Stores;

/// <summary>One-time Curve25519 prekeys, removed once a session consumed them.</summary>
public interface IPreKeyStore
{
    /// <summary>Returns null when the id is unknown (already used or never generated).</summary>
    Task<PreKeyRecord?> LoadPreKeyAsync(uint preKeyId);

    Task StorePreKeyAsync(uint preKeyId, PreKeyRecord record);

    Task RemovePreKeyAsync(uint preKeyId);
}
