using System.Threading.Channels;
using Parley.Client.Messaging;
using Parley.Client.Storage;
using Parley.Client.Tests.Devices;
using Parley.Client.Tests.Infrastructure;
using Parley.Protocol.Encrypted;

namespace Parley.Client.Tests.Calls;

/// <summary>
/// Group call signaling (a mesh of pairwise connections) between real clients through a real server:
/// ringing, joining one after another, connecting pairwise with everyone already in, declining,
/// leaving mid-call, and what each member's call history keeps.
/// </summary>
public sealed class GroupCallSignalingTests(LinkingServerFixture fixture) : IClassFixture<LinkingServerFixture>
{
    private sealed class Member
    {
        public Member(TestDevice device)
        {
            Device = device;
            Client.GroupChanged += c => Changes.Writer.TryWrite(c);
            Client.GroupCallIncoming += c => Ringing.Writer.TryWrite(c);
            Client.GroupCallParticipantJoined += p => Joined.Writer.TryWrite(p);
            Client.GroupCallOfferReceived += d => Offers.Writer.TryWrite(d);
            Client.GroupCallAnswerReceived += d => Answers.Writer.TryWrite(d);
            Client.CallIceCandidatesReceived += c => Ice.Writer.TryWrite(c);
            Client.GroupCallParticipantLeft += p => Left.Writer.TryWrite(p);
            Client.GroupCallDeclined += p => Declined.Writer.TryWrite(p);
            Client.CallEnded += e => Ended.Writer.TryWrite(e);
        }

        public TestDevice Device { get; }
        public ParleyClient Client => Device.Client;
        public string Number => Device.Number;
        public Channel<GroupChangedEvent> Changes { get; } = Channel.CreateUnbounded<GroupChangedEvent>();
        public Channel<IncomingGroupCall> Ringing { get; } = Channel.CreateUnbounded<IncomingGroupCall>();
        public Channel<GroupCallParticipant> Joined { get; } = Channel.CreateUnbounded<GroupCallParticipant>();
        public Channel<GroupCallDescription> Offers { get; } = Channel.CreateUnbounded<GroupCallDescription>();
        public Channel<GroupCallDescription> Answers { get; } = Channel.CreateUnbounded<GroupCallDescription>();
        public Channel<CallIceCandidates> Ice { get; } = Channel.CreateUnbounded<CallIceCandidates>();
        public Channel<GroupCallParticipant> Left { get; } = Channel.CreateUnbounded<GroupCallParticipant>();
        public Channel<GroupCallParticipant> Declined { get; } = Channel.CreateUnbounded<GroupCallParticipant>();
        public Channel<CallEnded> Ended { get; } = Channel.CreateUnbounded<CallEnded>();
    }

    private static async Task<T> NextAsync<T>(Channel<T> events, string what)
    {
        using var timeout = new CancellationTokenSource(TestDevice.Timeout);
        try
        {
            return await events.Reader.ReadAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            throw new Xunit.Sdk.XunitException($"Expected {what} within {TestDevice.Timeout.TotalSeconds} s.");
        }
    }

    private async Task<Member> MemberAsync() => new(await TestDevice.RegisterAsync(fixture.Server,
        options: new ClientOptions { Connection = new() { InitialBackoff = TimeSpan.FromMilliseconds(100) } }));

    /// <summary>What the app does when someone joins the call it is in: offer them a connection, and they answer.</summary>
    private static async Task ConnectAsync(Member inCall, Member joiner, byte[] callId)
    {
        var joined = await NextAsync(inCall.Joined, $"{joiner.Number} joining at {inCall.Number}");
        Assert.Equal((joiner.Number, joiner.Client.AccountId), (joined.Number, joined.AccountId));
        await inCall.Client.SendGroupCallOfferAsync(callId, joined.AccountId, $"offer {inCall.Number}->{joiner.Number}");
    }

    private static async Task AnswerOffersAsync(Member joiner, byte[] callId, params Member[] inCall)
    {
        var offers = new List<GroupCallDescription>();
        for (var i = 0; i < inCall.Length; i++)
        {
            offers.Add(await NextAsync(joiner.Offers, $"offer {i + 1} of {inCall.Length} at {joiner.Number}"));
        }
        Assert.Equal(inCall.Select(m => $"offer {m.Number}->{joiner.Number}").Order(), offers.Select(o => o.Sdp).Order());
        foreach (var offer in offers)
        {
            await joiner.Client.SendGroupCallAnswerAsync(callId, offer.From.AccountId, $"answer {joiner.Number}->{offer.From.Number}");
        }
        foreach (var member in inCall)
        {
            var answer = await NextAsync(member.Answers, $"{joiner.Number}'s answer at {member.Number}");
            Assert.Equal((joiner.Number, $"answer {joiner.Number}->{member.Number}"), (answer.From.Number, answer.Sdp));
        }
    }

    [Fact]
    public async Task Members_ring_join_one_by_one_connect_pairwise_decline_and_leave_with_history_on_each()
    {
        var alice = await MemberAsync();
        var (bob, carol, dave, erin) = (await MemberAsync(), await MemberAsync(), await MemberAsync(), await MemberAsync());
        var others = new[] { bob, carol, dave, erin };
        var group = await alice.Client.CreateGroupAsync("Band", others.Select(m => m.Number));
        foreach (var member in others)
        {
            await NextAsync(member.Changes, $"the group reaching {member.Number}");
        }

        var callId = await alice.Client.StartGroupCallAsync(group.GroupId, video: true);
        foreach (var member in others)
        {
            var ringing = await NextAsync(member.Ringing, $"the group call ringing at {member.Number}");
            Assert.Equal((Convert.ToHexString(callId), group.GroupId, alice.Number, true), (Convert.ToHexString(ringing.CallId), ringing.GroupId, ringing.CallerNumber, ringing.Video));
        }

        // Bob joins: Alice (in the call) offers him a connection; ICE flows pairwise.
        await bob.Client.JoinGroupCallAsync(callId);
        await ConnectAsync(alice, bob, callId);
        await AnswerOffersAsync(bob, callId, alice);
        await bob.Client.SendGroupCallIceCandidatesAsync(callId, alice.Client.AccountId, [new IceCandidate { Candidate = "candidate:1 1 udp 1 192.0.2.7 5000 typ host", SdpMid = "0" }]);
        var ice = await NextAsync(alice.Ice, "Bob's ICE candidate at Alice");
        Assert.Equal((Convert.ToHexString(callId), bob.Number, "0"), (Convert.ToHexString(ice.CallId), ice.Number, ice.Candidates.Single().SdpMid));

        // Carol joins: both Alice and Bob offer; she answers each.
        await carol.Client.JoinGroupCallAsync(callId);
        await ConnectAsync(alice, carol, callId);
        await ConnectAsync(bob, carol, callId);
        await AnswerOffersAsync(carol, callId, alice, bob);
        Assert.Equal(new[] { alice.Client.AccountId, bob.Client.AccountId }.Order(), carol.Client.GroupCallParticipants(callId).Order());

        // Dave declines: everyone in the call hears it, his phone stops ringing.
        await dave.Client.DeclineGroupCallAsync(callId);
        foreach (var member in new[] { alice, bob, carol })
        {
            Assert.Equal(dave.Number, (await NextAsync(member.Declined, $"Dave's decline at {member.Number}")).Number);
        }
        var daveRecord = (await NextAsync(dave.Ended, "Dave's call ending")).Record;
        Assert.Equal((CallDirection.Incoming, CallOutcome.Declined, group.GroupId, alice.Number), (daveRecord.Direction, daveRecord.Outcome, daveRecord.GroupId, daveRecord.PeerNumber));

        // Bob leaves mid-call; Alice and Carol go on, then leave too. Erin, who never picked up, stops ringing: missed.
        await Task.Delay(300);
        await bob.Client.LeaveGroupCallAsync(callId);
        Assert.Equal(bob.Number, (await NextAsync(alice.Left, "Bob leaving, at Alice")).Number);
        Assert.Equal(bob.Number, (await NextAsync(carol.Left, "Bob leaving, at Carol")).Number);
        var bobRecord = (await NextAsync(bob.Ended, "Bob's call ending")).Record;
        Assert.Equal((CallDirection.Incoming, CallOutcome.Answered, group.GroupId), (bobRecord.Direction, bobRecord.Outcome, bobRecord.GroupId));
        Assert.InRange(bobRecord.DurationMs, 300, 60_000);
        await alice.Client.LeaveGroupCallAsync(callId);
        await carol.Client.LeaveGroupCallAsync(callId);
        var aliceRecord = (await NextAsync(alice.Ended, "Alice's call ending")).Record;
        Assert.Equal((CallDirection.Outgoing, CallOutcome.Answered, group.GroupId), (aliceRecord.Direction, aliceRecord.Outcome, aliceRecord.GroupId));
        var erinRecord = (await NextAsync(erin.Ended, "the call ending at Erin")).Record;
        Assert.Equal((CallOutcome.Missed, group.GroupId), (erinRecord.Outcome, erinRecord.GroupId));
        Assert.Equal(CallOutcome.Missed, (await erin.Client.GetCallHistoryAsync())[0].Outcome);
    }
    [Fact]
    public async Task Two_members_joining_at_once_end_up_with_one_offer_and_one_answer_between_them()
    {
        var alice = await MemberAsync();
        var (bob, carol) = (await MemberAsync(), await MemberAsync());
        var group = await alice.Client.CreateGroupAsync("Trio", [bob.Number, carol.Number]);
        await NextAsync(bob.Changes, "the group reaching Bob");
        await NextAsync(carol.Changes, "the group reaching Carol");
        var callId = await alice.Client.StartGroupCallAsync(group.GroupId, video: false);
        await NextAsync(bob.Ringing, "the call ringing at Bob");
        await NextAsync(carol.Ringing, "the call ringing at Carol");

        // Both pick up at the same moment: each is in the call when the other's JOIN arrives, so each would offer.
        await Task.WhenAll(bob.Client.JoinGroupCallAsync(callId), carol.Client.JoinGroupCallAsync(callId));
        await NextAsync(bob.Joined, "Carol joining, at Bob");
        await NextAsync(carol.Joined, "Bob joining, at Carol");
        var (keeps, yields) = string.CompareOrdinal(bob.Client.AccountId, carol.Client.AccountId) < 0 ? (bob, carol) : (carol, bob);
        Assert.True(keeps.Client.IsOfferingTo(callId, yields.Client.AccountId));
        Assert.True(yields.Client.IsOfferingTo(callId, keeps.Client.AccountId));

        // The one that keeps its offer sends it first; the other, still creating its own, gets it, answers it and drops its own.
        await keeps.Client.SendGroupCallOfferAsync(callId, yields.Client.AccountId, "offer from the keeper");
        Assert.Equal("offer from the keeper", (await NextAsync(yields.Offers, "the keeper's offer")).Sdp);
        Assert.False(yields.Client.IsOfferingTo(callId, keeps.Client.AccountId));
        await yields.Client.SendGroupCallAnswerAsync(callId, keeps.Client.AccountId, "answer to the keeper");
        Assert.Equal("answer to the keeper", (await NextAsync(keeps.Answers, "the answer at the keeper")).Sdp);
        Assert.True(keeps.Client.IsOfferingTo(callId, yields.Client.AccountId)); // still the offering side of this pair

        // Its own offer, finished late, is not sent (and the keeper would ignore one already on its way).
        await yields.Client.SendGroupCallOfferAsync(callId, keeps.Client.AccountId, "late offer, must not go out");
        await yields.Client.SendGroupCallIceCandidatesAsync(callId, keeps.Client.AccountId, [new IceCandidate { Candidate = "candidate:1 1 udp 1 192.0.2.8 5000 typ host", SdpMid = "0" }]);
        await NextAsync(keeps.Ice, "the ICE candidate sent after the late offer");
        Assert.False(keeps.Offers.Reader.TryRead(out var late), $"the keeper also got an offer: {late?.Sdp}");

        await yields.Client.LeaveGroupCallAsync(callId);
        await NextAsync(keeps.Left, "the other leaving");
        await alice.Client.LeaveGroupCallAsync(callId);
        await keeps.Client.LeaveGroupCallAsync(callId);
    }
}
