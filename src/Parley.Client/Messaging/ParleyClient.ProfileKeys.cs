using System.Security.Cryptography;
using Google.Protobuf;
using Parley.Client.Storage;
using Parley.Crypto.Media;
using Parley.Protocol.Encrypted;
using Parley.Protocol.Wire;

namespace Parley.Client.Messaging;

/// <summary>
/// Profile keys, as in Signal: the account's profile photo is encrypted under its profile key
/// (<see cref="PhotoCipher"/>), and the key rides inside everything this device sends, so
/// exactly the people the account writes to can see the photo (and then only if the privacy settings
/// let the server hand them the blob). The server never sees a key.
/// </summary>
public sealed partial class ParleyClient
{
    private byte[]? _profileKey;
    private ByteString? _profileKeyOnWire;

    /// <summary>This account's profile key, or null on a linked device that has not learned it yet.</summary>
    private byte[]? ProfileKey => _profileKey ??= Account.ProfileKey;

    /// <summary>Stamps outgoing content with our profile key (once known), converted once rather than per message.</summary>
    private Content WithProfileKey(Content content)
    {
        if (ProfileKey is { } key)
        {
            content.ProfileKey = _profileKeyOnWire ??= ByteString.CopyFrom(key);
        }
        return content;
    }

    /// <summary>Our profile key, made now if this account has none yet (accounts registered before profile keys).</summary>
    private async Task<byte[]> EnsureProfileKeyAsync()
    {
        if (ProfileKey is { } known)
        {
            return known;
        }
        var key = PhotoCipher.NewKey();
        await AdoptOwnProfileKeyAsync(key);
        return key;
    }

    private async Task AdoptOwnProfileKeyAsync(byte[] key)
    {
        if (ProfileKey is { } current && CryptographicOperations.FixedTimeEquals(current, key))
        {
            return;
        }
        // Reload: the stored account's prekey counters may have moved on since this client opened.
        if (await _store.LoadAccountAsync() is { } stored)
        {
            await _store.SaveAccountAsync(stored with { ProfileKey = key });
        }
        _profileKey = key;
        _profileKeyOnWire = null;
    }

    /// <summary>
    /// Remembers the profile key a decrypted message carried (inside the decrypting transaction).
    /// From a contact: their photo becomes readable. From our own primary: the key of this account,
    /// which a linked device adopts.
    /// </summary>
    private async Task LearnProfileKeyAsync(Envelope envelope, Content content)
    {
        if (content.ProfileKey.Length != PhotoCipher.KeyLength)
        {
            return; // none (an older client) or malformed: keep what we know
        }
        var key = content.ProfileKey.ToByteArray();
        if (envelope.SourceAccount == AccountId)
        {
            if (ProfileKey is null || envelope.SourceDevice == PrimaryDeviceId)
            {
                await AdoptOwnProfileKeyAsync(key);
            }
            return;
        }
        await LearnContactProfileKeyAsync(envelope.SourceAccount, key);
    }

    private async Task LearnContactProfileKeyAsync(string accountId, byte[] key)
    {
        if (await _store.FindContactByAccountAsync(accountId) is { } contact
            && (contact.ProfileKey is null || !CryptographicOperations.FixedTimeEquals(contact.ProfileKey, key)))
        {
            await _store.SaveContactAsync(contact with { ProfileKey = key });
        }
    }

    /// <summary>The profile key of the account behind a number (ours for our own number), or null when we have none.</summary>
    private async Task<(string AccountId, byte[]? ProfileKey)> ProfileKeyOfAsync(string number, CancellationToken cancellationToken)
    {
        if (number == Number)
        {
            return (AccountId, ProfileKey);
        }
        var contact = await ResolveAsync(number, cancellationToken);
        return (contact.AccountId, contact.ProfileKey);
    }
}
