using Google.Protobuf;
using Parley.Client.Messaging;
using Parley.Client.Sqlite;
using Parley.Client.Storage;
using Parley.Client.Tests.Groups;
using Parley.Client.Tests.Infrastructure;
using Parley.Protocol.Encrypted;
using Parley.Server.Tests.Infrastructure;

namespace Parley.Client.Tests.Messaging;

/// <summary>Replies: the quoted message travels inside the encrypted message and both sides show it.</summary>
public sealed class QuoteTests(SqliteServerFixture fixture) : IClassFixture<SqliteServerFixture>, IDisposable
{
    private readonly string _profiles = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "parley-quote-tests", Guid.NewGuid().ToString("N"))).FullName;

    private ParleyServer Server => fixture.Server;

    [Fact]
    public async Task ReplyInAChat_ArrivesWithTheQuotedMessage_AndBothSidesKeepTheQuoteInHistory()
    {
        await using var alice = await TestDevice.RegisterAsync(Server, store: await SqliteClientStore.OpenAsync(Path.Combine(_profiles, "alice")));
        var bobDirectory = Path.Combine(_profiles, "bob");
        var bobStore = await SqliteClientStore.OpenAsync(bobDirectory);
        var bob = await TestDevice.RegisterAsync(Server, store: bobStore);

        var original = await bob.SendAsync(alice, "  Lunch at noon on Friday?  ");
        var received = await alice.NextMessageAsync("Bob's question");
        var sent = await alice.Client.SendTextAsync(bob.Number, "Yes, see you there", received.MessageId).WaitAsync(TestDevice.Timeout);

        var reply = await bob.NextMessageAsync("Alice's reply");
        Assert.Equal("Yes, see you there", reply.Text);
        Assert.NotNull(reply.Quote);
        Assert.Equal((Hex(original.MessageId), bob.Client.AccountId, bob.Number, "Lunch at noon on Friday?", (Crypto.Media.MediaType?)null),
            (Hex(reply.Quote.MessageId), reply.Quote.AuthorAccountId, reply.Quote.AuthorNumber, reply.Quote.Text, reply.Quote.AttachmentKind));
        Assert.Equal("Lunch at noon on Friday?", sent.Quote?.Text);

        // Alice quotes herself: Bob sees her as the author.
        await alice.Client.SendTextAsync(bob.Number, "Or Saturday", sent.MessageId).WaitAsync(TestDevice.Timeout);
        var second = await bob.NextMessageAsync("Alice's second reply");
        Assert.Equal((alice.Client.AccountId, alice.Number, "Yes, see you there"), (second.Quote?.AuthorAccountId, second.Quote?.AuthorNumber, second.Quote?.Text));

        // Kept in both stores: a reopened profile still shows the quotes.
        Assert.Equal([null, "Lunch at noon on Friday?", "Yes, see you there"], (await alice.Client.GetHistoryAsync(bob.Number)).Select(m => m.Quote?.Text));
        await bob.DisposeAsync();
        await bobStore.DisposeAsync();
        await using var reopened = await TestDevice.OpenExistingAsync(Server, bob.Number, await SqliteClientStore.OpenAsync(bobDirectory));
        var history = await reopened.Client.GetHistoryAsync(alice.Number);
        Assert.Equal([null, "Lunch at noon on Friday?", "Yes, see you there"], history.Select(m => m.Quote?.Text));
        Assert.Equal(original.MessageId, history[1].Quote!.MessageId);
    }

    [Fact]
    public async Task ReplyToAMessageNotInHistory_IsRefusedBeforeAnythingIsSent()
    {
        await using var alice = await TestDevice.RegisterAsync(Server);
        await using var bob = await TestDevice.RegisterAsync(Server);

        await Assert.ThrowsAsync<ArgumentException>(() => alice.Client.SendTextAsync(bob.Number, "what?", new byte[16]));
        await bob.NoMessageAsync(TimeSpan.FromMilliseconds(300), "reply to a message that does not exist");
        Assert.Empty(await alice.Client.GetHistoryAsync(bob.Number));
    }

    [Fact]
    public async Task GroupReply_ShowsItsQuoteToEveryMember_EvenOneWhoJoinedAfterTheOriginal()
    {
        var (alice, bob, carol) = (await GroupObserver.RegisterAsync(Server), await GroupObserver.RegisterAsync(Server), await GroupObserver.RegisterAsync(Server));
        var group = await alice.Client.CreateGroupAsync("Trip", [bob.Device.Number]);
        await bob.Client.SendGroupTextAsync(group.GroupId, "Train or car?");
        var question = await alice.NextMessageAsync("Bob's question");

        await alice.Client.AddGroupMembersAsync(group.GroupId, [carol.Device.Number]);
        await alice.Client.SendGroupTextAsync(group.GroupId, "Train", question.MessageId);

        var atBob = await bob.NextMessageAsync("Alice's reply");
        Assert.Equal(("Train", Hex(question.MessageId), bob.Client.AccountId, "Train or car?"),
            (atBob.Text, Hex(atBob.Quote?.MessageId), atBob.Quote?.AuthorAccountId, atBob.Quote?.Text));
        // Carol never saw the question: the quote alone tells her who asked what.
        var atCarol = await carol.NextMessageAsync("Alice's reply");
        Assert.DoesNotContain(await carol.Client.GetGroupHistoryAsync(group.GroupId), m => m.MessageId.AsSpan().SequenceEqual(question.MessageId));
        Assert.Equal(("Train", bob.Device.Number, "Train or car?"), (atCarol.Text, atCarol.Quote?.AuthorNumber, atCarol.Quote?.Text));
    }

    [Fact]
    public void QuoteFromAPeer_WithAnOverlongExcerptAndAFakeNumber_IsCutToTheCapAndLosesTheNumber()
    {
        // What a modified client could put inside its encrypted message; the SDK parses received quotes through this seam.
        var hostile = new Quote
        {
            MessageId = ByteString.CopyFrom(new byte[16]),
            AuthorAccount = "some-account",
            AuthorNumber = "Your bank: call +1555",
            Text = new string('x', 5000),
            AttachmentKind = (Attachment.Types.Kind)99,
        };

        var quote = MessageQuote.Deserialize(hostile.ToByteArray());

        Assert.NotNull(quote);
        Assert.Equal(MessageQuote.MaxTextLength, quote.Text.Length);
        Assert.Equal(("", (Crypto.Media.MediaType?)null), (quote.AuthorNumber, quote.AttachmentKind));
        Assert.Null(MessageQuote.Deserialize(new Quote { AuthorAccount = "some-account", Text = "no message id" }.ToByteArray()));
    }

    private static string? Hex(byte[]? id) => id is null ? null : Convert.ToHexString(id);

    public void Dispose() => Directory.Delete(_profiles, recursive: true);
}
