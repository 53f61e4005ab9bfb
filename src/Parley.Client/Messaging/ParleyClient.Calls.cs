using System.Security.Cryptography;
using Google.Protobuf;
using Parley.Client.Storage;
using Parley.Protocol.Encrypted;

namespace Parley.Client.Messaging;

/// <summary>A call ringing on this device; answer with <see cref="ParleyClient.AnswerCallAsync"/> (the app creates the WebRTC answer).</summary>
public sealed record IncomingCall(byte[] CallId, string Number, string AccountId, bool Video, string OfferSdp);

/// <summary>The other side picked up: apply <see cref="AnswerSdp"/> as the remote description.</summary>
public sealed record CallAnswered(byte[] CallId, string Number, uint Device, string AnswerSdp);

public sealed record CallIceCandidates(byte[] CallId, string Number, IReadOnlyList<IceCandidate> Candidates);

/// <summary>A call ended (or stopped ringing here); its history entry is <see cref="Record"/>.</summary>
public sealed record CallEnded(byte[] CallId, CallRecord Record);

/// <summary>
/// 1:1 call signaling: offers, answers and ICE candidates travel end-to-end encrypted as Signal
/// messages; the app drives WebRTC itself. Rings every device of the callee, stops the others when
/// one answers or declines, answers BUSY while in another call, gives up after
/// <see cref="ClientOptions.CallRingTime"/> (a missed call), and keeps a call history on both sides.
/// </summary>
public sealed partial class ParleyClient
{
    private readonly Dictionary<string, ActiveCall> _calls = [];
    private readonly List<CallRecord> _callHistory = [];

    public event Action<IncomingCall>? CallIncoming;

    /// <summary>A device of the callee is ringing (the caller shows "Ringing…").</summary>
    public event Action<byte[]>? CallRinging;

    public event Action<CallAnswered>? CallAnswered;

    public event Action<CallIceCandidates>? CallIceCandidatesReceived;

    public event Action<CallEnded>? CallEnded;

    /// <summary>Rings every device of <paramref name="number"/> with the app's WebRTC offer; answers the call id.</summary>
    public async Task<byte[]> StartCallAsync(string number, string offerSdp, bool video, CancellationToken cancellationToken = default)
    {
        var contact = await ResolveAsync(number, cancellationToken);
        var callId = RandomNumberGenerator.GetBytes(16);
        var call = new ActiveCall(callId, contact.Number, contact.AccountId, CallDirection.Outgoing, video, Now());
        lock (_calls)
        {
            _calls[Key(callId)] = call;
        }
        await SendCallAsync(call, new CallMessage { Kind = CallMessage.Types.Kind.Offer, Sdp = offerSdp, Video = video }, cancellationToken);
        _ = RingTimeoutAsync(call);
        return callId;
    }

    /// <summary>Picks up a ringing call with the app's WebRTC answer; the callee's other devices stop ringing.</summary>
    public async Task AnswerCallAsync(byte[] callId, string answerSdp, CancellationToken cancellationToken = default)
    {
        var call = FindCall(callId) ?? throw new InvalidOperationException("No such call ringing here.");
        call.AnsweredAt = Now();
        call.AnsweredDevice = (uint)Account.DeviceId;
        await SendCallAsync(call, new CallMessage { Kind = CallMessage.Types.Kind.Answer, Sdp = answerSdp }, cancellationToken);
    }

    public async Task DeclineCallAsync(byte[] callId, CancellationToken cancellationToken = default)
    {
        if (FindCall(callId) is not { } call)
        {
            return;
        }
        await SendCallAsync(call, new CallMessage { Kind = CallMessage.Types.Kind.Decline }, cancellationToken);
        await EndCallAsync(call, CallOutcome.Declined);
    }

    public async Task SendIceCandidatesAsync(byte[] callId, IEnumerable<IceCandidate> candidates, CancellationToken cancellationToken = default)
    {
        if (FindCall(callId) is { } call)
        {
            await SendCallAsync(call, new CallMessage { Kind = CallMessage.Types.Kind.Ice, Candidates = { candidates } }, cancellationToken);
        }
    }

    /// <summary>Ends the call (or cancels it while it rings).</summary>
    public async Task HangUpAsync(byte[] callId, CancellationToken cancellationToken = default)
    {
        if (FindCall(callId) is not { } call)
        {
            return;
        }
        await SendCallAsync(call, new CallMessage { Kind = CallMessage.Types.Kind.Hangup }, cancellationToken);
        await EndCallAsync(call, call.AnsweredAt is not null ? CallOutcome.Answered
            : call.Direction == CallDirection.Outgoing ? CallOutcome.Cancelled : CallOutcome.Declined);
    }

    /// <summary>The call history, most recent first.</summary>
    public async Task<IReadOnlyList<CallRecord>> GetCallHistoryAsync()
    {
        if (_store is ICallHistoryStore persistent)
        {
            return await persistent.ListCallsAsync();
        }
        lock (_callHistory)
        {
            return [.. _callHistory.OrderByDescending(c => c.StartedAt)];
        }
    }

    /// <summary>A call message arrived (after decryption, outside the store transaction).</summary>
    private async Task OnCallMessageAsync(string senderAccount, uint senderDevice, string senderNumber, CallMessage message)
    {
        if (message.CallId.Length != 16)
        {
            return;
        }
        var callId = message.CallId.ToByteArray();
        if (message.GroupId.Length > 0)
        {
            await OnGroupCallMessageAsync(callId, senderAccount, senderNumber, message);
            return;
        }
        var call = FindCall(callId);
        switch (message.Kind)
        {
            case CallMessage.Types.Kind.Offer when call is null:
                await OnOfferAsync(callId, senderAccount, senderNumber, message);
                return;
            case CallMessage.Types.Kind.Ringing when call is { Direction: CallDirection.Outgoing }:
                CallRinging?.Invoke(callId);
                return;
            case CallMessage.Types.Kind.Answer when call is { Direction: CallDirection.Outgoing, AnsweredAt: null }:
                call.AnsweredAt = Now();
                call.AnsweredDevice = senderDevice;
                CallAnswered?.Invoke(new CallAnswered(callId, call.PeerNumber, senderDevice, message.Sdp));
                // The callee's other devices are still ringing: tell them which one took it.
                await SendCallAsync(call, new CallMessage
                {
                    Kind = CallMessage.Types.Kind.Hangup,
                    Reason = CallMessage.Types.HangupReason.AnsweredElsewhere,
                    AnsweredDevice = senderDevice,
                }, _stopping.Token);
                return;
            case CallMessage.Types.Kind.Ice when call is not null && senderAccount == call.PeerAccountId:
                CallIceCandidatesReceived?.Invoke(new CallIceCandidates(callId, call.PeerNumber, [.. message.Candidates]));
                return;
            case CallMessage.Types.Kind.Busy when call is { Direction: CallDirection.Outgoing, AnsweredAt: null }:
                await EndCallAsync(call, CallOutcome.Busy);
                return;
            case CallMessage.Types.Kind.Decline when call is { Direction: CallDirection.Outgoing, AnsweredAt: null }:
                await SendCallAsync(call, new CallMessage { Kind = CallMessage.Types.Kind.Hangup, Reason = CallMessage.Types.HangupReason.DeclinedElsewhere },
                    _stopping.Token);
                await EndCallAsync(call, CallOutcome.Declined);
                return;
            case CallMessage.Types.Kind.Hangup when call is not null:
                await OnHangupAsync(call, message);
                return;
        }
    }

    private async Task OnOfferAsync(byte[] callId, string senderAccount, string senderNumber, CallMessage offer)
    {
        var call = new ActiveCall(callId, senderNumber, senderAccount, CallDirection.Incoming, offer.Video, Now());
        if (offer.Timestamp > 0 && Now() - offer.Timestamp > (long)_options.CallRingTime.TotalMilliseconds)
        {
            await RecordAsync(call, CallOutcome.Missed); // delivered after the caller gave up (this device was offline)
            return;
        }
        bool busy;
        lock (_calls)
        {
            busy = _calls.Count > 0 || InGroupCall;
            if (!busy)
            {
                _calls[Key(callId)] = call;
            }
        }
        if (busy)
        {
            await RecordAsync(call, CallOutcome.Missed);
            await SendCallAsync(call, new CallMessage { Kind = CallMessage.Types.Kind.Busy }, _stopping.Token);
            return;
        }
        await SendCallAsync(call, new CallMessage { Kind = CallMessage.Types.Kind.Ringing }, _stopping.Token);
        CallIncoming?.Invoke(new IncomingCall(callId, senderNumber, senderAccount, offer.Video, offer.Sdp));
        _ = RingTimeoutAsync(call);
    }

    private Task OnHangupAsync(ActiveCall call, CallMessage hangup)
    {
        if (hangup.Reason == CallMessage.Types.HangupReason.AnsweredElsewhere && hangup.AnsweredDevice == Account.DeviceId)
        {
            return Task.CompletedTask; // that is us: the call goes on here
        }
        var outcome = hangup.Reason switch
        {
            _ when call.AnsweredAt is not null && call.AnsweredDevice == (uint)Account.DeviceId => CallOutcome.Answered,
            _ when call.AnsweredAt is not null && call.Direction == CallDirection.Outgoing => CallOutcome.Answered,
            CallMessage.Types.HangupReason.AnsweredElsewhere or CallMessage.Types.HangupReason.DeclinedElsewhere => CallOutcome.HandledElsewhere,
            _ => call.Direction == CallDirection.Incoming ? CallOutcome.Missed : CallOutcome.Cancelled,
        };
        return EndCallAsync(call, outcome);
    }

    /// <summary>Nobody answered in time: the caller stops ringing them (a missed call there), the callee stops ringing here.</summary>
    private async Task RingTimeoutAsync(ActiveCall call)
    {
        try
        {
            await Task.Delay(call.Direction == CallDirection.Outgoing ? _options.CallRingTime : _options.CallRingTime + TimeSpan.FromSeconds(5), _stopping.Token);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        if (call.AnsweredAt is not null || FindCall(call.CallId) != call)
        {
            return;
        }
        if (call.Direction == CallDirection.Outgoing)
        {
            await SendCallAsync(call, new CallMessage { Kind = CallMessage.Types.Kind.Hangup, Reason = CallMessage.Types.HangupReason.RingTimeout },
                _stopping.Token);
        }
        await EndCallAsync(call, call.Direction == CallDirection.Outgoing ? CallOutcome.NoAnswer : CallOutcome.Missed);
    }

    private async Task EndCallAsync(ActiveCall call, CallOutcome outcome)
    {
        lock (_calls)
        {
            if (!_calls.Remove(Key(call.CallId)))
            {
                return; // already ended
            }
        }
        var record = await RecordAsync(call, outcome);
        CallEnded?.Invoke(new CallEnded(call.CallId, record));
    }

    private async Task<CallRecord> RecordAsync(ActiveCall call, CallOutcome outcome)
    {
        var duration = outcome == CallOutcome.Answered && call.AnsweredAt is { } answered ? Now() - answered : 0;
        var record = new CallRecord(call.CallId, call.PeerNumber, call.PeerAccountId, call.Direction, call.Video, outcome, call.StartedAt, duration);
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

    private async Task SendCallAsync(ActiveCall call, CallMessage message, CancellationToken cancellationToken)
    {
        message.CallId = ByteString.CopyFrom(call.CallId);
        message.Timestamp = Now();
        try
        {
            await SendContentAsync(call.PeerAccountId, new Content { SenderNumber = Number, Call = message }, RandomNumberGenerator.GetBytes(16),
                message.Timestamp, cancellationToken);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // Shutting down: the other side's ring timeout ends the call there.
        }
    }

    private ActiveCall? FindCall(byte[] callId)
    {
        lock (_calls)
        {
            return _calls.GetValueOrDefault(Key(callId));
        }
    }

    private static string Key(byte[] callId) => Convert.ToHexString(callId);

    private static long Now() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    private sealed class ActiveCall(byte[] callId, string peerNumber, string peerAccountId, CallDirection direction, bool video, long startedAt)
    {
        public byte[] CallId { get; } = callId;
        public string PeerNumber { get; } = peerNumber;
        public string PeerAccountId { get; } = peerAccountId;
        public CallDirection Direction { get; } = direction;
        public bool Video { get; } = video;
        public long StartedAt { get; } = startedAt;
        public long? AnsweredAt { get; set; }
        public uint? AnsweredDevice { get; set; }
    }
}
