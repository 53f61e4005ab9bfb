using System.Security.Cryptography;
using Google.Protobuf;
using Parley.Client.Storage;
using Parley.Protocol.Encrypted;

namespace Parley.Client.Messaging;

/// <summary>A group call rings here: join with <see cref="ParleyClient.JoinGroupCallAsync"/> or decline.</summary>
public sealed record IncomingGroupCall(byte[] CallId, string GroupId, string CallerNumber, bool Video);

/// <summary>Another participant of a group call (its pairwise WebRTC connection is named by <see cref="Number"/>).</summary>
public sealed record GroupCallParticipant(byte[] CallId, string GroupId, string Number, string AccountId);

/// <summary>A pairwise offer or answer inside a group call.</summary>
public sealed record GroupCallDescription(GroupCallParticipant From, string Sdp);

/// <summary>
/// Group calls as a mesh of pairwise WebRTC connections (up to <see cref="MaxGroupCallParticipants"/>),
/// all signaling end to end encrypted like 1:1 calls, every message carrying the group id:
/// <list type="bullet">
/// <item>JOIN goes to every member. The first one rings those not in the call; a member already in
/// the call answers a JOIN with a pairwise OFFER to the joiner, so a joiner connects to everyone
/// who is in without needing a participant list.</item>
/// <item>ANSWER and ICE go back pairwise. Two members joining at the same moment may offer each other:
/// the one with the smaller account id keeps its offer, the other answers it and drops its own
/// (<see cref="ParleyClient.IsOfferingTo"/> turns false, and a late <see cref="ParleyClient.SendGroupCallOfferAsync"/>
/// is not sent), so every pair ends up with exactly one offer and one answer.</item>
/// <item>HANGUP (to every member) leaves; DECLINE (to every member) says no. A ringing member stops
/// ringing after the ring time, or when everybody in the call has left.</item>
/// </list>
/// </summary>
public sealed partial class ParleyClient
{
    /// <summary>A mesh sends every stream to every other participant: beyond 8 the uplink gives out (docs/calls.md: the SFU path).</summary>
    public const int MaxGroupCallParticipants = 8;

    private readonly Dictionary<string, GroupCall> _groupCalls = [];

    public event Action<IncomingGroupCall>? GroupCallIncoming;

    /// <summary>Someone joined the call we are in: create a WebRTC offer for them (<see cref="SendGroupCallOfferAsync"/>).</summary>
    public event Action<GroupCallParticipant>? GroupCallParticipantJoined;

    /// <summary>A participant offers us a connection (we just joined): answer with <see cref="SendGroupCallAnswerAsync"/>.</summary>
    public event Action<GroupCallDescription>? GroupCallOfferReceived;

    public event Action<GroupCallDescription>? GroupCallAnswerReceived;

    public event Action<GroupCallParticipant>? GroupCallParticipantLeft;

    /// <summary>A member said no (the others keep talking).</summary>
    public event Action<GroupCallParticipant>? GroupCallDeclined;

    private bool InGroupCall
    {
        get
        {
            lock (_groupCalls)
            {
                return _groupCalls.Values.Any(c => c.JoinedAt is not null);
            }
        }
    }

    /// <summary>Starts a call in a group: every member's devices ring. Answers the call id.</summary>
    /// <exception cref="InvalidOperationException">Not a member, or the group is larger than the mesh allows.</exception>
    public async Task<byte[]> StartGroupCallAsync(string groupId, bool video, CancellationToken cancellationToken = default)
    {
        var group = await _store.LoadGroupAsync(groupId);
        if (group is not { IsMember: true })
        {
            throw new InvalidOperationException("Not a member of this group.");
        }
        if (group.Members.Count > MaxGroupCallParticipants)
        {
            throw new InvalidOperationException($"Group calls take at most {MaxGroupCallParticipants} people.");
        }
        var call = new GroupCall(RandomNumberGenerator.GetBytes(16), groupId, Number, AccountId, CallDirection.Outgoing, video, Now()) { JoinedAt = Now() };
        lock (_groupCalls)
        {
            _groupCalls[Key(call.CallId)] = call;
        }
        await SendToGroupCallAsync(call, new CallMessage { Kind = CallMessage.Types.Kind.Join, Video = video }, cancellationToken);
        return call.CallId;
    }

    /// <summary>Joins a ringing group call: everyone already in offers us a connection (<see cref="GroupCallOfferReceived"/>).</summary>
    public async Task JoinGroupCallAsync(byte[] callId, CancellationToken cancellationToken = default)
    {
        var call = FindGroupCall(callId) ?? throw new InvalidOperationException("No such group call ringing here.");
        call.JoinedAt ??= Now();
        await SendToGroupCallAsync(call, new CallMessage { Kind = CallMessage.Types.Kind.Join, Video = call.Video }, cancellationToken);
    }

    public async Task DeclineGroupCallAsync(byte[] callId, CancellationToken cancellationToken = default)
    {
        if (FindGroupCall(callId) is { JoinedAt: null } call)
        {
            await SendToGroupCallAsync(call, new CallMessage { Kind = CallMessage.Types.Kind.Decline }, cancellationToken);
            await EndGroupCallAsync(call, CallOutcome.Declined);
        }
    }

    /// <summary>Leaves the group call (the others go on without us).</summary>
    public async Task LeaveGroupCallAsync(byte[] callId, CancellationToken cancellationToken = default)
    {
        if (FindGroupCall(callId) is { JoinedAt: not null } call)
        {
            await SendToGroupCallAsync(call, new CallMessage { Kind = CallMessage.Types.Kind.Hangup }, cancellationToken);
            await EndGroupCallAsync(call, CallOutcome.Answered);
        }
    }

    /// <summary>
    /// Whether we are (still) the side that offers <paramref name="participantAccountId"/> a connection:
    /// true from their JOIN on, false once their own offer won over ours. Check it right before
    /// creating the offer, so a connection already answered is not replaced by one nobody will answer.
    /// </summary>
    public bool IsOfferingTo(byte[] callId, string participantAccountId)
    {
        if (FindGroupCall(callId) is not { } call)
        {
            return false;
        }
        lock (call)
        {
            return call.OfferedTo.Contains(participantAccountId);
        }
    }

    /// <summary>Offers a participant who joined a connection; not sent when their own offer won in the meantime (see <see cref="IsOfferingTo"/>).</summary>
    public Task SendGroupCallOfferAsync(byte[] callId, string participantAccountId, string offerSdp, CancellationToken cancellationToken = default) =>
        FindGroupCall(callId) is { } call && IsOfferingTo(callId, participantAccountId)
            ? SendToParticipantAsync(call, participantAccountId, new CallMessage { Kind = CallMessage.Types.Kind.Offer, Sdp = offerSdp, Video = call.Video },
                cancellationToken)
            : Task.CompletedTask;

    public Task SendGroupCallAnswerAsync(byte[] callId, string participantAccountId, string answerSdp, CancellationToken cancellationToken = default) =>
        FindGroupCall(callId) is { } call
            ? SendToParticipantAsync(call, participantAccountId, new CallMessage { Kind = CallMessage.Types.Kind.Answer, Sdp = answerSdp }, cancellationToken)
            : Task.CompletedTask;

    public Task SendGroupCallIceCandidatesAsync(byte[] callId, string participantAccountId, IEnumerable<IceCandidate> candidates,
        CancellationToken cancellationToken = default) =>
        FindGroupCall(callId) is { } call
            ? SendToParticipantAsync(call, participantAccountId, new CallMessage { Kind = CallMessage.Types.Kind.Ice, Candidates = { candidates } }, cancellationToken)
            : Task.CompletedTask;

    /// <summary>Who else is in the group call we are in (as far as JOIN and HANGUP told us).</summary>
    public IReadOnlyList<string> GroupCallParticipants(byte[] callId)
    {
        if (FindGroupCall(callId) is not { } call)
        {
            return [];
        }
        lock (call)
        {
            return [.. call.Participants.Keys];
        }
    }

    private async Task OnGroupCallMessageAsync(byte[] callId, string senderAccount, string senderNumber, CallMessage message)
    {
        var group = await _store.LoadGroupAsync(message.GroupId);
        if (group is not { IsMember: true } || group.Members.All(m => m.AccountId != senderAccount))
        {
            return; // only members of the group can ring it or join
        }
        var call = FindGroupCall(callId);
        if (call is not null && call.GroupId != message.GroupId)
        {
            return;
        }
        var from = new GroupCallParticipant(callId, message.GroupId, senderNumber, senderAccount);
        switch (message.Kind)
        {
            case CallMessage.Types.Kind.Join when call is null:
                await OnGroupCallRingAsync(callId, from, message);
                return;
            case CallMessage.Types.Kind.Join:
                bool connect;
                lock (call)
                {
                    call.Participants[senderAccount] = senderNumber;
                    connect = call.JoinedAt is not null;
                    if (connect)
                    {
                        // Marked now, not when our offer goes out: their offer may arrive first, and both sides must agree who yields.
                        call.OfferedTo.Add(senderAccount);
                    }
                }
                if (connect)
                {
                    GroupCallParticipantJoined?.Invoke(from);
                }
                return;
            case CallMessage.Types.Kind.Offer when call is { JoinedAt: not null }:
                lock (call)
                {
                    call.Participants[senderAccount] = senderNumber;
                    // Both offered at once: the smaller account id's offer wins, the other side answers it.
                    if (call.OfferedTo.Contains(senderAccount) && string.CompareOrdinal(AccountId, senderAccount) < 0)
                    {
                        return;
                    }
                    call.OfferedTo.Remove(senderAccount);
                }
                GroupCallOfferReceived?.Invoke(new GroupCallDescription(from, message.Sdp));
                return;
            case CallMessage.Types.Kind.Answer when call is { JoinedAt: not null }:
                // OfferedTo keeps them: an offer of theirs that was already on its way must still lose.
                GroupCallAnswerReceived?.Invoke(new GroupCallDescription(from, message.Sdp));
                return;
            case CallMessage.Types.Kind.Ice when call is { JoinedAt: not null }:
                CallIceCandidatesReceived?.Invoke(new CallIceCandidates(callId, senderNumber, [.. message.Candidates]));
                return;
            case CallMessage.Types.Kind.Decline when call is not null:
                GroupCallDeclined?.Invoke(from);
                return;
            case CallMessage.Types.Kind.Hangup when call is not null:
                await OnGroupCallLeftAsync(call, from);
                return;
        }
    }

    private async Task OnGroupCallRingAsync(byte[] callId, GroupCallParticipant from, CallMessage join)
    {
        var call = new GroupCall(callId, from.GroupId, from.Number, from.AccountId, CallDirection.Incoming, join.Video, Now());
        call.Participants[from.AccountId] = from.Number;
        if (join.Timestamp > 0 && Now() - join.Timestamp > (long)_options.CallRingTime.TotalMilliseconds)
        {
            await RecordGroupCallAsync(call, CallOutcome.Missed); // arrived after the ring time (this device was offline)
            return;
        }
        bool busy;
        lock (_calls)
        {
            busy = _calls.Count > 0 || InGroupCall;
        }
        if (busy)
        {
            await RecordGroupCallAsync(call, CallOutcome.Missed);
            return;
        }
        lock (_groupCalls)
        {
            _groupCalls[Key(callId)] = call;
        }
        GroupCallIncoming?.Invoke(new IncomingGroupCall(callId, from.GroupId, from.Number, join.Video));
        _ = GroupRingTimeoutAsync(call);
    }

    private async Task OnGroupCallLeftAsync(GroupCall call, GroupCallParticipant from)
    {
        bool empty;
        lock (call)
        {
            call.Participants.Remove(from.AccountId);
            call.OfferedTo.Remove(from.AccountId);
            empty = call.Participants.Count == 0;
        }
        if (call.JoinedAt is not null)
        {
            GroupCallParticipantLeft?.Invoke(from);
        }
        else if (empty)
        {
            await EndGroupCallAsync(call, CallOutcome.Missed); // everybody left before we picked up
        }
    }

    private async Task GroupRingTimeoutAsync(GroupCall call)
    {
        try
        {
            await Task.Delay(_options.CallRingTime, _stopping.Token);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        if (call.JoinedAt is null && FindGroupCall(call.CallId) == call)
        {
            await EndGroupCallAsync(call, CallOutcome.Missed);
        }
    }

    private async Task EndGroupCallAsync(GroupCall call, CallOutcome outcome)
    {
        lock (_groupCalls)
        {
            if (!_groupCalls.Remove(Key(call.CallId)))
            {
                return;
            }
        }
        var record = await RecordGroupCallAsync(call, outcome);
        CallEnded?.Invoke(new CallEnded(call.CallId, record));
    }

    private async Task<CallRecord> RecordGroupCallAsync(GroupCall call, CallOutcome outcome)
    {
        var duration = outcome == CallOutcome.Answered && call.JoinedAt is { } joined ? Now() - joined : 0;
        var record = new CallRecord(call.CallId, call.CallerNumber, call.CallerAccountId, call.Direction, call.Video, outcome, call.StartedAt, duration, call.GroupId);
        if (_store is ICallHistoryStore persistent)
        {
            await persistent.AddCallAsync(record);
        }
        else
        {
            lock (_callHistory)
            {
                _callHistory.Add(record);
            }
        }
        return record;
    }

    /// <summary>JOIN, DECLINE and HANGUP go to every other member of the group.</summary>
    private async Task SendToGroupCallAsync(GroupCall call, CallMessage message, CancellationToken cancellationToken)
    {
        var group = await _store.LoadGroupAsync(call.GroupId);
        foreach (var member in group?.Members ?? [])
        {
            if (member.AccountId != AccountId)
            {
                await SendToParticipantAsync(call, member.AccountId, message.Clone(), cancellationToken);
            }
        }
    }

    private async Task SendToParticipantAsync(GroupCall call, string accountId, CallMessage message, CancellationToken cancellationToken)
    {
        message.CallId = ByteString.CopyFrom(call.CallId);
        message.GroupId = call.GroupId;
        message.Timestamp = Now();
        try
        {
            await SendContentAsync(accountId, new Content { SenderNumber = Number, Call = message }, RandomNumberGenerator.GetBytes(16), message.Timestamp,
                cancellationToken);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // Shutting down: the others notice the connection drop.
        }
        catch (UnknownNumberException)
        {
            // A member whose account is gone: the call goes on without them.
        }
    }

    private GroupCall? FindGroupCall(byte[] callId)
    {
        lock (_groupCalls)
        {
            return _groupCalls.GetValueOrDefault(Key(callId));
        }
    }

    private sealed class GroupCall(byte[] callId, string groupId, string callerNumber, string callerAccountId, CallDirection direction, bool video, long startedAt)
    {
        public byte[] CallId { get; } = callId;
        public string GroupId { get; } = groupId;
        public string CallerNumber { get; } = callerNumber;
        public string CallerAccountId { get; } = callerAccountId;
        public CallDirection Direction { get; } = direction;
        public bool Video { get; } = video;
        public long StartedAt { get; } = startedAt;
        public long? JoinedAt { get; set; }

        /// <summary>Account id to number of everyone else known to be in the call.</summary>
        public Dictionary<string, string> Participants { get; } = [];

        /// <summary>
        /// Participants we are the offering side for: added when their JOIN arrives while we are in the
        /// call, removed when their offer wins over ours or when they leave.
        /// </summary>
        public HashSet<string> OfferedTo { get; } = [];
    }
}
