using System.Security.Cryptography;
using Parley.Crypto;
using Parley.Crypto.Media;

namespace Parley.Crypto.Tests.Media;

/// <summary>The media scheme itself: layout, key separation per kind, and refusal of any altered byte.</summary>
public sealed class MediaCipherTests
{
    [Fact]
    public async Task Blob_is_cbc_ciphertext_plus_a_ten_byte_mac_and_decrypts_to_the_file()
    {
        var file = RandomNumberGenerator.GetBytes(100_003);
        var (blob, media) = await MediaCipher.EncryptAsync(file, MediaType.Video);
        Assert.Equal(MediaCipher.BlobLength(file.Length), blob.Length);
        Assert.Equal((100_003 / 16 + 1) * 16 + 10, blob.Length);
        Assert.Equal(SHA256.HashData(file), media.FileSha256);
        Assert.Equal(SHA256.HashData(blob), media.BlobSha256);
        Assert.Equal(file, await MediaCipher.DecryptAsync(blob, MediaType.Video, media.MediaKey, media.BlobSha256, media.FileSha256));

        // The layout is WhatsApp's: HKDF(key, "Parley Video Keys") = iv | aes | hmac, MAC = HMAC(iv | ciphertext)[..10].
        var keys = MediaKeys.Derive(media.MediaKey, MediaType.Video);
        var mac = HMACSHA256.HashData(keys.MacKey, (byte[])[.. keys.Iv, .. blob[..^10]]);
        Assert.Equal(mac[..10], blob[^10..]);
        using var aes = Aes.Create();
        aes.Key = keys.CipherKey;
        Assert.Equal(file, aes.DecryptCbc(blob[..^10], keys.Iv));
    }

    [Fact]
    public async Task Any_altered_byte_or_the_wrong_kind_is_refused()
    {
        var file = RandomNumberGenerator.GetBytes(5000);
        var (blob, media) = await MediaCipher.EncryptAsync(file, MediaType.Image);

        var flipped = blob.ToArray();
        flipped[1234] ^= 1;
        var digest = await Assert.ThrowsAsync<SignalProtocolException>(() =>
            MediaCipher.DecryptAsync(flipped, MediaType.Image, media.MediaKey, media.BlobSha256, media.FileSha256));
        Assert.Contains("SHA-256", digest.Message, StringComparison.Ordinal);

        // A server that also rewrites the digest still cannot forge the MAC.
        var mac = await Assert.ThrowsAsync<SignalProtocolException>(() =>
            MediaCipher.DecryptAsync(flipped, MediaType.Image, media.MediaKey, SHA256.HashData(flipped), media.FileSha256));
        Assert.Equal(SignalError.InvalidMac, mac.Error);

        // Kind separation: the same key as a document derives other keys.
        var kind = await Assert.ThrowsAsync<SignalProtocolException>(() =>
            MediaCipher.DecryptAsync(blob, MediaType.Document, media.MediaKey, media.BlobSha256, media.FileSha256));
        Assert.Equal(SignalError.InvalidMac, kind.Error);

        var truncated = await Assert.ThrowsAsync<SignalProtocolException>(() =>
            MediaCipher.DecryptAsync(blob[..^1], MediaType.Image, media.MediaKey, media.BlobSha256, media.FileSha256));
        Assert.Equal(SignalError.InvalidMessage, truncated.Error);
    }
}
