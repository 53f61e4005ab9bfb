using Parley.Client.Storage;
using Parley.Client.Tests.Infrastructure;
using Parley.Server.Tests.Infrastructure;

namespace Parley.Client.Tests.Messaging;

/// <summary>Two SDK clients talking end to end through a real server on SQLite.</summary>
public sealed class MessagingTests(SqliteServerFixture fixture) : IClassFixture<SqliteServerFixture>
{
    private ParleyServer Server => fixture.Server;

    [Fact]
    public async Task FirstMessageStartsASessionAsPreKeyMessage_RepliesAndFollowUpsAreNormalMessages()
    {
        await using var alice = await TestDevice.RegisterAsync(Server);
        await using var bob = await TestDevice.RegisterAsync(Server, connect: false);

        await alice.SendAsync(bob, "hello bob");
        Assert.Equal([2L], await QueuedTypesAsync(bob)); // PREKEY_MESSAGE: Bob is offline, the envelope waits

        await bob.Client.ConnectAsync();
        var first = await bob.NextMessageAsync("Alice's first message");
        Assert.Equal(("hello bob", alice.Number, MessageDirection.Incoming), (first.Text, first.PeerNumber, first.Direction));

        await alice.CloseAsync();
        await bob.SendAsync(alice, "hi alice");
        Assert.Equal([1L], await QueuedTypesAsync(alice)); // CIPHERTEXT: Bob answers within the session Alice started

        await alice.OpenAsync();
        var reply = await alice.NextMessageAsync("Bob's reply");
        Assert.Equal(("hi alice", bob.Number), (reply.Text, reply.PeerNumber));

        await bob.CloseAsync();
        await alice.SendAsync(bob, "how are you?");
        Assert.Equal([1L], await QueuedTypesAsync(bob)); // Alice's session is acknowledged now: no more prekey messages
        await bob.OpenAsync();
        Assert.Equal("how are you?", (await bob.NextMessageAsync("Alice's second message")).Text);

        var history = await alice.Client.GetHistoryAsync(bob.Number);
        Assert.Equal(["hello bob", "hi alice", "how are you?"], history.Select(m => m.Text));
        Assert.Empty(alice.DecryptionFailures);
        Assert.Empty(bob.DecryptionFailures);
    }

    [Fact]
    public async Task DeliveryAndReadReceipts_MoveTheSentMessageToDeliveredThenRead()
    {
        await using var alice = await TestDevice.RegisterAsync(Server);
        await using var bob = await TestDevice.RegisterAsync(Server);

        var sent = await alice.SendAsync(bob, "did you get this?");
        Assert.Equal(MessageStatus.Sent, sent.Status);
        var received = await bob.NextMessageAsync("the message");
        await alice.WaitForStatusAsync(sent.MessageId, MessageStatus.Delivered, "the delivery receipt");

        await bob.Client.MarkReadAsync(alice.Number, [received.MessageId]);
        await alice.WaitForStatusAsync(sent.MessageId, MessageStatus.Read, "the read receipt");
        Assert.Equal(MessageStatus.Read, (await alice.Client.GetHistoryAsync(bob.Number)).Single().Status);
    }

    [Fact]
    public async Task OfflineRecipient_GetsEveryMessageInOrderAfterReconnecting_AndEachOnlyOnce()
    {
        await using var alice = await TestDevice.RegisterAsync(Server);
        await using var bob = await TestDevice.RegisterAsync(Server);
        await alice.SendAsync(bob, "before");
        await bob.NextMessageAsync("the first message");
        await bob.CloseAsync();

        for (var i = 1; i <= 5; i++)
        {
            await alice.SendAsync(bob, $"while offline {i}");
        }
        await bob.OpenAsync();
        await bob.Client.WaitUntilCaughtUpAsync().WaitAsync(TestDevice.Timeout);
        for (var i = 1; i <= 5; i++)
        {
            Assert.Equal($"while offline {i}", (await bob.NextMessageAsync($"offline message {i}")).Text);
        }
        await bob.NoMessageAsync(TimeSpan.FromMilliseconds(300), "duplicate");
        Assert.Equal(6, (await bob.Client.GetHistoryAsync(alice.Number)).Count);
        Assert.Equal(0L, await Server.ScalarAsync("SELECT COUNT(*) FROM envelopes WHERE account_id = $a", ("$a", bob.Client.AccountId)));
    }

    [Fact]
    public async Task RedeliveredEnvelope_AfterALostAck_IsShownOnce()
    {
        await using var alice = await TestDevice.RegisterAsync(Server);
        await using var bob = await TestDevice.RegisterAsync(Server, connect: false);
        await alice.SendAsync(bob, "exactly once");
        // Keep a copy of the queued envelope, let Bob receive and ack it, then queue the copy again (a lost ack).
        var bobAccount = bob.Client.AccountId;
        await Server.ExecuteSqlAsync("CREATE TABLE IF NOT EXISTS saved_envelopes AS SELECT * FROM envelopes WHERE 0");
        await Server.ExecuteSqlAsync("INSERT INTO saved_envelopes SELECT * FROM envelopes WHERE account_id = $a", ("$a", bobAccount));

        await bob.Client.ConnectAsync();
        Assert.Equal("exactly once", (await bob.NextMessageAsync("the message")).Text);
        await bob.Client.WaitUntilCaughtUpAsync().WaitAsync(TestDevice.Timeout);
        await bob.CloseAsync();
        await Server.ExecuteSqlAsync("INSERT INTO envelopes SELECT * FROM saved_envelopes WHERE account_id = $a", ("$a", bobAccount));

        await bob.OpenAsync();
        await bob.Client.WaitUntilCaughtUpAsync().WaitAsync(TestDevice.Timeout);
        await bob.NoMessageAsync(TimeSpan.FromMilliseconds(300), "second copy of the redelivered message");
        Assert.Single(await bob.Client.GetHistoryAsync(alice.Number));
        Assert.Empty(bob.DecryptionFailures);
    }

    private async Task<List<long>> QueuedTypesAsync(TestDevice recipient)
    {
        var account = recipient.Client.AccountId;
        var types = new List<long>();
        var database = Server.OpenDatabase();
        await using var connection = await database.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT type FROM envelopes WHERE account_id = $a AND type IN (1, 2) ORDER BY id";
        var parameter = command.CreateParameter();
        parameter.ParameterName = "$a";
        parameter.Value = account;
        command.Parameters.Add(parameter);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            types.Add(reader.GetInt64(0));
        }
        (database as IDisposable)?.Dispose();
        return types;
    }
}
