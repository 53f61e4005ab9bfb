using Google.Protobuf;
using Parley.Protocol.Wire;
using Parley.Server.Tests.Infrastructure;

namespace Parley.Server.Tests.Messages;

/// <summary>Store-and-forward delivery with sent/delivered/read states, on both databases.</summary>
public abstract class DeliveryTests(ServerFixture fixture)
{
    private ParleyServer Server => fixture.Server;

    [Fact]
    public async Task Online_devices_exchange_envelopes_both_ways_with_sent_and_delivered_receipts()
    {
        await using var alice = await TestUser.RegisterAsync(Server);
        await using var bob = await TestUser.RegisterAsync(Server);
        var aliceSocket = await alice.ConnectAsync();
        var bobSocket = await bob.ConnectAsync();

        var hello = TestUser.MessageTo(bob, "hello bob");
        var sent = await aliceSocket.SendAsync(hello);
        Assert.Single(sent.EnvelopeIds);
        Assert.True(sent.ServerTimestamp > 0);

        var atBob = await Expect.EnvelopeAsync(bobSocket, "Alice's message at Bob");
        Assert.Equal(EnvelopeType.Ciphertext, atBob.Type);
        Assert.Equal("hello bob", atBob.Content.ToStringUtf8());
        Assert.Equal(alice.AccountId, atBob.SourceAccount);
        Assert.Equal(1u, atBob.SourceDevice);
        Assert.Equal(hello.MessageId, atBob.MessageId);
        Assert.Equal(hello.ClientTimestamp, atBob.ClientTimestamp);
        Assert.Equal(sent.EnvelopeIds[0], atBob.Id);

        Assert.Equal(1, await bobSocket.AckAsync([atBob.Id]));
        var delivered = await Expect.EnvelopeAsync(aliceSocket, "the delivery receipt at Alice");
        Assert.Equal(EnvelopeType.DeliveryReceipt, delivered.Type);
        Assert.Equal(bob.AccountId, delivered.SourceAccount);
        Assert.Equal([hello.MessageId], delivered.ReceiptedMessageIds);

        await aliceSocket.AckAsync([delivered.Id]);
        await bobSocket.SendAsync(TestUser.MessageTo(alice, "hi alice"));
        var atAlice = await Expect.EnvelopeAsync(aliceSocket, "Bob's reply at Alice");
        Assert.Equal("hi alice", atAlice.Content.ToStringUtf8());
    }

    [Fact]
    public async Task The_largest_ciphertext_allowed_arrives_intact_between_small_ones()
    {
        // The client's receive buffer starts small and grows for a big frame only while it lasts.
        await using var alice = await TestUser.RegisterAsync(Server);
        await using var bob = await TestUser.RegisterAsync(Server);
        var aliceSocket = await alice.ConnectAsync();
        var bobSocket = await bob.ConnectAsync();
        var largest = TestUser.MessageTo(bob, "");
        largest.Ciphertexts[0].Content = ByteString.CopyFrom(System.Security.Cryptography.RandomNumberGenerator.GetBytes(64 * 1024));

        await aliceSocket.SendAsync(TestUser.MessageTo(bob, "before"));
        await aliceSocket.SendAsync(largest);
        await aliceSocket.SendAsync(TestUser.MessageTo(bob, "after"));

        var received = await Expect.EnvelopesAsync(bobSocket, 3, "the three messages at Bob");
        Assert.Equal("before", received[0].Content.ToStringUtf8());
        Assert.Equal(largest.Ciphertexts[0].Content, received[1].Content);
        Assert.Equal("after", received[2].Content.ToStringUtf8());
    }

    [Fact]
    public async Task Read_receipt_reaches_the_sender_as_blue_ticks()
    {
        await using var alice = await TestUser.RegisterAsync(Server);
        await using var bob = await TestUser.RegisterAsync(Server);
        var aliceSocket = await alice.ConnectAsync();
        var bobSocket = await bob.ConnectAsync();
        var message = TestUser.MessageTo(bob, "did you read this?");
        await aliceSocket.SendAsync(message);
        var atBob = await Expect.EnvelopeAsync(bobSocket, "the message at Bob");
        await bobSocket.AckAsync([atBob.Id]);
        var delivered = await Expect.EnvelopeAsync(aliceSocket, "the delivery receipt");

        await bobSocket.SendReadReceiptAsync(alice.AccountId, [atBob.MessageId.ToByteArray()]);

        var read = await Expect.EnvelopeAsync(aliceSocket, "the read receipt");
        Assert.Equal(EnvelopeType.DeliveryReceipt, delivered.Type);
        Assert.Equal(EnvelopeType.ReadReceipt, read.Type);
        Assert.Equal(bob.AccountId, read.SourceAccount);
        Assert.Equal([message.MessageId], read.ReceiptedMessageIds);
    }

    [Fact]
    public async Task Offline_device_receives_its_backlog_in_order_then_queue_drained_then_live_messages()
    {
        await using var alice = await TestUser.RegisterAsync(Server);
        await using var bob = await TestUser.RegisterAsync(Server);
        var aliceSocket = await alice.ConnectAsync();
        for (var i = 0; i < 300; i++)
        {
            await aliceSocket.SendAsync(TestUser.MessageTo(bob, $"message {i}"));
        }

        var bobSocket = await bob.ConnectAsync(waitForBacklog: false);
        var backlog = await Expect.EnvelopesAsync(bobSocket, 300, "backlog messages");
        Assert.Equal(300, await bobSocket.WaitUntilDrainedAsync().WaitAsync(Expect.Timeout));
        Assert.Equal(Enumerable.Range(0, 300).Select(i => $"message {i}"), backlog.Select(e => e.Content.ToStringUtf8()));

        await aliceSocket.SendAsync(TestUser.MessageTo(bob, "live"));
        Assert.Equal("live", (await Expect.EnvelopeAsync(bobSocket, "the live message")).Content.ToStringUtf8());
    }

    [Fact]
    public async Task Unacked_envelopes_are_delivered_again_after_reconnect_and_acked_ones_are_not()
    {
        await using var alice = await TestUser.RegisterAsync(Server);
        await using var bob = await TestUser.RegisterAsync(Server);
        var aliceSocket = await alice.ConnectAsync();
        await aliceSocket.SendAsync(TestUser.MessageTo(bob, "one"));
        await aliceSocket.SendAsync(TestUser.MessageTo(bob, "two"));
        var first = await bob.ConnectAsync();
        var received = await Expect.EnvelopesAsync(first, 2, "messages");
        await first.AckAsync([received[0].Id]);
        await first.DisposeAsync();

        var second = await bob.ConnectAsync(waitForBacklog: false);
        var again = await Expect.EnvelopeAsync(second, "the unacked message again");
        Assert.Equal("two", again.Content.ToStringUtf8());
        Assert.Equal(1, await second.WaitUntilDrainedAsync().WaitAsync(Expect.Timeout));
    }

    [Fact]
    public async Task Offline_sender_gets_its_delivery_receipts_when_it_comes_back()
    {
        await using var alice = await TestUser.RegisterAsync(Server);
        await using var bob = await TestUser.RegisterAsync(Server);
        var aliceSocket = await alice.ConnectAsync();
        var message = TestUser.MessageTo(bob, "while you were out");
        await aliceSocket.SendAsync(message);
        await aliceSocket.DisposeAsync();

        var bobSocket = await bob.ConnectAsync();
        var atBob = await Expect.EnvelopeAsync(bobSocket, "the message");
        await bobSocket.AckAsync([atBob.Id]);

        var aliceAgain = await alice.ConnectAsync(waitForBacklog: false);
        var receipt = await Expect.EnvelopeAsync(aliceAgain, "the queued delivery receipt");
        Assert.Equal(EnvelopeType.DeliveryReceipt, receipt.Type);
        Assert.Equal([message.MessageId], receipt.ReceiptedMessageIds);
    }

    [Fact]
    public async Task Repeated_ack_is_harmless_and_sends_no_second_receipt()
    {
        await using var alice = await TestUser.RegisterAsync(Server);
        await using var bob = await TestUser.RegisterAsync(Server);
        var aliceSocket = await alice.ConnectAsync();
        var bobSocket = await bob.ConnectAsync();
        await aliceSocket.SendAsync(TestUser.MessageTo(bob, "once"));
        var atBob = await Expect.EnvelopeAsync(bobSocket, "the message");

        Assert.Equal(1, await bobSocket.AckAsync([atBob.Id]));
        Assert.Equal(0, await bobSocket.AckAsync([atBob.Id]));

        await Expect.EnvelopeAsync(aliceSocket, "the delivery receipt");
        await Expect.NothingAsync(aliceSocket, TimeSpan.FromMilliseconds(500), "second delivery receipt");
    }

    [Fact]
    public async Task A_device_cannot_ack_away_another_devices_envelopes()
    {
        await using var alice = await TestUser.RegisterAsync(Server);
        await using var bob = await TestUser.RegisterAsync(Server);
        await using var mallory = await TestUser.RegisterAsync(Server);
        var aliceSocket = await alice.ConnectAsync();
        var sent = await aliceSocket.SendAsync(TestUser.MessageTo(bob, "for bob only"));

        var mallorySocket = await mallory.ConnectAsync();
        Assert.Equal(0, await mallorySocket.AckAsync(sent.EnvelopeIds));

        var bobSocket = await bob.ConnectAsync(waitForBacklog: false);
        Assert.Equal("for bob only", (await Expect.EnvelopeAsync(bobSocket, "the message")).Content.ToStringUtf8());
    }

    [Fact]
    public async Task Envelopes_past_their_30_day_retention_are_not_delivered()
    {
        await using var alice = await TestUser.RegisterAsync(Server);
        await using var bob = await TestUser.RegisterAsync(Server);
        var aliceSocket = await alice.ConnectAsync();
        await aliceSocket.SendAsync(TestUser.MessageTo(bob, "old"));
        await aliceSocket.SendAsync(TestUser.MessageTo(bob, "fresh"));
        // Age the first envelope past its retention, as 30 days of waiting would.
        await Server.ExecuteSqlAsync(
            "UPDATE envelopes SET expires_at = 1 WHERE account_id = @a AND id = (SELECT MIN(id) FROM envelopes WHERE account_id = @a)",
            ("a", bob.AccountId));

        var bobSocket = await bob.ConnectAsync(waitForBacklog: false);
        Assert.Equal("fresh", (await Expect.EnvelopeAsync(bobSocket, "the unexpired message")).Content.ToStringUtf8());
        Assert.Equal(1, await bobSocket.WaitUntilDrainedAsync().WaitAsync(Expect.Timeout));
    }

    [Fact]
    public async Task Message_to_self_goes_to_the_other_devices_only()
    {
        await using var alice = await TestUser.RegisterAsync(Server);
        var aliceSocket = await alice.ConnectAsync();
        var toSelf = TestUser.MessageTo(alice, "note");
        var rejected = await Expect.RejectedAsync(aliceSocket.SendAsync(toSelf));
        // Alice has a single device: encrypting for device 1 (herself) is an extra device.
        Assert.Equal(ErrorCode.MismatchedDevices, rejected.Code);
        Assert.Equal([1u], rejected.Error.ExtraDevices);
    }

    [Fact]
    public async Task Many_pipelined_sends_are_all_stored_and_delivered_once()
    {
        await using var alice = await TestUser.RegisterAsync(Server);
        await using var bob = await TestUser.RegisterAsync(Server);
        var aliceSocket = await alice.ConnectAsync();
        var bobSocket = await bob.ConnectAsync();
        var sends = Enumerable.Range(0, 500).Select(i => aliceSocket.SendAsync(TestUser.MessageTo(bob, $"m{i}"))).ToList();
        await Task.WhenAll(sends).WaitAsync(Expect.Timeout);

        var received = await Expect.EnvelopesAsync(bobSocket, 500, "pipelined messages");
        Assert.Equal(500, received.Select(e => e.Content.ToStringUtf8()).Distinct().Count());
        Assert.Equal(received.Select(e => e.Id).Order(), received.Select(e => e.Id));
        await Expect.NothingAsync(bobSocket, TimeSpan.FromMilliseconds(300), "duplicate");
    }
}

public sealed class DeliveryTestsOnSqlite(SqliteServerFixture fixture) : DeliveryTests(fixture), IClassFixture<SqliteServerFixture>;

public sealed class DeliveryTestsOnPostgres(PostgresServerFixture fixture) : DeliveryTests(fixture), IClassFixture<PostgresServerFixture>;
