using System.Text;

namespace Parley.Client.Media;

/// <summary>
/// Prepares a file without native libraries: kind and MIME type from its extension, size, and a
/// PDF's page count (cheap: its page objects are counted). Photos are sent as they are.
/// </summary>
public sealed class BasicMediaPreparer : IMediaPreparer
{
    /// <summary>Larger PDFs are not scanned for pages: "where cheap" ends here.</summary>
    private const long MaxPdfScanBytes = 32 * 1024 * 1024;

    public async Task<OutgoingMedia> PrepareAsync(string path, bool voiceNote = false, CancellationToken cancellationToken = default)
    {
        var (kind, mime) = MediaTypes.Of(path);
        var pages = mime == "application/pdf" && new FileInfo(path).Length <= MaxPdfScanBytes
            ? CountPdfPages(await File.ReadAllBytesAsync(path, cancellationToken))
            : 0;
        // Streamed, not read into memory: a document may be 2 GB. The caller disposes Content.
        return new OutgoingMedia(kind, File.OpenRead(path), mime, Path.GetFileName(path))
        {
            VoiceNote = voiceNote && kind == Crypto.Media.MediaType.Audio,
            PageCount = pages,
        };
    }

    /// <summary>"/Type /Page" objects (not "/Pages"); 0 when the PDF keeps them in compressed object streams.</summary>
    public static int CountPdfPages(byte[] pdf)
    {
        var text = Encoding.Latin1.GetString(pdf);
        return System.Text.RegularExpressions.Regex.Matches(text, @"/Type\s*/Page(?![a-zA-Z])").Count;
    }
}
