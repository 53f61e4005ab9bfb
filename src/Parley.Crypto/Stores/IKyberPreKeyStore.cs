using Parley.Crypto.PreKeys;

namespace Parley.Crypto.Stores;

/// <summary>Signed Kyber1024 prekeys: one-time keys are deleted when used, last-resort keys are kept.</summary>
public interface IKyberPreKeyStore
{
    Task<KyberPreKeyRecord?> LoadKyberPreKeyAsync(uint kyberPreKeyId);

    Task StoreKyberPreKeyAsync(uint kyberPreKeyId, KyberPreKeyRecord record);

    /// <summary>Called after a session used the key; the store decides whether it was one-time (remove) or last-resort (keep).</summary>
    Task MarkKyberPreKeyUsedAsync(uint kyberPreKeyId);
}
