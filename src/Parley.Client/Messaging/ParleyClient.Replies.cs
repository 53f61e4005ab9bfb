using Parley.Protocol.Encrypted;

namespace Parley.Client.Messaging;

/// <summary>Replies: the quote is built from the stored original when sending, and checked when it arrives.</summary>
public sealed partial class ParleyClient
{
    /// <summary>The message being replied to. Ids are 16 random bytes, so one id names one message of a chat.</summary>
    private static T Original<T>(IReadOnlyList<T> history, Func<T, byte[]> idOf, byte[] replyTo) where T : class =>
        history.LastOrDefault(m => idOf(m).AsSpan().SequenceEqual(replyTo))
        ?? throw new ArgumentException($"The message {Convert.ToHexStringLower(replyTo)} is not in this chat's recent history.", nameof(replyTo));

    /// <summary>
    /// A received quote, its author's number taken from our own records when we have them: the
    /// replier's claim is only a fallback for authors we never talked to (e.g. another group member).
    /// </summary>
    private async Task<MessageQuote?> ReceivedQuoteAsync(Quote? proto)
    {
        if (MessageQuote.FromProto(proto) is not { } quote)
        {
            return null;
        }
        var known = quote.AuthorAccountId == AccountId ? Number : (await _store.FindContactByAccountAsync(quote.AuthorAccountId))?.Number;
        // A contact whose number could not be verified is filed under its account id: no better than the claim.
        return known is null || known == quote.AuthorAccountId ? quote : quote with { AuthorNumber = known };
    }
}
