using System.Collections.Concurrent;
using Parley.Crypto.Groups;
using Parley.Crypto.Keys;
using Parley.Crypto.PreKeys;
using Parley.Crypto.Sessions;

namespace Parley.Crypto.Stores;

/// <summary>
/// Every store of one device in memory. Records are kept serialized, as a database would keep
/// them, so a loaded record is always an independent copy and nothing changes until stored.
/// Kyber prekeys are one-time unless registered with <see cref="StoreLastResortKyberPreKeyAsync"/>.
/// </summary>
public sealed class InMemorySignalProtocolStore(IdentityKeyPair identityKeyPair, uint registrationId)
    : InMemoryIdentityKeyStore(identityKeyPair, registrationId), ISignalProtocolStore
{
    private readonly ConcurrentDictionary<uint, byte[]> _preKeys = new();
    private readonly ConcurrentDictionary<uint, byte[]> _signedPreKeys = new();
    private readonly ConcurrentDictionary<uint, byte[]> _kyberPreKeys = new();
    private readonly ConcurrentDictionary<uint, bool> _lastResortKyberIds = new();
    private readonly ConcurrentDictionary<ProtocolAddress, byte[]> _sessions = new();
    private readonly ConcurrentDictionary<(ProtocolAddress, Guid), byte[]> _senderKeys = new();

    public Task<PreKeyRecord?> LoadPreKeyAsync(uint preKeyId) =>
        Task.FromResult(_preKeys.TryGetValue(preKeyId, out var bytes) ? PreKeyRecord.Deserialize(bytes) : null);

    public Task StorePreKeyAsync(uint preKeyId, PreKeyRecord record)
    {
        _preKeys[preKeyId] = record.Serialize();
        return Task.CompletedTask;
    }

    public Task RemovePreKeyAsync(uint preKeyId)
    {
        _preKeys.TryRemove(preKeyId, out _);
        return Task.CompletedTask;
    }

    public Task<SignedPreKeyRecord?> LoadSignedPreKeyAsync(uint signedPreKeyId) =>
        Task.FromResult(_signedPreKeys.TryGetValue(signedPreKeyId, out var bytes) ? SignedPreKeyRecord.Deserialize(bytes) : null);

    public Task StoreSignedPreKeyAsync(uint signedPreKeyId, SignedPreKeyRecord record)
    {
        _signedPreKeys[signedPreKeyId] = record.Serialize();
        return Task.CompletedTask;
    }

    public Task<KyberPreKeyRecord?> LoadKyberPreKeyAsync(uint kyberPreKeyId) =>
        Task.FromResult(_kyberPreKeys.TryGetValue(kyberPreKeyId, out var bytes) ? KyberPreKeyRecord.Deserialize(bytes) : null);

    public Task StoreKyberPreKeyAsync(uint kyberPreKeyId, KyberPreKeyRecord record)
    {
        _kyberPreKeys[kyberPreKeyId] = record.Serialize();
        return Task.CompletedTask;
    }

    /// <summary>Stores a Kyber prekey that stays usable after sessions used it.</summary>
    public Task StoreLastResortKyberPreKeyAsync(uint kyberPreKeyId, KyberPreKeyRecord record)
    {
        _lastResortKyberIds[kyberPreKeyId] = true;
        return StoreKyberPreKeyAsync(kyberPreKeyId, record);
    }

    public Task MarkKyberPreKeyUsedAsync(uint kyberPreKeyId)
    {
        if (!_lastResortKyberIds.ContainsKey(kyberPreKeyId))
        {
            _kyberPreKeys.TryRemove(kyberPreKeyId, out _);
        }

        return Task.CompletedTask;
    }

    public Task<SessionRecord?> LoadSessionAsync(ProtocolAddress address) =>
        Task.FromResult(_sessions.TryGetValue(address, out var bytes) ? SessionRecord.Deserialize(bytes) : null);

    public Task StoreSessionAsync(ProtocolAddress address, SessionRecord record)
    {
        _sessions[address] = record.Serialize();
        return Task.CompletedTask;
    }

    public Task<SenderKeyRecord?> LoadSenderKeyAsync(ProtocolAddress sender, Guid distributionId) =>
        Task.FromResult(_senderKeys.TryGetValue((sender, distributionId), out var bytes) ? SenderKeyRecord.Deserialize(bytes) : null);

    public Task StoreSenderKeyAsync(ProtocolAddress sender, Guid distributionId, SenderKeyRecord record)
    {
        _senderKeys[(sender, distributionId)] = record.Serialize();
        return Task.CompletedTask;
    }
}
