using Parley.Client.Messaging;
using Parley.Crypto.Media;

namespace Parley.Web.Components.Replies;

/// <summary>The words of a quoted block: who wrote the original and what it said, or what kind of file it was.</summary>
public static class QuoteLabels
{
    /// <summary>"You" for our own messages, else the number (a quote from an unknown author may carry none).</summary>
    public static string Author(MessageQuote quote, string? ownAccountId) =>
        quote.AuthorAccountId == ownAccountId ? "You" : quote.AuthorNumber.Length > 0 ? quote.AuthorNumber : "Unknown";

    public static string Excerpt(MessageQuote quote) => Excerpt(quote.Text, quote.AttachmentKind, quote.VoiceNote);

    /// <summary>The text, or "Photo", "Voice message"… for a file (with its caption after it, as WhatsApp does).</summary>
    public static string Excerpt(string text, MediaType? kind, bool voiceNote)
    {
        var label = kind switch
        {
            MediaType.Image => "Photo",
            MediaType.Video => "Video",
            MediaType.Audio => voiceNote ? "Voice message" : "Audio",
            MediaType.Document => "Document",
            _ => null,
        };
        return label is null ? text : text.Length == 0 ? label : $"{label}: {text}";
    }
}
