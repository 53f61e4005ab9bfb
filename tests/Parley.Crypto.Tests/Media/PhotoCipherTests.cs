using System.Security.Cryptography;
using Parley.Crypto;
using Parley.Crypto.Media;

namespace Parley.Crypto.Tests.Media;

/// <summary>Profile and group photos under their key: only a holder of the key reads them, and nothing altered gets through.</summary>
public sealed class PhotoCipherTests
{
    [Fact]
    public async Task Photo_round_trips_under_its_profile_key_with_the_documented_layout()
    {
        var photo = RandomNumberGenerator.GetBytes(20_001);
        var profileKey = PhotoCipher.NewKey();
        var blob = await PhotoCipher.EncryptAsync(photo, profileKey, PhotoKind.Profile);

        Assert.Equal(1 + 32 + MediaCipher.BlobLength(photo.Length), blob.Length);
        Assert.Equal(PhotoCipher.Version, blob[0]);
        Assert.True(PhotoCipher.IsWellFormed(blob));
        Assert.Equal(photo, await PhotoCipher.DecryptAsync(blob, profileKey, PhotoKind.Profile));

        // The photo key is HKDF(profile key, salt = nonce, "Parley Profile Photo"), then the image scheme.
        var photoKey = HKDF.DeriveKey(HashAlgorithmName.SHA256, profileKey, 32, salt: blob[1..33], info: "Parley Profile Photo"u8.ToArray());
        var media = blob[33..];
        Assert.Equal(photo, await MediaCipher.DecryptAsync(media, MediaType.Image, photoKey, SHA256.HashData(media), SHA256.HashData(photo)));
    }

    [Fact]
    public async Task Each_upload_gets_a_fresh_nonce_so_the_same_photo_never_gives_the_same_blob()
    {
        var photo = RandomNumberGenerator.GetBytes(1000);
        var profileKey = PhotoCipher.NewKey();
        Assert.NotEqual(await PhotoCipher.EncryptAsync(photo, profileKey, PhotoKind.Profile), await PhotoCipher.EncryptAsync(photo, profileKey, PhotoKind.Profile));
    }

    [Fact]
    public async Task Another_key_an_altered_byte_or_a_plain_image_is_refused()
    {
        var photo = RandomNumberGenerator.GetBytes(3000);
        var profileKey = PhotoCipher.NewKey();
        var blob = await PhotoCipher.EncryptAsync(photo, profileKey, PhotoKind.Profile);

        var wrongKey = await Assert.ThrowsAsync<SignalProtocolException>(() => PhotoCipher.DecryptAsync(blob, PhotoCipher.NewKey(), PhotoKind.Profile));
        Assert.Equal(SignalError.InvalidMac, wrongKey.Error);
        // The same key as a group photo key derives other keys (its own info string).
        var wrongKind = await Assert.ThrowsAsync<SignalProtocolException>(() => PhotoCipher.DecryptAsync(blob, profileKey, PhotoKind.Group));
        Assert.Equal(SignalError.InvalidMac, wrongKind.Error);
        var groupBlob = await PhotoCipher.EncryptAsync(photo, profileKey, PhotoKind.Group);
        Assert.Equal(photo, await PhotoCipher.DecryptAsync(groupBlob, profileKey, PhotoKind.Group));

        foreach (var index in new[] { 5, 40, blob.Length - 1 })
        {
            var altered = blob.ToArray();
            altered[index] ^= 0x20;
            await Assert.ThrowsAsync<SignalProtocolException>(() => PhotoCipher.DecryptAsync(altered, profileKey, PhotoKind.Profile));
        }

        byte[] jpeg = [0xFF, 0xD8, 0xFF, 0xE0, .. RandomNumberGenerator.GetBytes(1000)];
        Assert.False(PhotoCipher.IsWellFormed(jpeg));
        var plain = await Assert.ThrowsAsync<SignalProtocolException>(() => PhotoCipher.DecryptAsync(jpeg, profileKey, PhotoKind.Profile));
        Assert.Equal(SignalError.InvalidMessage, plain.Error);
        Assert.False(PhotoCipher.IsWellFormed(blob[..^1]));
        Assert.False(PhotoCipher.IsWellFormed([]));
    }
}
