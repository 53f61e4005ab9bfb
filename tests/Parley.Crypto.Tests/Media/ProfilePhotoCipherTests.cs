using System.Security.Cryptography;
using Parley.Crypto;
using Parley.Crypto.Media;

namespace Parley.Crypto.Tests.Media;

/// <summary>Profile photos under the profile key: only a holder of the key reads them, and nothing altered gets through.</summary>
public sealed class ProfilePhotoCipherTests
{
    [Fact]
    public async Task Photo_round_trips_under_its_profile_key_with_the_documented_layout()
    {
        var photo = RandomNumberGenerator.GetBytes(20_001);
        var profileKey = ProfilePhotoCipher.NewProfileKey();
        var blob = await ProfilePhotoCipher.EncryptAsync(photo, profileKey);

        Assert.Equal(1 + 32 + MediaCipher.BlobLength(photo.Length), blob.Length);
        Assert.Equal(ProfilePhotoCipher.Version, blob[0]);
        Assert.True(ProfilePhotoCipher.IsWellFormed(blob));
        Assert.Equal(photo, await ProfilePhotoCipher.DecryptAsync(blob, profileKey));

        // The photo key is HKDF(profile key, salt = nonce, "Parley Profile Photo"), then the image scheme.
        var photoKey = HKDF.DeriveKey(HashAlgorithmName.SHA256, profileKey, 32, salt: blob[1..33], info: "Parley Profile Photo"u8.ToArray());
        var media = blob[33..];
        Assert.Equal(photo, await MediaCipher.DecryptAsync(media, MediaType.Image, photoKey, SHA256.HashData(media), SHA256.HashData(photo)));
    }

    [Fact]
    public async Task Each_upload_gets_a_fresh_nonce_so_the_same_photo_never_gives_the_same_blob()
    {
        var photo = RandomNumberGenerator.GetBytes(1000);
        var profileKey = ProfilePhotoCipher.NewProfileKey();
        Assert.NotEqual(await ProfilePhotoCipher.EncryptAsync(photo, profileKey), await ProfilePhotoCipher.EncryptAsync(photo, profileKey));
    }

    [Fact]
    public async Task Another_key_an_altered_byte_or_a_plain_image_is_refused()
    {
        var photo = RandomNumberGenerator.GetBytes(3000);
        var profileKey = ProfilePhotoCipher.NewProfileKey();
        var blob = await ProfilePhotoCipher.EncryptAsync(photo, profileKey);

        var wrongKey = await Assert.ThrowsAsync<SignalProtocolException>(() => ProfilePhotoCipher.DecryptAsync(blob, ProfilePhotoCipher.NewProfileKey()));
        Assert.Equal(SignalError.InvalidMac, wrongKey.Error);

        foreach (var index in new[] { 5, 40, blob.Length - 1 })
        {
            var altered = blob.ToArray();
            altered[index] ^= 0x20;
            await Assert.ThrowsAsync<SignalProtocolException>(() => ProfilePhotoCipher.DecryptAsync(altered, profileKey));
        }

        byte[] jpeg = [0xFF, 0xD8, 0xFF, 0xE0, .. RandomNumberGenerator.GetBytes(1000)];
        Assert.False(ProfilePhotoCipher.IsWellFormed(jpeg));
        var plain = await Assert.ThrowsAsync<SignalProtocolException>(() => ProfilePhotoCipher.DecryptAsync(jpeg, profileKey));
        Assert.Equal(SignalError.InvalidMessage, plain.Error);
        Assert.False(ProfilePhotoCipher.IsWellFormed(blob[..^1]));
        Assert.False(ProfilePhotoCipher.IsWellFormed([]));
    }
}
