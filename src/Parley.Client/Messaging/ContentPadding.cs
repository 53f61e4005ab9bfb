using Google.Protobuf;
using Parley.Protocol.Encrypted;

namespace Parley.Client.Messaging;

/// <summary>
/// Signal's transport padding: the serialized <see cref="Content"/>, one 0x80 byte, then zeros up
/// to a multiple of <see cref="BlockSize"/>. Ciphertext length then reveals only the length bucket.
/// </summary>
public static class ContentPadding
{
    /// <summary>Bucket size: "hi" and a 150-character text encrypt to the same length.</summary>
    public const int BlockSize = 160;

    public static byte[] Pad(Content content)
    {
        ArgumentNullException.ThrowIfNull(content);
        var size = content.CalculateSize();
        var padded = new byte[((size / BlockSize) + 1) * BlockSize];
        content.WriteTo(padded.AsSpan(0, size));
        padded[size] = 0x80;
        return padded;
    }

    /// <summary>Strips the padding and parses; throws <see cref="InvalidDataException"/> when either is malformed.</summary>
    public static Content Unpad(ReadOnlySpan<byte> padded)
    {
        var end = padded.LastIndexOfAnyExcept((byte)0);
        if (end < 0 || padded[end] != 0x80)
        {
            throw new InvalidDataException("The decrypted content has no 0x80 padding marker.");
        }
        try
        {
            return Content.Parser.ParseFrom(padded[..end]);
        }
        catch (InvalidProtocolBufferException error)
        {
            throw new InvalidDataException("The decrypted content is not a Content message.", error);
        }
    }
}
