using Parley.Crypto;
using Parley.Crypto.Media;

namespace Parley.Client.Messaging;

/// <summary>What profile and group photos share: the image check before encrypting, and decrypting what the server hands back.</summary>
public sealed partial class ParleyClient
{
    /// <summary>The server sees only ciphertext, so the image format is checked here, before encrypting.</summary>
    /// <exception cref="ArgumentException">Not a JPEG, PNG or WebP image (<c>ParamName</c> "image").</exception>
    private static void RequireImage(byte[] image, PhotoKind kind)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (Media.ImageFormats.Detect(image) is null)
        {
            throw new ArgumentException($"A {(kind == PhotoKind.Group ? "group" : "profile")} photo must be a JPEG, PNG or WebP image.", nameof(image));
        }
    }

    /// <summary>The photo, or null when the blob does not decrypt under this key (altered, or replaced under another key).</summary>
    private static async Task<byte[]?> DecryptPhotoOrNullAsync(byte[] blob, byte[] key, PhotoKind kind, CancellationToken cancellationToken)
    {
        try
        {
            return await PhotoCipher.DecryptAsync(blob, key, kind, cancellationToken);
        }
        catch (SignalProtocolException)
        {
            return null;
        }
    }
}
