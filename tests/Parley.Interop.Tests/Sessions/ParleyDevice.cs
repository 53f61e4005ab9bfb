using Parley.Crypto;
using Parley.Crypto.Kem;
using Parley.Crypto.Keys;
using Parley.Crypto.Messages;
using Parley.Crypto.PreKeys;
using Parley.Crypto.Sessions;
using Parley.Crypto.Stores;
using Parley.Interop.Tests.Harness;

namespace Parley.Interop.Tests.Sessions;

/// <summary>A device running Parley.Crypto over its in-memory stores.</summary>
public sealed class ParleyDevice : ISignalDevice
{
    private uint _nextPreKeyId = 1;

    public ParleyDevice(string name, uint deviceId = 1)
    {
        Name = name;
        DeviceId = deviceId;
        Identity = KeyHelper.GenerateIdentityKeyPair();
        Store = new InMemorySignalProtocolStore(Identity, KeyHelper.GenerateRegistrationId());
    }

    public string Implementation => "parley";

    public string Name { get; }

    public uint DeviceId { get; }

    public IdentityKeyPair Identity { get; }

    public InMemorySignalProtocolStore Store { get; }

    /// <summary>
    /// Odd bundles carry a last-resort Kyber prekey (kept after use), even ones a one-time Kyber
    /// prekey (removed after use), so scenarios cover both.
    /// </summary>
    public async Task<BundleData> NewBundleAsync(bool withOneTimePreKey)
    {
        var id = _nextPreKeyId++;
        var preKey = KeyHelper.GeneratePreKeys(id, 1)[0];
        var signed = KeyHelper.GenerateSignedPreKey(Identity, id);
        var kyber = KeyHelper.GenerateKyberPreKey(Identity, id);
        if (withOneTimePreKey) await Store.StorePreKeyAsync(id, preKey);
        await Store.StoreSignedPreKeyAsync(id, signed);
        if (id % 2 == 1) await Store.StoreLastResortKyberPreKeyAsync(id, kyber);
        else await Store.StoreKyberPreKeyAsync(id, kyber);

        return new BundleData(
            await Store.GetLocalRegistrationIdAsync(), DeviceId,
            withOneTimePreKey ? id : null, withOneTimePreKey ? preKey.KeyPair.PublicKey.Serialize() : null,
            id, signed.KeyPair.PublicKey.Serialize(), signed.Signature,
            Identity.IdentityKey.Serialize(),
            id, kyber.KeyPair.PublicKey.Serialize(), kyber.Signature);
    }

    public Task ProcessBundleAsync(ISignalDevice peer, BundleData bundle) =>
        new SessionBuilder(Store, Store, AddressOf(peer)).ProcessPreKeyBundleAsync(ToParley(bundle));

    public async Task<bool> HasCurrentSessionAsync(ISignalDevice peer) =>
        (await Store.LoadSessionAsync(AddressOf(peer)))?.HasCurrentState ?? false;

    public async Task ArchiveSessionAsync(ISignalDevice peer)
    {
        var record = await Store.LoadSessionAsync(AddressOf(peer));
        if (record is null) return;
        record.ArchiveCurrentState();
        await Store.StoreSessionAsync(AddressOf(peer), record);
    }

    public async Task<WireMessage> EncryptAsync(ISignalDevice peer, byte[] plaintext)
    {
        var message = await new SessionCipher(Store, AddressOf(peer)).EncryptAsync(plaintext);
        return new WireMessage((int)message.Type, message.Serialize());
    }

    public Task<byte[]> DecryptAsync(ISignalDevice peer, WireMessage message) =>
        new SessionCipher(Store, AddressOf(peer)).DecryptAsync(CiphertextMessage.Deserialize((CiphertextMessageType)message.Type, message.Body));

    public static ProtocolAddress AddressOf(ISignalDevice device) => new(device.Name, device.DeviceId);

    public static PreKeyBundle ToParley(BundleData b) => new(
        b.RegistrationId, b.DeviceId,
        b.PreKeyId, b.PreKey is null ? null : ECPublicKey.Deserialize(b.PreKey),
        b.SignedPreKeyId, ECPublicKey.Deserialize(b.SignedPreKey), b.SignedPreKeySignature,
        b.KyberPreKeyId, KyberPublicKey.Deserialize(b.KyberPreKey), b.KyberPreKeySignature,
        IdentityKey.Deserialize(b.IdentityKey));
}
