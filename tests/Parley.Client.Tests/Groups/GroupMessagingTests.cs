using Parley.Client.Storage;
using Parley.Client.Tests.Infrastructure;
using Parley.Crypto;
using Parley.Crypto.Groups;
using Parley.Crypto.Messages;
using Parley.Protocol.Groups;
using Parley.Server.Tests.Infrastructure;

namespace Parley.Client.Tests.Groups;

/// <summary>Group chats end to end: SDK clients with Sender Keys through a real server on SQLite.</summary>
public sealed class GroupMessagingTests(SqliteServerFixture fixture) : IClassFixture<SqliteServerFixture>
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(800);

    private ParleyServer Server => fixture.Server;

    [Fact]
    public async Task ThreeMembers_TalkBothWays_EachMessageArrivesOnceAtEveryOtherMember()
    {
        var (alice, bob, carol) = (await MemberAsync(), await MemberAsync(), await MemberAsync());
        var group = await alice.Client.CreateGroupAsync("Family", [bob.Device.Number, carol.Device.Number]);
        Assert.Equal((3, true), (group.Members.Count, group.Member(alice.Client.AccountId)!.Admin));
        foreach (var member in new[] { bob, carol })
        {
            var created = await member.NextChangeAsync(GroupEventKind.Created, "the group's creation");
            // Alice's number reaches them only inside her first encrypted message; until then the event names her account.
            Assert.Equal(("Family", alice.Client.AccountId), (created.Group.Name, created.ActorAccountId));
            Assert.EndsWith(" created the group \"Family\"", created.Description, StringComparison.Ordinal);
        }

        await alice.Client.SendGroupTextAsync(group.GroupId, "hello family");
        foreach (var member in new[] { bob, carol })
        {
            var message = await member.NextMessageAsync("Alice's group message");
            Assert.Equal((group.GroupId, alice.Device.Number, "hello family", MessageDirection.Incoming),
                (message.GroupId, message.SenderNumber, message.Text, message.Direction));
        }
        await bob.Client.SendGroupTextAsync(group.GroupId, "hi from bob");
        Assert.Equal((bob.Device.Number, "hi from bob"), Who(await alice.NextMessageAsync("Bob's reply")));
        Assert.Equal((bob.Device.Number, "hi from bob"), Who(await carol.NextMessageAsync("Bob's reply")));
        await carol.Client.SendGroupTextAsync(group.GroupId, "and carol");
        Assert.Equal((carol.Device.Number, "and carol"), Who(await alice.NextMessageAsync("Carol's message")));
        Assert.Equal((carol.Device.Number, "and carol"), Who(await bob.NextMessageAsync("Carol's message")));
        await alice.Client.SendGroupTextAsync(group.GroupId, "second from alice"); // the key is reused: no new distribution needed
        Assert.Equal("second from alice", (await carol.NextMessageAsync("Alice's second message")).Text);

        Assert.Equal(["hello family", "hi from bob", "and carol", "second from alice"],
            (await alice.Client.GetGroupHistoryAsync(group.GroupId)).Select(m => m.Text));
        Assert.Equal("second from alice", (await bob.NextMessageAsync("Alice's second message")).Text);
        await bob.NoMessageAsync(Quiet, "message shown twice");
        Assert.All(new[] { alice, bob, carol }, m => Assert.Empty(m.Device.DecryptionFailures));
    }

    [Fact]
    public async Task RemovedMember_GetsNothingAfterwards_AndTheOldKeyItHoldsCannotDecryptWhatFollows()
    {
        var (alice, bob, carol) = (await MemberAsync(), await MemberAsync(), await MemberAsync(connect: false));
        var group = await alice.Client.CreateGroupAsync("Team", [bob.Device.Number, carol.Device.Number]);
        await alice.Client.SendGroupTextAsync(group.GroupId, "before the removal");
        Assert.Equal("before the removal", (await bob.NextMessageAsync("the message before the removal")).Text);

        await alice.Client.RemoveGroupMemberAsync(group.GroupId, bob.Device.Number);
        var removed = await bob.NextChangeAsync(GroupEventKind.MemberRemoved, "his removal");
        Assert.Equal($"{alice.Device.Number} removed you", removed.Description);
        Assert.False((await bob.Client.FindGroupAsync(group.GroupId)).IsMember);
        await alice.Client.SendGroupTextAsync(group.GroupId, "after the removal");
        await bob.NoMessageAsync(Quiet, "message sent after his removal");

        // Carol was offline: both ciphertexts wait in her queue. Bob still holds Alice's first key...
        var (before, after) = await QueuedGroupCiphertextsAsync(carol) switch { [var b, var a] => (b, a), var all => throw new InvalidOperationException($"{all.Count} queued") };
        var alicesDevice = new ProtocolAddress(alice.Client.AccountId, 1);
        Assert.NotNull(await bob.SenderKeys.LoadSenderKeyAsync(alicesDevice, before.DistributionId));
        // ...but Alice rotated on the removal, so even a copy of the new message is useless to him.
        Assert.NotEqual(before.DistributionId, after.DistributionId);
        var refused = await Assert.ThrowsAsync<SignalProtocolException>(() => new GroupCipher(bob.SenderKeys).DecryptAsync(alicesDevice, after));
        Assert.Equal(SignalError.NoSenderKeyState, refused.Error);

        await carol.OpenAsync();
        Assert.Equal("before the removal", (await carol.NextMessageAsync("the first message")).Text);
        Assert.Equal("after the removal", (await carol.NextMessageAsync("the message after the removal")).Text);
        await carol.Client.SendGroupTextAsync(group.GroupId, "carol after the removal");
        Assert.Equal("carol after the removal", (await alice.NextMessageAsync("Carol's message")).Text);
        await bob.NoMessageAsync(Quiet, "Carol's message after his removal");
        Assert.Empty(carol.Device.DecryptionFailures);
    }

    [Fact]
    public async Task NewMember_GetsOnlyWhatFollowsItsJoining_AndCannotDecryptWhatPreceded()
    {
        var (alice, bob, carol) = (await MemberAsync(), await MemberAsync(connect: false), await MemberAsync());
        var group = await alice.Client.CreateGroupAsync("Club", [bob.Device.Number]);
        await alice.Client.SendGroupTextAsync(group.GroupId, "before carol joined");
        var before = Assert.Single(await QueuedGroupCiphertextsAsync(bob));

        await alice.Client.AddGroupMembersAsync(group.GroupId, [carol.Device.Number]);
        var added = await carol.NextChangeAsync(GroupEventKind.MembersAdded, "being added");
        Assert.Equal(alice.Client.AccountId, added.ActorAccountId);
        Assert.Equal([carol.Client.AccountId], added.TargetAccountIds);
        Assert.EndsWith(" added you", added.Description, StringComparison.Ordinal);
        await alice.Client.SendGroupTextAsync(group.GroupId, "welcome carol");
        Assert.Equal("welcome carol", (await carol.NextMessageAsync("the message after joining")).Text);
        await carol.NoMessageAsync(Quiet, "message from before she joined");
        Assert.Equal(["welcome carol"], (await carol.Client.GetGroupHistoryAsync(group.GroupId)).Select(m => m.Text));

        // Carol holds Alice's key for this very distribution, but from the chain position after the old message.
        var alicesDevice = new ProtocolAddress(alice.Client.AccountId, 1);
        Assert.NotNull(await carol.SenderKeys.LoadSenderKeyAsync(alicesDevice, before.DistributionId));
        await Assert.ThrowsAsync<SignalProtocolException>(() => new GroupCipher(carol.SenderKeys).DecryptAsync(alicesDevice, before));

        await bob.OpenAsync();
        Assert.Equal("before carol joined", (await bob.NextMessageAsync("the old message")).Text);
        Assert.Equal("welcome carol", (await bob.NextMessageAsync("the new message")).Text);
    }

    [Fact]
    public async Task SentMessage_IsDeliveredWhenEveryMemberHasIt_AndReadWhenEveryMemberReadIt()
    {
        var (alice, bob, carol) = (await MemberAsync(), await MemberAsync(), await MemberAsync(connect: false));
        var group = await alice.Client.CreateGroupAsync("Ticks", [bob.Device.Number, carol.Device.Number]);
        var sent = await alice.Client.SendGroupTextAsync(group.GroupId, "did everyone get this?");
        Assert.Equal(MessageStatus.Sent, sent.Status);
        var bobs = await bob.NextMessageAsync("the message");
        await EventuallyAsync(async () => (await alice.Client.GetGroupMessageInfoAsync(group.GroupId, sent.MessageId))
            .Single(m => m.AccountId == bob.Client.AccountId).DeliveredAt is not null, "Bob's device has it, says message info");
        Assert.Equal(MessageStatus.Sent, (await alice.Client.GetGroupHistoryAsync(group.GroupId)).Single().Status); // Carol has not got it

        await carol.OpenAsync();
        var carols = await carol.NextMessageAsync("the message");
        await alice.StatusAsync(sent.MessageId, MessageStatus.Delivered, "delivered to every member");

        await bob.Client.MarkGroupReadAsync(group.GroupId, [bobs]);
        await EventuallyAsync(async () => (await alice.Client.GetGroupMessageInfoAsync(group.GroupId, sent.MessageId))
            .Single(m => m.AccountId == bob.Client.AccountId).ReadAt is not null, "Bob read it, says message info");
        Assert.Equal(MessageStatus.Delivered, (await alice.Client.GetGroupHistoryAsync(group.GroupId)).Single().Status);
        await carol.Client.MarkGroupReadAsync(group.GroupId, [carols]);
        await alice.StatusAsync(sent.MessageId, MessageStatus.Read, "read by every member");

        var info = await alice.Client.GetGroupMessageInfoAsync(group.GroupId, sent.MessageId);
        Assert.Equal(new[] { bob.Client.AccountId, carol.Client.AccountId }.Order(), info.Select(m => m.AccountId).Order());
        Assert.All(info, m => Assert.True(m.DeliveredAt is not null && m.ReadAt is not null, $"{m.AccountId}: {m}"));
        Assert.Contains(info, m => m.Number == bob.Device.Number);
    }

    [Fact]
    public async Task MessageBeforeItsSenderKey_IsKept_AndShownOnceTheKeyArrives()
    {
        var (alice, bob) = (await MemberAsync(), await MemberAsync(connect: false));
        var group = await alice.Client.CreateGroupAsync("Order", [bob.Device.Number]);
        await alice.Client.SendGroupTextAsync(group.GroupId, "first");
        // Swap the queue order: the group message comes before the pairwise message carrying Alice's key.
        var bobAccount = bob.Client.AccountId;
        await Server.ExecuteSqlAsync("UPDATE envelopes SET id = id + 1000000000 WHERE account_id = $a AND type IN (1, 2)", ("$a", bobAccount));

        await bob.OpenAsync();
        Assert.Equal("first", (await bob.NextMessageAsync("the message that waited for its key")).Text);
        Assert.Empty(bob.Device.DecryptionFailures);
    }

    private static (string, string) Who(GroupMessage message) => (message.SenderNumber, message.Text);

    private async Task<GroupObserver> MemberAsync(bool connect = true) => await GroupObserver.RegisterAsync(Server, connect);

    /// <summary>The Sender Keys ciphertexts queued for an offline member, oldest first, as the server reads its queue.</summary>
    private async Task<List<SenderKeyMessage>> QueuedGroupCiphertextsAsync(GroupObserver member)
    {
        var database = Server.OpenDatabase();
        try
        {
            var queue = await new Parley.Server.Messages.EnvelopeStore(database).ReadQueueAsync(
                new Parley.Server.Accounts.DeviceAddress(member.Client.AccountId, 1), 0, 100, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
                CancellationToken.None);
            return queue.Where(e => e.Type == Parley.Protocol.Wire.EnvelopeType.SenderKeyMessage).Select(e => SenderKeyMessage.Deserialize(e.Content)).ToList();
        }
        finally
        {
            (database as IDisposable)?.Dispose();
        }
    }

    /// <summary>Polls a condition that no event announces (a single member's receipt), failing with what was expected.</summary>
    private static async Task EventuallyAsync(Func<Task<bool>> condition, string what)
    {
        using var timeout = new CancellationTokenSource(TestDevice.Timeout);
        while (!await condition())
        {
            try
            {
                await Task.Delay(50, timeout.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"expected {what} within {TestDevice.Timeout.TotalSeconds} s.");
            }
        }
    }
}
