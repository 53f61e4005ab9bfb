using Parley.Crypto.Primitives;

namespace Parley.Crypto.Media;

/// <summary>
/// The keys one media key expands to: HKDF-SHA256(media key, no salt, "Parley &lt;Kind&gt; Keys")
/// gives 112 bytes = IV (16) ‖ AES-256-CBC key (32) ‖ HMAC-SHA256 key (32) ‖ 32 unused bytes (kept
/// so the layout matches WhatsApp's, where they once keyed reference hashes).
/// </summary>
public sealed class MediaKeys
{
    public const int MediaKeyLength = 32;
    private const int ExpandedLength = 112;

    private MediaKeys(byte[] iv, byte[] cipherKey, byte[] macKey)
    {
        Iv = iv;
        CipherKey = cipherKey;
        MacKey = macKey;
    }

    public byte[] Iv { get; }

    public byte[] CipherKey { get; }

    public byte[] MacKey { get; }

    /// <exception cref="SignalProtocolException">The media key is not 32 bytes (<see cref="SignalError.InvalidKey"/>).</exception>
    public static MediaKeys Derive(ReadOnlySpan<byte> mediaKey, MediaType type)
    {
        if (mediaKey.Length != MediaKeyLength)
        {
            throw new SignalProtocolException(SignalError.InvalidKey, $"a media key has {MediaKeyLength} bytes, not {mediaKey.Length}");
        }
        var expanded = Hkdf.DeriveSecrets(mediaKey, [], InfoFor(type), ExpandedLength);
        return new MediaKeys(expanded[..16], expanded[16..48], expanded[48..80]);
    }

    public static byte[] InfoFor(MediaType type) => type switch
    {
        MediaType.Image => "Parley Image Keys"u8.ToArray(),
        MediaType.Video => "Parley Video Keys"u8.ToArray(),
        MediaType.Audio => "Parley Audio Keys"u8.ToArray(),
        MediaType.Document => "Parley Document Keys"u8.ToArray(),
        _ => throw new SignalProtocolException(SignalError.InvalidArgument, $"unknown media type {type}"),
    };
}
