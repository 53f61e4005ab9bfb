using System.Security.Cryptography;
using Parley.Crypto.Primitives;

namespace Parley.Crypto.Media;

/// <summary>
/// End-to-end encrypted profile and group photos, as Signal encrypts avatars. A profile photo is under
/// the account's profile key, which the account hands to the people it writes to inside their
/// encrypted messages; a group photo is under a random key its setter sends to the members the same
/// way. Each photo gets a fresh random nonce; the photo key is HKDF-SHA256(key, salt = nonce, info),
/// info "Parley Profile Photo" or "Parley Group Photo", and the photo is encrypted with the media
/// scheme under it (image keys). blob = 0x01 ‖ nonce (32) ‖ AES-256-CBC(photo) ‖ MAC (10).
/// The server stores and serves the blob to those allowed to see it but cannot read it; nor can
/// anyone without the key.
/// </summary>
public static class PhotoCipher
{
    public const byte Version = 1;
    public const int KeyLength = 32;
    public const int NonceLength = 32;
    private const int HeaderLength = 1 + NonceLength;
    private static readonly byte[] ProfileInfo = "Parley Profile Photo"u8.ToArray();
    private static readonly byte[] GroupInfo = "Parley Group Photo"u8.ToArray();

    /// <summary>A fresh random profile key or group photo key.</summary>
    public static byte[] NewKey() => RandomNumberGenerator.GetBytes(KeyLength);

    /// <summary>
    /// Whether <paramref name="blob"/> has the shape of an encrypted photo (version, nonce, whole AES
    /// blocks and a MAC): what the server can check without the key, so a plain image is refused.
    /// </summary>
    public static bool IsWellFormed(ReadOnlySpan<byte> blob)
    {
        var ciphertext = blob.Length - HeaderLength - MediaCipher.MacLength;
        return blob.Length > 0 && blob[0] == Version && ciphertext >= 16 && ciphertext % 16 == 0;
    }

    public static async Task<byte[]> EncryptAsync(byte[] photo, byte[] key, PhotoKind kind, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(photo);
        var nonce = RandomNumberGenerator.GetBytes(NonceLength);
        using var output = new MemoryStream(HeaderLength + (int)MediaCipher.BlobLength(photo.Length));
        output.WriteByte(Version);
        output.Write(nonce);
        using var input = new MemoryStream(photo, writable: false);
        await MediaCipher.EncryptAsync(input, output, MediaType.Image, PhotoKey(key, nonce, kind), cancellationToken);
        return output.ToArray();
    }

    /// <exception cref="SignalProtocolException">
    /// Not an encrypted photo (<see cref="SignalError.InvalidMessage"/>), or not made with this
    /// key and kind, or altered (<see cref="SignalError.InvalidMac"/>).
    /// </exception>
    public static async Task<byte[]> DecryptAsync(byte[] blob, byte[] key, PhotoKind kind, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(blob);
        if (!IsWellFormed(blob))
        {
            throw new SignalProtocolException(SignalError.InvalidMessage, "not an encrypted profile photo (wrong version or length)");
        }
        var media = blob[HeaderLength..];
        return await MediaCipher.DecryptAsync(media, MediaType.Image, PhotoKey(key, blob.AsSpan(1, NonceLength), kind), SHA256.HashData(media),
            fileSha256: null, cancellationToken);
    }

    private static byte[] PhotoKey(ReadOnlySpan<byte> key, ReadOnlySpan<byte> nonce, PhotoKind kind)
    {
        if (key.Length != KeyLength)
        {
            throw new SignalProtocolException(SignalError.InvalidKey, $"a photo key has {KeyLength} bytes, not {key.Length}");
        }
        return Hkdf.DeriveSecrets(key, nonce, kind == PhotoKind.Group ? GroupInfo : ProfileInfo, MediaKeys.MediaKeyLength);
    }
}

/// <summary>Whose photo: each kind derives its keys with its own info string.</summary>
public enum PhotoKind
{
    Profile = 1,
    Group = 2,
}
