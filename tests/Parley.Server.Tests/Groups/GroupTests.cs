using System.Diagnostics;
using System.Security.Cryptography;
using Google.Protobuf;
using Parley.Client.Transport;
using Parley.Protocol.Groups;
using Parley.Protocol.Rest;
using Parley.Protocol.Wire;
using Parley.Server.Storage;
using Parley.Server.Tests.Infrastructure;

namespace Parley.Server.Tests.Groups;

/// <summary>Group management, events and Sender Keys fan-out, on both databases.</summary>
public abstract class GroupTests(ServerFixture fixture)
{
    private ParleyServer Server => fixture.Server;

    private sealed record Member(TestUser User, ParleyConnection Socket, GroupClient Groups)
    {
        public string AccountId => User.AccountId;
    }

    private async Task<Member> JoinAsync()
    {
        var user = await TestUser.RegisterAsync(Server, preKeys: 0);
        return new Member(user, await user.ConnectAsync(), new GroupClient(Server.BaseAddress, user.Credentials));
    }

    private static SendGroupMessage GroupMessage(string groupId, string content) => new()
    {
        GroupId = groupId,
        MessageId = ByteString.CopyFrom(RandomNumberGenerator.GetBytes(16)),
        ClientTimestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
        Content = ByteString.CopyFromUtf8(content),
    };

    /// <summary>Alice, Bob and Carol in a new group, and a message Alice has just sent to it.</summary>
    private async Task<(Member Alice, Member Bob, Member Carol, GroupResponse Group, SendGroupMessage Message)> ThreeMembersAndAMessageAsync(string text)
    {
        var alice = await JoinAsync();
        var bob = await JoinAsync();
        var carol = await JoinAsync();
        var group = (await alice.Groups.CreateAsync("Ticks", bob.AccountId, carol.AccountId)).Value!;
        await NextEventAsync(alice, GroupEventKind.Created);
        var message = GroupMessage(group.GroupId, text);
        await SendAsync(alice, message);
        return (alice, bob, carol, group, message);
    }

    private static async Task<SendResult> SendAsync(Member sender, SendGroupMessage message) =>
        (await sender.Socket.RequestAsync(new ClientFrame { SendGroup = message })).SendResult;

    private static async Task<GroupEvent> NextEventAsync(Member member, GroupEventKind kind)
    {
        while (true)
        {
            var envelope = await Expect.EnvelopeAsync(member.Socket, $"a {kind} group event");
            await member.Socket.AckAsync([envelope.Id]);
            if (envelope.Type == EnvelopeType.GroupEvent && GroupEvent.Parser.ParseFrom(envelope.Content) is { } groupEvent && groupEvent.Kind == kind)
            {
                return groupEvent;
            }
        }
    }

    private static async Task<Envelope> NextMessageAsync(Member member)
    {
        while (true)
        {
            var envelope = await Expect.EnvelopeAsync(member.Socket, "a group message");
            await member.Socket.AckAsync([envelope.Id]);
            if (envelope.Type == EnvelopeType.SenderKeyMessage)
            {
                return envelope;
            }
        }
    }

    [Fact]
    public async Task Created_group_is_announced_to_every_member_with_the_creator_as_admin()
    {
        var alice = await JoinAsync();
        var bob = await JoinAsync();
        var carol = await JoinAsync();

        var (group, problem) = await alice.Groups.CreateAsync("Family", bob.AccountId, carol.AccountId);

        Assert.Null(problem);
        Assert.Equal("Family", group!.Name);
        Assert.True(group.Members.Single(m => m.AccountId == alice.AccountId).Admin);
        foreach (var member in new[] { alice, bob, carol })
        {
            var created = await NextEventAsync(member, GroupEventKind.Created);
            Assert.Equal(alice.AccountId, created.ActorAccount);
            Assert.Equal(3, created.Group.Members.Count);
        }
        Assert.Contains((await bob.Groups.ListAsync()).Value!.Groups, g => g.GroupId == group.GroupId);
    }

    [Fact]
    public async Task Group_message_is_stored_once_and_reaches_every_other_member_device()
    {
        var alice = await JoinAsync();
        var bob = await JoinAsync();
        var carol = await JoinAsync();
        var group = (await alice.Groups.CreateAsync("Team", bob.AccountId, carol.AccountId)).Value!;
        await NextEventAsync(alice, GroupEventKind.Created);
        var marker = "sender-key-ciphertext-" + Guid.NewGuid();

        var result = await SendAsync(alice, GroupMessage(group.GroupId, marker));

        Assert.Equal(2u, result.RecipientDevices);
        // One row of the group log, not a copy per member device.
        Assert.Equal(1, await Server.ScalarAsync("SELECT COUNT(*) FROM envelopes WHERE content = @c", ("c", System.Text.Encoding.UTF8.GetBytes(marker))));
        Assert.Equal(1, await Server.ScalarAsync("SELECT COUNT(*) FROM envelopes WHERE group_id = @g AND type = @t",
            ("g", group.GroupId), ("t", (int)EnvelopeType.SenderKeyMessage)));
        foreach (var member in new[] { bob, carol })
        {
            var envelope = await NextMessageAsync(member);
            Assert.Equal(marker, envelope.Content.ToStringUtf8());
            Assert.Equal(group.GroupId, envelope.GroupId);
            Assert.Equal(alice.AccountId, envelope.SourceAccount);
        }
        var atAlice = new List<Envelope>();
        while (await alice.Socket.NextEnvelopeAsync(TimeSpan.FromMilliseconds(300)) is { } envelope)
        {
            atAlice.Add(envelope);
        }
        Assert.DoesNotContain(atAlice, e => e.Type == EnvelopeType.SenderKeyMessage); // the sender's own device gets no copy
        var delivered = Assert.Single(atAlice); // one receipt for the whole group, not one per member
        Assert.Equal(EnvelopeType.GroupDeliveryReceipt, delivered.Type);
        Assert.Equal(group.GroupId, delivered.GroupId);
    }

    [Fact]
    public async Task Burst_of_messages_from_every_member_arrives_complete_and_in_each_senders_order_and_a_non_member_is_refused_alone()
    {
        // Sends racing each other to one group are stored and pushed in batches; nobody may notice.
        const int PerSender = 25;
        var alice = await JoinAsync();
        var bob = await JoinAsync();
        var carol = await JoinAsync();
        var mallory = await JoinAsync();
        var group = (await alice.Groups.CreateAsync("Busy", bob.AccountId, carol.AccountId)).Value!;
        var members = new[] { alice, bob, carol };
        foreach (var member in members)
        {
            await NextEventAsync(member, GroupEventKind.Created);
        }

        var sends = members.SelectMany(sender => Enumerable.Range(0, PerSender)
            .Select(i => SendAsync(sender, GroupMessage(group.GroupId, $"{sender.AccountId} {i}")))).ToList();
        var intruder = Enumerable.Range(0, 5)
            .Select(_ => Expect.RejectedAsync(mallory.Socket.RequestAsync(new ClientFrame { SendGroup = GroupMessage(group.GroupId, "let me in") })))
            .ToList();

        Assert.All(await Task.WhenAll(sends), result => Assert.Equal(2u, result.RecipientDevices));
        Assert.All(await Task.WhenAll(intruder), refused => Assert.Equal(ErrorCode.NotAMember, refused.Code));
        foreach (var member in members)
        {
            var received = new List<string>();
            while (received.Count < 2 * PerSender)
            {
                received.Add((await NextMessageAsync(member)).Content.ToStringUtf8());
            }
            foreach (var sender in members.Where(m => m != member))
            {
                var fromSender = received.Where(text => text.StartsWith(sender.AccountId + " ", StringComparison.Ordinal)).ToList();
                Assert.Equal(Enumerable.Range(0, PerSender).Select(i => $"{sender.AccountId} {i}"), fromSender);
            }
            Assert.DoesNotContain(received, text => text.StartsWith(member.AccountId + " ", StringComparison.Ordinal));
        }
        await Expect.NothingAsync(mallory.Socket, TimeSpan.FromMilliseconds(200), "a message of a group she is not in");
    }

    [Fact]
    public async Task Sender_hears_delivered_once_when_the_last_member_has_the_message_and_a_read_receipt_alone_does_not_count()
    {
        var (alice, bob, carol, group, message) = await ThreeMembersAndAMessageAsync("two grey ticks when everyone has it");

        await NextMessageAsync(bob);
        await NextEventAsync(carol, GroupEventKind.Created);
        var atCarol = await Expect.EnvelopeAsync(carol.Socket, "the group message");
        await carol.Socket.RequestAsync(new ClientFrame
        {
            ReadReceipt = new SendReadReceipt { SenderAccount = alice.AccountId, GroupId = group.GroupId, MessageIds = { atCarol.MessageId } },
        });
        var read = await Expect.EnvelopeAsync(alice.Socket, "carol's read receipt");
        Assert.Equal((EnvelopeType.ReadReceipt, carol.AccountId), (read.Type, read.SourceAccount));
        await Expect.NothingAsync(alice.Socket, TimeSpan.FromMilliseconds(300), "a delivery receipt before carol's device has the message");
        var carolState = (await alice.Groups.MessageInfoAsync(group.GroupId, message.MessageId.ToByteArray())).Value!.Members
            .Single(m => m.AccountId == carol.AccountId);
        Assert.Equal(carolState.ReadAt, carolState.DeliveredAt); // reading shows as delivered in message info

        await carol.Socket.AckAsync([atCarol.Id]);
        var delivered = await Expect.EnvelopeAsync(alice.Socket, "the group delivery receipt");
        Assert.Equal(EnvelopeType.GroupDeliveryReceipt, delivered.Type);
        Assert.Equal(group.GroupId, delivered.GroupId);
        Assert.Equal(message.MessageId, Assert.Single(delivered.ReceiptedMessageIds));
        await carol.Socket.AckAsync([atCarol.Id]); // a repeated ack changes nothing
        await Expect.NothingAsync(alice.Socket, TimeSpan.FromMilliseconds(300), "a second delivery receipt");
    }

    [Fact]
    public async Task Removed_member_stops_receiving_at_once_and_can_no_longer_send()
    {
        var alice = await JoinAsync();
        var bob = await JoinAsync();
        var carol = await JoinAsync();
        var group = (await alice.Groups.CreateAsync("Club", bob.AccountId, carol.AccountId)).Value!;

        var (after, problem) = await alice.Groups.RemoveAsync(group.GroupId, carol.AccountId);
        Assert.Null(problem);
        Assert.DoesNotContain(after!.Members, m => m.AccountId == carol.AccountId);
        var removed = await NextEventAsync(carol, GroupEventKind.MemberRemoved);
        Assert.Equal([carol.AccountId], removed.TargetAccounts);

        var result = await SendAsync(alice, GroupMessage(group.GroupId, "after carol left"));
        Assert.Equal(1u, result.RecipientDevices);
        Assert.Equal("after carol left", (await NextMessageAsync(bob)).Content.ToStringUtf8());
        await Expect.NothingAsync(carol.Socket, TimeSpan.FromMilliseconds(300), "message after removal");
        var refused = await Expect.RejectedAsync(carol.Socket.RequestAsync(new ClientFrame { SendGroup = GroupMessage(group.GroupId, "still here?") }));
        Assert.Equal(ErrorCode.NotAMember, refused.Code);
    }

    [Fact]
    public async Task Offline_member_gets_group_and_direct_messages_in_order_and_what_it_acked_never_again()
    {
        var alice = await JoinAsync();
        var bob = await JoinAsync();
        var group = (await alice.Groups.CreateAsync("Backlog", bob.AccountId)).Value!;
        await NextEventAsync(bob, GroupEventKind.Created);
        await bob.Socket.DisposeAsync();

        await SendAsync(alice, GroupMessage(group.GroupId, "g1"));
        await alice.Socket.SendAsync(TestUser.MessageTo(bob.User, "d1"));
        await SendAsync(alice, GroupMessage(group.GroupId, "g2"));
        await SendAsync(alice, GroupMessage(group.GroupId, "g3"));

        var socket = await bob.User.ConnectAsync(waitForBacklog: false);
        var backlog = await Expect.EnvelopesAsync(socket, 4, "bob's backlog");
        Assert.Equal(["g1", "d1", "g2", "g3"], backlog.Select(e => e.Content.ToStringUtf8()));
        Assert.Equal(4, await socket.WaitUntilDrainedAsync().WaitAsync(Expect.Timeout));
        await socket.AckAsync([backlog[0].Id, backlog[1].Id, backlog[2].Id]);
        await socket.DisposeAsync();

        // The hourly clean-up keeps in the group's log only what somebody still has to receive.
        await PruneAsync();
        Assert.Equal(["g3"], await GroupLogAsync(group.GroupId));

        socket = await bob.User.ConnectAsync(waitForBacklog: false);
        var again = await Expect.EnvelopeAsync(socket, "the unacked group message again");
        Assert.Equal("g3", again.Content.ToStringUtf8());
        Assert.Equal(1, await socket.WaitUntilDrainedAsync().WaitAsync(Expect.Timeout));
        await socket.AckAsync([again.Id]);
        await socket.DisposeAsync();

        socket = await bob.User.ConnectAsync(waitForBacklog: false);
        Assert.Equal(0, await socket.WaitUntilDrainedAsync().WaitAsync(Expect.Timeout));
        await PruneAsync();
        Assert.Empty(await GroupLogAsync(group.GroupId));
    }

    [Fact]
    public async Task Ack_past_an_unacked_message_counts_as_delivered_at_once_and_both_come_again_with_the_next_backlog()
    {
        var alice = await JoinAsync();
        var bob = await JoinAsync();
        var group = (await alice.Groups.CreateAsync("Gaps", bob.AccountId)).Value!;
        await NextEventAsync(alice, GroupEventKind.Created);
        await NextEventAsync(bob, GroupEventKind.Created);
        var (first, second) = (GroupMessage(group.GroupId, "first"), GroupMessage(group.GroupId, "second"));
        await SendAsync(alice, first);
        await SendAsync(alice, second);
        var pushed = await Expect.EnvelopesAsync(bob.Socket, 2, "both messages");

        await bob.Socket.AckAsync([pushed[1].Id]); // as if the first had been lost on the way
        var delivered = await Expect.EnvelopeAsync(alice.Socket, "the delivery receipt for the second message");
        Assert.Equal(EnvelopeType.GroupDeliveryReceipt, delivered.Type);
        Assert.Equal(second.MessageId, Assert.Single(delivered.ReceiptedMessageIds));
        await bob.Socket.DisposeAsync();

        var socket = await bob.User.ConnectAsync(waitForBacklog: false);
        var again = await Expect.EnvelopesAsync(socket, 2, "both messages again");
        Assert.Equal(["first", "second"], again.Select(e => e.Content.ToStringUtf8()));
        await socket.AckAsync([again[0].Id, again[1].Id]);
        delivered = await Expect.EnvelopeAsync(alice.Socket, "the delivery receipt for the first message");
        Assert.Equal(first.MessageId, Assert.Single(delivered.ReceiptedMessageIds));
        await Expect.NothingAsync(alice.Socket, TimeSpan.FromMilliseconds(300), "a second receipt for the second message");
        await socket.DisposeAsync();

        socket = await bob.User.ConnectAsync(waitForBacklog: false);
        Assert.Equal(0, await socket.WaitUntilDrainedAsync().WaitAsync(Expect.Timeout));
    }

    [Fact]
    public async Task Backlog_longer_than_a_page_brings_two_groups_and_direct_messages_in_the_order_they_were_sent()
    {
        var alice = await JoinAsync();
        var bob = await JoinAsync();
        var first = (await alice.Groups.CreateAsync("First", bob.AccountId)).Value!;
        var second = (await alice.Groups.CreateAsync("Second", bob.AccountId)).Value!;
        await NextEventAsync(bob, GroupEventKind.Created);
        await NextEventAsync(bob, GroupEventKind.Created);
        await bob.Socket.DisposeAsync();

        var sent = new List<string>();
        for (var i = 0; i < 100; i++) // 300 envelopes: more than the server's page of 256
        {
            sent.AddRange([$"first {i}", $"direct {i}", $"second {i}"]);
            await SendAsync(alice, GroupMessage(first.GroupId, $"first {i}"));
            await alice.Socket.SendAsync(TestUser.MessageTo(bob.User, $"direct {i}"));
            await SendAsync(alice, GroupMessage(second.GroupId, $"second {i}"));
        }

        var socket = await bob.User.ConnectAsync(waitForBacklog: false);
        var backlog = await Expect.EnvelopesAsync(socket, sent.Count, "bob's backlog");
        Assert.Equal(sent, backlog.Select(e => e.Content.ToStringUtf8()));
        Assert.Equal(sent.Count, await socket.WaitUntilDrainedAsync().WaitAsync(Expect.Timeout));
    }

    [Fact]
    public async Task Number_registered_again_gets_the_groups_messages_from_then_on()
    {
        var alice = await JoinAsync();
        var bob = await JoinAsync();
        var group = (await alice.Groups.CreateAsync("Phones change", bob.AccountId)).Value!;
        await SendAsync(alice, GroupMessage(group.GroupId, "to the old phone"));
        await bob.Socket.DisposeAsync();

        var newPhone = await TestUser.RegisterAsync(Server, bob.User.Number, preKeys: 0);
        Assert.Equal(bob.AccountId, newPhone.AccountId);
        await SendAsync(alice, GroupMessage(group.GroupId, "to the new phone"));

        var socket = await newPhone.ConnectAsync(waitForBacklog: false);
        var atNewPhone = await Expect.EnvelopeAsync(socket, "the message sent after registering again");
        Assert.Equal("to the new phone", atNewPhone.Content.ToStringUtf8());
        Assert.Equal(1, await socket.WaitUntilDrainedAsync().WaitAsync(Expect.Timeout));
    }

    private Task PruneAsync() => new Parley.Server.Messages.EnvelopeStore(Server.OpenDatabase())
        .DeleteExpiredAsync(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), CancellationToken.None);

    /// <summary>The contents of the group's messages the server still stores.</summary>
    private async Task<List<string>> GroupLogAsync(string groupId)
    {
        var database = Server.OpenDatabase();
        await using var connection = await database.OpenAsync();
        await using var command = connection.Command("SELECT content FROM envelopes WHERE group_id = @g AND type = @t ORDER BY id")
            .With("g", groupId).With("t", (int)EnvelopeType.SenderKeyMessage);
        await using var reader = await command.ExecuteReaderAsync();
        var contents = new List<string>();
        while (await reader.ReadAsync())
        {
            contents.Add(System.Text.Encoding.UTF8.GetString((byte[])reader.GetValue(0)));
        }
        (database as IDisposable)?.Dispose();
        return contents;
    }

    [Fact]
    public async Task Member_who_leaves_still_gets_what_was_sent_before_and_one_who_joins_gets_only_what_comes_after()
    {
        var alice = await JoinAsync();
        var bob = await JoinAsync();
        var carol = await JoinAsync();
        var dave = await JoinAsync();
        var group = (await alice.Groups.CreateAsync("Comings and goings", bob.AccountId, carol.AccountId)).Value!;
        await NextEventAsync(carol, GroupEventKind.Created);
        await carol.Socket.DisposeAsync();

        await SendAsync(alice, GroupMessage(group.GroupId, "before carol was removed"));
        Assert.Null((await alice.Groups.RemoveAsync(group.GroupId, carol.AccountId)).Problem);
        Assert.Null((await alice.Groups.AddAsync(group.GroupId, dave.AccountId)).Problem);
        await SendAsync(alice, GroupMessage(group.GroupId, "after"));

        var socket = await carol.User.ConnectAsync(waitForBacklog: false);
        var atCarol = await Expect.EnvelopesAsync(socket, 2, "carol's backlog");
        Assert.Equal("before carol was removed", atCarol[0].Content.ToStringUtf8());
        Assert.Equal(EnvelopeType.GroupEvent, atCarol[1].Type);
        Assert.Equal(GroupEventKind.MemberRemoved, GroupEvent.Parser.ParseFrom(atCarol[1].Content).Kind);
        Assert.Equal(2, await socket.WaitUntilDrainedAsync().WaitAsync(Expect.Timeout));
        await socket.AckAsync([atCarol[0].Id, atCarol[1].Id]);
        await Expect.NothingAsync(socket, TimeSpan.FromMilliseconds(300), "a message sent after the removal");

        await NextEventAsync(dave, GroupEventKind.MembersAdded);
        Assert.Equal("after", (await NextMessageAsync(dave)).Content.ToStringUtf8());
        await Expect.NothingAsync(dave.Socket, TimeSpan.FromMilliseconds(300), "a message sent before dave joined");
    }

    [Fact]
    public async Task Member_removed_and_added_back_while_offline_gets_what_was_sent_before_and_after_but_not_between()
    {
        var alice = await JoinAsync();
        var bob = await JoinAsync();
        var carol = await JoinAsync();
        var group = (await alice.Groups.CreateAsync("Back again", bob.AccountId, carol.AccountId)).Value!;
        await NextEventAsync(carol, GroupEventKind.Created);
        await carol.Socket.DisposeAsync();

        await SendAsync(alice, GroupMessage(group.GroupId, "before carol was removed"));
        Assert.Null((await alice.Groups.RemoveAsync(group.GroupId, carol.AccountId)).Problem);
        await SendAsync(alice, GroupMessage(group.GroupId, "while carol was out"));
        Assert.Null((await alice.Groups.AddAsync(group.GroupId, carol.AccountId)).Problem);
        await SendAsync(alice, GroupMessage(group.GroupId, "after carol came back"));

        var socket = await carol.User.ConnectAsync(waitForBacklog: false);
        var atCarol = await Expect.EnvelopesAsync(socket, 4, "carol's backlog");
        Assert.Equal("before carol was removed", atCarol[0].Content.ToStringUtf8());
        Assert.Equal(GroupEventKind.MemberRemoved, GroupEvent.Parser.ParseFrom(atCarol[1].Content).Kind);
        Assert.Equal(GroupEventKind.MembersAdded, GroupEvent.Parser.ParseFrom(atCarol[2].Content).Kind);
        Assert.Equal("after carol came back", atCarol[3].Content.ToStringUtf8());
        Assert.Equal(4, await socket.WaitUntilDrainedAsync().WaitAsync(Expect.Timeout));

        // Acked, nothing comes again.
        await socket.AckAsync(atCarol.Select(e => e.Id).ToArray());
        await socket.DisposeAsync();
        socket = await carol.User.ConnectAsync(waitForBacklog: false);
        Assert.Equal(0, await socket.WaitUntilDrainedAsync().WaitAsync(Expect.Timeout));
    }

    [Fact]
    public async Task Non_members_get_nothing_and_can_do_nothing()
    {
        var alice = await JoinAsync();
        var bob = await JoinAsync();
        var mallory = await JoinAsync();
        var group = (await alice.Groups.CreateAsync("Private", bob.AccountId)).Value!;

        Assert.Equal(new ProblemResult(404, ErrorCodes.NotAMember), (await mallory.Groups.GetAsync(group.GroupId)).Problem);
        Assert.Equal(new ProblemResult(404, ErrorCodes.NotAMember), (await mallory.Groups.AddAsync(group.GroupId, mallory.AccountId)).Problem);
        Assert.Equal(new ProblemResult(404, ErrorCodes.NotAMember), (await mallory.Groups.UpdateAsync(group.GroupId, new UpdateGroupRequest("Mine"))).Problem);
        var refused = await Expect.RejectedAsync(mallory.Socket.RequestAsync(new ClientFrame { SendGroup = GroupMessage(group.GroupId, "hi") }));
        Assert.Equal(ErrorCode.NotAMember, refused.Code);
        Assert.DoesNotContain((await mallory.Groups.ListAsync()).Value!.Groups, g => g.GroupId == group.GroupId);
        await Expect.NothingAsync(mallory.Socket, TimeSpan.FromMilliseconds(200), "event of a group she is not in");
    }

    [Fact]
    public async Task Only_admins_add_members_change_settings_and_when_restricted_send()
    {
        var alice = await JoinAsync();
        var bob = await JoinAsync();
        var carol = await JoinAsync();
        var group = (await alice.Groups.CreateAsync("Announcements", bob.AccountId)).Value!;

        Assert.Equal(new ProblemResult(403, ErrorCodes.Forbidden), (await bob.Groups.AddAsync(group.GroupId, carol.AccountId)).Problem);
        Assert.Equal(new ProblemResult(403, ErrorCodes.Forbidden),
            (await bob.Groups.UpdateAsync(group.GroupId, new UpdateGroupRequest(OnlyAdminsSend: true))).Problem);
        Assert.Null((await alice.Groups.UpdateAsync(group.GroupId, new UpdateGroupRequest(OnlyAdminsSend: true))).Problem);

        var refused = await Expect.RejectedAsync(bob.Socket.RequestAsync(new ClientFrame { SendGroup = GroupMessage(group.GroupId, "can I?") }));
        Assert.Equal(ErrorCode.Forbidden, refused.Code);

        Assert.Null((await alice.Groups.SetAdminAsync(group.GroupId, bob.AccountId, true)).Problem);
        Assert.Null((await bob.Groups.AddAsync(group.GroupId, carol.AccountId)).Problem);
        Assert.Equal(1u, (await SendAsync(bob, GroupMessage(group.GroupId, "now I can"))).RecipientDevices - 1u);
    }

    [Fact]
    public async Task Last_admin_leaving_promotes_the_longest_standing_member()
    {
        var alice = await JoinAsync();
        var bob = await JoinAsync();
        var carol = await JoinAsync();
        var group = (await alice.Groups.CreateAsync("Book club", bob.AccountId)).Value!;
        await Task.Delay(5);
        Assert.Null((await alice.Groups.AddAsync(group.GroupId, carol.AccountId)).Problem);

        var (after, problem) = await alice.Groups.RemoveAsync(group.GroupId, alice.AccountId);

        Assert.Null(problem);
        Assert.True(after!.Members.Single(m => m.AccountId == bob.AccountId).Admin);
        Assert.False(after.Members.Single(m => m.AccountId == carol.AccountId).Admin);
        var left = await NextEventAsync(carol, GroupEventKind.MemberLeft);
        Assert.Equal(alice.AccountId, left.ActorAccount);
    }

    [Fact]
    public async Task Invite_link_lets_people_join_until_it_is_revoked()
    {
        var alice = await JoinAsync();
        var dave = await JoinAsync();
        var eve = await JoinAsync();
        var group = (await alice.Groups.CreateAsync("Open")).Value!;
        var token = (await alice.Groups.CreateInviteAsync(group.GroupId)).Value!.Token;

        var (joined, problem) = await dave.Groups.JoinAsync(token);
        Assert.Null(problem);
        Assert.Contains(joined!.Members, m => m.AccountId == dave.AccountId);
        Assert.Equal([dave.AccountId], (await NextEventAsync(alice, GroupEventKind.JoinedByLink)).TargetAccounts);

        Assert.Null((await alice.Groups.RevokeInviteAsync(group.GroupId)).Problem);
        Assert.Equal(ErrorCodes.InvalidInvite, (await eve.Groups.JoinAsync(token)).Problem?.Code);
    }

    [Fact]
    public async Task Message_info_shows_who_has_it_delivered_and_who_has_read_it()
    {
        var (alice, bob, carol, group, message) = await ThreeMembersAndAMessageAsync("did you all get this?");

        var atBob = await NextMessageAsync(bob); // acked => delivered
        await bob.Socket.RequestAsync(new ClientFrame
        {
            ReadReceipt = new SendReadReceipt { SenderAccount = alice.AccountId, GroupId = group.GroupId, MessageIds = { atBob.MessageId } },
        });

        var info = (await alice.Groups.MessageInfoAsync(group.GroupId, message.MessageId.ToByteArray())).Value!;
        var bobState = info.Members.Single(m => m.AccountId == bob.AccountId);
        var carolState = info.Members.Single(m => m.AccountId == carol.AccountId);
        Assert.NotNull(bobState.DeliveredAt);
        Assert.NotNull(bobState.ReadAt);
        Assert.Null(carolState.ReadAt);
        Assert.Equal(ErrorCodes.InvalidRequest, (await bob.Groups.MessageInfoAsync(group.GroupId, message.MessageId.ToByteArray())).Problem?.Code);
        var read = await Expect.EnvelopeAsync(alice.Socket, "bob's read receipt");
        Assert.Equal((EnvelopeType.ReadReceipt, bob.AccountId, group.GroupId), (read.Type, read.SourceAccount, read.GroupId));
    }

    [Fact]
    public async Task Message_info_is_kept_as_long_as_messages_are_then_pruned_by_the_hourly_expiry()
    {
        var alice = await JoinAsync();
        var bob = await JoinAsync();
        var group = (await alice.Groups.CreateAsync("Old news", bob.AccountId)).Value!;
        var (old, recent) = (GroupMessage(group.GroupId, "a month ago"), GroupMessage(group.GroupId, "today"));
        await SendAsync(alice, old);
        await SendAsync(alice, recent);
        await NextMessageAsync(bob);
        await NextMessageAsync(bob);
        await Server.ExecuteSqlAsync("UPDATE group_messages SET sent_at = 1 WHERE group_id = @g AND message_id = @m",
            ("g", group.GroupId), ("m", old.MessageId.ToByteArray()));

        await new Parley.Server.Messages.EnvelopeStore(Server.OpenDatabase())
            .DeleteExpiredAsync(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), CancellationToken.None);

        Assert.NotNull((await alice.Groups.MessageInfoAsync(group.GroupId, old.MessageId.ToByteArray())).Problem);
        Assert.NotNull(Assert.Single((await alice.Groups.MessageInfoAsync(group.GroupId, recent.MessageId.ToByteArray())).Value!.Members).DeliveredAt);
        Assert.Equal(1, await Server.ScalarAsync("SELECT COUNT(*) FROM group_receipts WHERE group_id = @g", ("g", group.GroupId)));
    }
}

public sealed class GroupTestsOnSqlite(SqliteServerFixture fixture) : GroupTests(fixture), IClassFixture<SqliteServerFixture>;

public sealed class GroupTestsOnPostgres(PostgresServerFixture fixture) : GroupTests(fixture), IClassFixture<PostgresServerFixture>;
