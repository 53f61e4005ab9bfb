using System.Text.RegularExpressions;
using Google.Protobuf;
using Parley.Client.Media;
using Parley.Crypto.Media;
using Parley.Protocol.Encrypted;

namespace Parley.Client.Messaging;

/// <summary>
/// The message a reply answers, as the reply carries it: enough to show the quoted block (author and
/// excerpt) even where the original is not in the local history. It comes from the peer, so a
/// receiver keeps only what <see cref="FromProto"/> lets through.
/// </summary>
/// <param name="MessageId">The original's id in the chat's history.</param>
/// <param name="AuthorAccountId">Who wrote the original (this account's own id when quoting ourselves).</param>
/// <param name="AuthorNumber">Their number: the receiver's own contact entry when it has one, else what the replier claimed (or empty).</param>
/// <param name="Text">Excerpt of the original's text or caption, at most <see cref="MaxTextLength"/> characters.</param>
/// <param name="AttachmentKind">The original's media kind, when it carried a file.</param>
public sealed partial record MessageQuote(byte[] MessageId, string AuthorAccountId, string AuthorNumber, string Text, MediaType? AttachmentKind)
{
    /// <summary>
    /// Longest excerpt a quote carries. Enough for two lines of a bubble; a longer one would repeat
    /// the original in every reply, and a peer could otherwise pad replies with megabytes of "quote".
    /// </summary>
    public const int MaxTextLength = 200;

    /// <summary>Ids are the sender's 16 random bytes; anything much longer is not an id.</summary>
    private const int MaxMessageIdLength = 32;

    /// <summary>The original was recorded as a voice message (an <see cref="MediaType.Audio"/> kind).</summary>
    public bool VoiceNote { get; init; }

    /// <summary>A quote of a message in history: the text trimmed and cut to <see cref="MaxTextLength"/>.</summary>
    public static MessageQuote Of(byte[] messageId, string authorAccountId, string authorNumber, string text, MediaAttachment? attachment) =>
        new(messageId, authorAccountId, authorNumber, Excerpt(text), attachment?.Kind) { VoiceNote = attachment?.VoiceNote ?? false };

    /// <summary>The text trimmed to at most <see cref="MaxTextLength"/> characters, never splitting a surrogate pair.</summary>
    public static string Excerpt(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var trimmed = text.Trim();
        if (trimmed.Length <= MaxTextLength)
        {
            return trimmed;
        }
        var cut = char.IsHighSurrogate(trimmed[MaxTextLength - 1]) ? MaxTextLength - 1 : MaxTextLength;
        return trimmed[..cut].TrimEnd();
    }

    internal Quote ToProto() => new()
    {
        MessageId = ByteString.CopyFrom(MessageId),
        AuthorAccount = AuthorAccountId,
        AuthorNumber = AuthorNumber,
        Text = Text,
        AttachmentKind = (Attachment.Types.Kind)(int)(AttachmentKind ?? 0),
        VoiceNote = VoiceNote,
    };

    /// <summary>
    /// A received quote, or null when it names no message or no author. The excerpt is cut to
    /// <see cref="MaxTextLength"/> whatever the peer sent, and a claimed number that is not E.164 is dropped.
    /// </summary>
    internal static MessageQuote? FromProto(Quote? proto)
    {
        if (proto is null || proto.MessageId.Length is 0 or > MaxMessageIdLength || proto.AuthorAccount.Length == 0)
        {
            return null;
        }
        var kind = (MediaType)(int)proto.AttachmentKind;
        return new MessageQuote(proto.MessageId.ToByteArray(), proto.AuthorAccount, E164().IsMatch(proto.AuthorNumber) ? proto.AuthorNumber : "",
            Excerpt(proto.Text), Enum.IsDefined(kind) ? kind : null)
        {
            VoiceNote = proto.VoiceNote && kind == MediaType.Audio,
        };
    }

    /// <summary>The stored form (the protobuf message), for client stores.</summary>
    public byte[] Serialize() => ToProto().ToByteArray();

    public static MessageQuote? Deserialize(byte[]? bytes) => bytes is null ? null : FromProto(Quote.Parser.ParseFrom(bytes));

    public override string ToString() => $"quote of {Convert.ToHexString(MessageId)} ({Text.Length} chars)";

    [GeneratedRegex(@"^\+[1-9][0-9]{1,14}$")]
    private static partial Regex E164();
}
