using System.Security.Cryptography;
using Google.Protobuf;
using Parley.Client.Storage;
using Parley.Crypto.Media;
using Parley.Protocol.Encrypted;

namespace Parley.Client.Messaging;

/// <summary>
/// Group photos, end to end encrypted: whoever sets one encrypts it under a fresh random key
/// (<see cref="PhotoCipher"/>, group kind), the server keeps the blob for the members, and the key
/// reaches the members inside the group's encrypted messages: at once as a photo-change message,
/// and later with our sender key to members who join afterwards.
/// </summary>
public sealed partial class ParleyClient
{
    /// <summary>A member's device sent us the key of the group's photo (it may now show).</summary>
    public event Action<string>? GroupPhotoChanged;

    /// <summary>Sets the group photo (JPEG, PNG or WebP): encrypted here, uploaded, and its key sent to the members.</summary>
    /// <exception cref="ArgumentException">Not a JPEG, PNG or WebP image.</exception>
    /// <exception cref="NotAGroupMemberException">We left or were removed.</exception>
    public async Task<LocalGroup> SetGroupPhotoAsync(string groupId, byte[] image, CancellationToken cancellationToken = default)
    {
        RequireImage(image, PhotoKind.Group);
        var key = PhotoCipher.NewKey();
        var blob = await PhotoCipher.EncryptAsync(image, key, PhotoKind.Group, cancellationToken);
        var group = await ApplyGroupResponseAsync(await GroupCallAsync(groupId, () => _api.SetGroupPhotoAsync(Account.Credentials, groupId, blob, cancellationToken)));
        var photo = new GroupPhoto { MediaId = group.Picture, Key = ByteString.CopyFrom(key) };
        await RememberGroupPhotoAsync(groupId, photo);
        await _groupSending.WaitAsync(cancellationToken);
        try
        {
            var data = new DataMessage
            {
                Timestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), Group = new GroupContext { GroupId = groupId }, GroupPhoto = photo,
            };
            await EncryptAndSendToGroupAsync(await SendableGroupAsync(groupId, cancellationToken), data, NewMessageId(), null, cancellationToken);
        }
        finally
        {
            _groupSending.Release();
        }
        return await _store.LoadGroupAsync(groupId) ?? group;
    }

    public async Task<LocalGroup> RemoveGroupPhotoAsync(string groupId, CancellationToken cancellationToken = default) =>
        await ApplyGroupResponseAsync(await GroupCallAsync(groupId, () => _api.RemoveGroupPhotoAsync(Account.Credentials, groupId, cancellationToken)));

    /// <summary>
    /// After we added members: hands them our sender key now rather than with our next message, so
    /// the group photo's key (which rides along) reaches them at once.
    /// </summary>
    private async Task ShareGroupPhotoWithNewMembersAsync(LocalGroup group, CancellationToken cancellationToken)
    {
        if (CurrentGroupPhoto(group) is null)
        {
            return;
        }
        await _groupSending.WaitAsync(cancellationToken);
        try
        {
            await DistributeSenderKeyAsync(await SendableGroupAsync(group.GroupId, cancellationToken), cancellationToken);
        }
        finally
        {
            _groupSending.Release();
        }
    }

    /// <summary>The group's photo, decrypted; null when it has none or no member has sent us its key yet.</summary>
    public async Task<byte[]?> GetGroupPhotoAsync(string groupId, CancellationToken cancellationToken = default)
    {
        return await _store.LoadGroupAsync(groupId) is { Picture.Length: > 0, Photo: { } photo } group && photo.MediaId == group.Picture
            && await _api.GetGroupPhotoAsync(Account.Credentials, groupId, cancellationToken) is { } blob
            ? await DecryptPhotoOrNullAsync(blob, photo.Key, PhotoKind.Group, cancellationToken)
            : null;
    }

    /// <summary>What our sender key carries to members: the current photo's key, if we have it.</summary>
    private static GroupPhoto? CurrentGroupPhoto(LocalGroup group) =>
        group.Photo is { } photo && photo.MediaId == group.Picture && group.Picture.Length > 0
            ? new GroupPhoto { MediaId = photo.MediaId, Key = ByteString.CopyFrom(photo.Key) }
            : null;

    /// <summary>Keeps a photo key a member sent (inside the decrypting transaction); ignored for a group we do not know.</summary>
    private async Task RememberGroupPhotoAsync(string groupId, GroupPhoto? photo)
    {
        if (photo is null || photo.Key.Length != PhotoCipher.KeyLength || photo.MediaId.Length == 0
            || await _store.LoadGroupAsync(groupId) is not { } group
            || (group.Photo is { } known && known.MediaId == photo.MediaId && CryptographicOperations.FixedTimeEquals(known.Key, photo.Key.Span)))
        {
            return;
        }
        await _store.SaveGroupAsync(group with { Photo = new GroupPhotoKey(photo.MediaId, photo.Key.ToByteArray()) });
        GroupPhotoChanged?.Invoke(groupId);
    }
}
