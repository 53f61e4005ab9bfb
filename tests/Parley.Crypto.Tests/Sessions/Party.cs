using Parley.Crypto.Keys;
using Parley.Crypto.Messages;
using Parley.Crypto.PreKeys;
using Parley.Crypto.Sessions;
using Parley.Crypto.Stores;

namespace Parley.Crypto.Tests.Sessions;

/// <summary>A device with in-memory stores, a stock of prekeys, and intent methods for tests.</summary>
internal sealed class Party
{
    private uint _nextPreKeyId = 1;

    public Party(string name, uint deviceId = 1)
    {
        Address = new ProtocolAddress(name, deviceId);
        Identity = KeyHelper.GenerateIdentityKeyPair();
        RegistrationId = KeyHelper.GenerateRegistrationId();
        Store = new InMemorySignalProtocolStore(Identity, RegistrationId);
        SignedPreKey = KeyHelper.GenerateSignedPreKey(Identity, 7);
        KyberPreKey = KeyHelper.GenerateKyberPreKey(Identity, 9);
        Store.StoreSignedPreKeyAsync(SignedPreKey.Id, SignedPreKey).GetAwaiter().GetResult();
        Store.StoreKyberPreKeyAsync(KyberPreKey.Id, KyberPreKey).GetAwaiter().GetResult();
    }

    public ProtocolAddress Address { get; }

    public IdentityKeyPair Identity { get; }

    public uint RegistrationId { get; }

    public InMemorySignalProtocolStore Store { get; }

    public SignedPreKeyRecord SignedPreKey { get; }

    public KyberPreKeyRecord KyberPreKey { get; }

    /// <summary>A bundle with a fresh one-time prekey (stored), as the server would hand out.</summary>
    public PreKeyBundle Bundle(bool withOneTimePreKey = true)
    {
        PreKeyRecord? oneTime = null;
        if (withOneTimePreKey)
        {
            oneTime = KeyHelper.GeneratePreKeys(_nextPreKeyId++, 1)[0];
            Store.StorePreKeyAsync(oneTime.Id, oneTime).GetAwaiter().GetResult();
        }

        return new PreKeyBundle(
            RegistrationId,
            Address.DeviceId,
            oneTime?.Id,
            oneTime?.KeyPair.PublicKey,
            SignedPreKey.Id,
            SignedPreKey.KeyPair.PublicKey,
            SignedPreKey.Signature,
            KyberPreKey.Id,
            KyberPreKey.KeyPair.PublicKey,
            KyberPreKey.Signature,
            Identity.IdentityKey);
    }

    public Task StartSessionWith(Party other, bool withOneTimePreKey = true) =>
        new SessionBuilder(Store, Store, other.Address).ProcessPreKeyBundleAsync(other.Bundle(withOneTimePreKey));

    public Task<CiphertextMessage> Encrypt(Party to, string text) =>
        new SessionCipher(Store, to.Address).EncryptAsync(System.Text.Encoding.UTF8.GetBytes(text));

    /// <summary>Decrypts what <paramref name="from"/> sent, going through the wire bytes as a real client would.</summary>
    public async Task<string> Decrypt(Party from, CiphertextMessage message)
    {
        var parsed = CiphertextMessage.Deserialize(message.Type, message.Serialize());
        var plaintext = await new SessionCipher(Store, from.Address).DecryptAsync(parsed);
        return System.Text.Encoding.UTF8.GetString(plaintext);
    }

    public async Task<byte[]?> SessionBytes(Party with) => (await Store.LoadSessionAsync(with.Address))?.Serialize();
}
