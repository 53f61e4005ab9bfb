using Parley.Crypto;
using Parley.Crypto.Keys;
using Parley.Crypto.PreKeys;
using Parley.Client.Storage;

namespace Parley.Client.Messaging;

/// <summary>
/// The keys a device is born with (registration or linking): identity, registration id, signed
/// prekey and last-resort Kyber key, stored locally before any of them is uploaded.
/// </summary>
internal sealed record NewDeviceKeys(IdentityKeyPair Identity, uint RegistrationId, SignedPreKeyRecord SignedPreKey, KyberPreKeyRecord LastResort)
{
    public const uint SignedPreKeyId = 1;

    /// <summary>Forgets the store's previous account keys, then creates and stores fresh ones.</summary>
    public static async Task<NewDeviceKeys> CreateAsync(IClientStore store)
    {
        await store.ResetAccountAsync();
        var identity = KeyHelper.GenerateIdentityKeyPair();
        var registrationId = KeyHelper.GenerateRegistrationId();
        var signedPreKey = KeyHelper.GenerateSignedPreKey(identity, SignedPreKeyId);
        var lastResort = KeyHelper.GenerateKyberPreKey(identity, PreKeyUploader.LastResortKyberId);
        var keys = new ClientProtocolStore(store, identity, registrationId);
        await keys.StoreSignedPreKeyAsync(SignedPreKeyId, signedPreKey);
        await keys.StoreLastResortKyberPreKeyAsync(lastResort.Id, lastResort);
        return new NewDeviceKeys(identity, registrationId, signedPreKey, lastResort);
    }
}
