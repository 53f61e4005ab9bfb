using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Parley.Client.Messaging;
using Parley.Client.Storage;

namespace Parley.Cli;

/// <summary>Reading: receive, chats, history, safety numbers.</summary>
internal sealed partial class ProfileSession
{
    // Relaxed escaping keeps "+4915..." readable; the output goes to a terminal or a script, never into HTML.
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public async Task<int> ReceiveAsync(TimeSpan quietPeriod, bool json, DirectoryInfo filesFolder, CancellationToken cancellationToken)
    {
        var arrived = new SemaphoreSlim(0);
        FileReceiver? files = null;
        await using var client = await ConnectAsync(receive: true, cancellationToken, client =>
        {
            files = new FileReceiver(client, filesFolder, json, arrived);
            client.MessageReceived += message =>
            {
                if (message.Attachment is { } file)
                {
                    files.Receive("", message.PeerNumber, message.Text, file, message.Timestamp, message.MessageId);
                    return;
                }
                var line = json
                    ? JsonSerializer.Serialize(new ReceivedLine(message.PeerNumber, message.Text, message.Timestamp, Convert.ToHexStringLower(message.MessageId),
                        QuotedLine.Of(message.Quote, client.AccountId)), Json)
                    : QuotePrefix(message.Quote, client.AccountId) + $"{message.PeerNumber}: {message.Text}";
                lock (Console.Out)
                {
                    Console.Out.WriteLine(line);
                    Console.Out.Flush();
                }
                arrived.Release();
            };
            client.IdentityChanged += change => Console.Error.WriteLine(
                $"warning: the safety number with {change.Number} changed (they re-registered, or someone is in the middle); compare it again.");
            client.DecryptionFailed += failure => Console.Error.WriteLine($"warning: a message could not be decrypted and was dropped ({failure.Reason}).");
            PrintGroupTraffic(client, json, arrived, files);
        });
        await client.WaitUntilCaughtUpAsync(cancellationToken);
        while (await arrived.WaitAsync(quietPeriod, cancellationToken))
        {
            // Each message restarts the quiet period.
        }
        await files!.WhenDoneAsync();
        // Messages are acked right after they are stored; wait for the last acks before closing.
        using var finish = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        finish.CancelAfter(ConnectTimeout);
        await client.WaitUntilCaughtUpAsync(finish.Token);
        return 0;
    }

    public async Task<int> ChatsAsync()
    {
        await using var client = await OpenClientAsync(checkServer: false);
        foreach (var chat in await client.ListChatsAsync())
        {
            var last = chat.LastMessage;
            var flag = chat.Contact.IdentityChangedAt is null ? "" : "  [safety number changed]";
            var preview = last is null ? "" : $"{(last.Direction == MessageDirection.Outgoing ? "me: " : "")}{OneLine(last.Text)}";
            await Console.Out.WriteLineAsync($"{chat.Contact.Number}\t{chat.MessageCount} messages\t{preview}{flag}");
        }
        return 0;
    }

    public async Task<int> HistoryAsync(string number)
    {
        await using var client = await OpenClientAsync(checkServer: false);
        foreach (var message in await client.GetHistoryAsync(number))
        {
            var time = DateTimeOffset.FromUnixTimeMilliseconds(message.Timestamp).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
            var line = message.Direction == MessageDirection.Outgoing
                ? $"{time} me: {message.Text} [{message.Status.ToString().ToLowerInvariant()}]"
                : $"{time} {message.PeerNumber}: {message.Text}";
            await Console.Out.WriteLineAsync(QuotePrefix(message.Quote, client.AccountId) + line);
        }
        return 0;
    }

    public async Task<int> SafetyNumberAsync(string number, CancellationToken cancellationToken)
    {
        await using var client = await OpenClientAsync();
        var digits = await client.GetSafetyNumberAsync(number, cancellationToken);
        await Console.Out.WriteLineAsync(string.Join(' ', digits.Chunk(5).Select(group => new string(group))));
        return 0;
    }

    private static string OneLine(string text) => text.ReplaceLineEndings(" ");

    /// <summary>A reply's quote as a line of its own before the message: "> +E164: excerpt" ("> me: …" for our own words).</summary>
    private static string QuotePrefix(MessageQuote? quote, string ownAccountId) =>
        quote is null ? "" : $"> {QuotedLine.Of(quote, ownAccountId)!.From}: {OneLine(QuotedText(quote))}{Environment.NewLine}";

    private static string QuotedText(MessageQuote quote) =>
        quote.AttachmentKind is { } kind ? $"[{kind.ToString().ToLowerInvariant()}] {quote.Text}".TrimEnd() : quote.Text;

    /// <summary>The JSON shape of one received message (--json); <c>quote</c> only on replies.</summary>
    private sealed record ReceivedLine(string From, string Text, long Timestamp, string Id,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] QuotedLine? Quote = null);

    /// <summary>What a reply quotes (--json): its author ("me", a number, or "unknown"), excerpt and id.</summary>
    private sealed record QuotedLine(string From, string Text, string Id)
    {
        public static QuotedLine? Of(MessageQuote? quote, string ownAccountId) => quote is null ? null : new(
            quote.AuthorAccountId == ownAccountId ? "me" : quote.AuthorNumber.Length > 0 ? quote.AuthorNumber : "unknown",
            QuotedText(quote), Convert.ToHexStringLower(quote.MessageId));
    }
}
