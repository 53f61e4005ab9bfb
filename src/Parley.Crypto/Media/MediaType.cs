namespace Parley.Crypto.Media;

/// <summary>
/// The kind of a media file. Each kind derives its keys with its own HKDF info string, so a key
/// meant for an image never decrypts a blob presented as a document (WhatsApp's scheme).
/// </summary>
public enum MediaType
{
    Image = 1,
    Video = 2,
    Audio = 3,
    Document = 4,
}
