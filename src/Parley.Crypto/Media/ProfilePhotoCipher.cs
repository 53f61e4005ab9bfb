using System.Security.Cryptography;
using Parley.Crypto.Primitives;

namespace Parley.Crypto.Media;

/// <summary>
/// End-to-end encrypted profile photos, as Signal encrypts avatars with the profile key: the account
/// keeps one random 32-byte profile key and hands it to the people it writes to, inside their
/// encrypted messages. Each photo gets a fresh random nonce; the photo key is
/// HKDF-SHA256(profile key, salt = nonce, "Parley Profile Photo"), and the photo is encrypted with the
/// media scheme under it (image keys). blob = 0x01 ‖ nonce (32) ‖ AES-256-CBC(photo) ‖ MAC (10).
/// The server stores and serves the blob behind the privacy settings but cannot read it; a reader
/// without the key (someone this account never wrote to) cannot either.
/// </summary>
public static class ProfilePhotoCipher
{
    public const byte Version = 1;
    public const int ProfileKeyLength = 32;
    public const int NonceLength = 32;
    private const int HeaderLength = 1 + NonceLength;
    private static readonly byte[] Info = "Parley Profile Photo"u8.ToArray();

    /// <summary>A fresh random profile key.</summary>
    public static byte[] NewProfileKey() => RandomNumberGenerator.GetBytes(ProfileKeyLength);

    /// <summary>
    /// Whether <paramref name="blob"/> has the shape of an encrypted photo (version, nonce, whole AES
    /// blocks and a MAC): what the server can check without the key, so a plain image is refused.
    /// </summary>
    public static bool IsWellFormed(ReadOnlySpan<byte> blob)
    {
        var ciphertext = blob.Length - HeaderLength - MediaCipher.MacLength;
        return blob.Length > 0 && blob[0] == Version && ciphertext >= 16 && ciphertext % 16 == 0;
    }

    public static async Task<byte[]> EncryptAsync(byte[] photo, byte[] profileKey, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(photo);
        var nonce = RandomNumberGenerator.GetBytes(NonceLength);
        using var output = new MemoryStream(HeaderLength + (int)MediaCipher.BlobLength(photo.Length));
        output.WriteByte(Version);
        output.Write(nonce);
        using var input = new MemoryStream(photo, writable: false);
        await MediaCipher.EncryptAsync(input, output, MediaType.Image, PhotoKey(profileKey, nonce), cancellationToken);
        return output.ToArray();
    }

    /// <exception cref="SignalProtocolException">
    /// Not an encrypted photo (<see cref="SignalError.InvalidMessage"/>), or not made with this
    /// profile key or altered (<see cref="SignalError.InvalidMac"/>).
    /// </exception>
    public static async Task<byte[]> DecryptAsync(byte[] blob, byte[] profileKey, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(blob);
        if (!IsWellFormed(blob))
        {
            throw new SignalProtocolException(SignalError.InvalidMessage, "not an encrypted profile photo (wrong version or length)");
        }
        var media = blob[HeaderLength..];
        return await MediaCipher.DecryptAsync(media, MediaType.Image, PhotoKey(profileKey, blob.AsSpan(1, NonceLength)), SHA256.HashData(media),
            fileSha256: null, cancellationToken);
    }

    private static byte[] PhotoKey(ReadOnlySpan<byte> profileKey, ReadOnlySpan<byte> nonce)
    {
        if (profileKey.Length != ProfileKeyLength)
        {
            throw new SignalProtocolException(SignalError.InvalidKey, $"a profile key has {ProfileKeyLength} bytes, not {profileKey.Length}");
        }
        return Hkdf.DeriveSecrets(profileKey, nonce, Info, MediaKeys.MediaKeyLength);
    }
}
