using Parley.Client.Storage;
using Parley.Crypto;
using Parley.Crypto.Groups;
using Parley.Crypto.Keys;
using Parley.Crypto.PreKeys;
using Parley.Crypto.Sessions;
using Parley.Crypto.Stores;

namespace Parley.Client.Messaging;

/// <summary>
/// Parley.Crypto's store interfaces over an <see cref="IClientStore"/>, plus the trust policy:
/// <b>trust on first use, and accept changes loudly</b> (as Signal does for unverified contacts).
/// Any identity is trusted, so a re-registered peer can still talk; when a known address presents
/// a different key, the new key is recorded and <see cref="IdentityReplaced"/> fires so the SDK
/// flags the chat and tells the UI.
/// </summary>
internal sealed class ClientProtocolStore(IClientStore store, IdentityKeyPair identity, uint registrationId) : ISignalProtocolStore
{
    /// <summary>Raised inside the store operation that saw the change (same atomic unit).</summary>
    public event Func<ProtocolAddress, Task>? IdentityReplaced;

    public Task<IdentityKeyPair> GetIdentityKeyPairAsync() => Task.FromResult(identity);

    public Task<uint> GetLocalRegistrationIdAsync() => Task.FromResult(registrationId);

    public async Task<IdentityChange> SaveIdentityAsync(ProtocolAddress address, IdentityKey identityKey)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentNullException.ThrowIfNull(identityKey);
        var known = await GetIdentityAsync(address);
        if (identityKey.Equals(known))
        {
            return IdentityChange.NewOrUnchanged;
        }
        await store.StoreIdentityAsync(address.Name, address.DeviceId, identityKey.Serialize());
        if (known is null)
        {
            return IdentityChange.NewOrUnchanged;
        }
        if (IdentityReplaced is { } handler)
        {
            await handler(address);
        }
        return IdentityChange.ReplacedExisting;
    }

    /// <summary>Always true: see the class summary. Blocking on change would need a "verified" state first.</summary>
    public Task<bool> IsTrustedIdentityAsync(ProtocolAddress address, IdentityKey identityKey, Direction direction) => Task.FromResult(true);

    public async Task<IdentityKey?> GetIdentityAsync(ProtocolAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var bytes = await store.LoadIdentityAsync(address.Name, address.DeviceId);
        return bytes is null ? null : IdentityKey.Deserialize(bytes);
    }

    public async Task<PreKeyRecord?> LoadPreKeyAsync(uint preKeyId) =>
        await store.LoadPreKeyAsync(PreKeyKind.OneTime, preKeyId) is { } key ? PreKeyRecord.Deserialize(key.Record) : null;

    public Task StorePreKeyAsync(uint preKeyId, PreKeyRecord record) =>
        store.StorePreKeyAsync(PreKeyKind.OneTime, preKeyId, new StoredPreKey(record.Serialize(), LastResort: false));

    public Task RemovePreKeyAsync(uint preKeyId) => store.RemovePreKeyAsync(PreKeyKind.OneTime, preKeyId);

    public async Task<SignedPreKeyRecord?> LoadSignedPreKeyAsync(uint signedPreKeyId) =>
        await store.LoadPreKeyAsync(PreKeyKind.Signed, signedPreKeyId) is { } key ? SignedPreKeyRecord.Deserialize(key.Record) : null;

    public Task StoreSignedPreKeyAsync(uint signedPreKeyId, SignedPreKeyRecord record) =>
        store.StorePreKeyAsync(PreKeyKind.Signed, signedPreKeyId, new StoredPreKey(record.Serialize(), LastResort: true));

    public async Task<KyberPreKeyRecord?> LoadKyberPreKeyAsync(uint kyberPreKeyId) =>
        await store.LoadPreKeyAsync(PreKeyKind.Kyber, kyberPreKeyId) is { } key ? KyberPreKeyRecord.Deserialize(key.Record) : null;

    public Task StoreKyberPreKeyAsync(uint kyberPreKeyId, KyberPreKeyRecord record) =>
        store.StorePreKeyAsync(PreKeyKind.Kyber, kyberPreKeyId, new StoredPreKey(record.Serialize(), LastResort: false));

    public Task StoreLastResortKyberPreKeyAsync(uint kyberPreKeyId, KyberPreKeyRecord record) =>
        store.StorePreKeyAsync(PreKeyKind.Kyber, kyberPreKeyId, new StoredPreKey(record.Serialize(), LastResort: true));

    public async Task MarkKyberPreKeyUsedAsync(uint kyberPreKeyId)
    {
        if (await store.LoadPreKeyAsync(PreKeyKind.Kyber, kyberPreKeyId) is { LastResort: false })
        {
            await store.RemovePreKeyAsync(PreKeyKind.Kyber, kyberPreKeyId);
        }
    }

    public async Task<SessionRecord?> LoadSessionAsync(ProtocolAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return await store.LoadSessionAsync(address.Name, address.DeviceId) is { } bytes ? SessionRecord.Deserialize(bytes) : null;
    }

    public Task StoreSessionAsync(ProtocolAddress address, SessionRecord record)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentNullException.ThrowIfNull(record);
        return store.StoreSessionAsync(address.Name, address.DeviceId, record.Serialize());
    }

    public async Task<SenderKeyRecord?> LoadSenderKeyAsync(ProtocolAddress sender, Guid distributionId)
    {
        ArgumentNullException.ThrowIfNull(sender);
        return await store.LoadSenderKeyAsync(sender.Name, sender.DeviceId, distributionId) is { } bytes ? SenderKeyRecord.Deserialize(bytes) : null;
    }

    public Task StoreSenderKeyAsync(ProtocolAddress sender, Guid distributionId, SenderKeyRecord record)
    {
        ArgumentNullException.ThrowIfNull(sender);
        ArgumentNullException.ThrowIfNull(record);
        return store.StoreSenderKeyAsync(sender.Name, sender.DeviceId, distributionId, record.Serialize());
    }
}
