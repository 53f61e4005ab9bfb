using Microsoft.JSInterop;
using Parley.Client.Api;
using Parley.Client.Messaging;

namespace Parley.Web.Session;

/// <summary>
/// Group calls in the browser: a mesh, one RTCPeerConnection per other participant. The SDK says
/// who joined (we offer them a connection), who offers us one (we answer) and who left.
/// </summary>
public sealed partial class ChatSession
{
    private void AttachGroupCalls(ParleyClient client)
    {
        client.GroupCallIncoming += incoming => _ = OnIncomingGroupCallAsync(incoming);
        client.GroupCallParticipantJoined += joined => _ = OnParticipantJoinedAsync(joined);
        client.GroupCallOfferReceived += offer => _ = OnGroupOfferAsync(offer);
        client.GroupCallAnswerReceived += answer => _ = OnGroupAnswerAsync(answer);
        client.GroupCallParticipantLeft += left => _ = OnParticipantLeftAsync(left);
        client.GroupCallDeclined += declined => OnCall(declined.CallId, call => call.Notice = $"{declined.Number} declined");
    }

    private async Task StartGroupCallAsync(ParleyClient client, ChatRef chat, bool video)
    {
        var group = await Store.LoadGroupAsync(chat.GroupId!);
        var call = new CallView(chat, group?.Name ?? "Group", video, outgoing: true);
        Call = call;
        Notify();
        var calls = await CallsAsync();
        await calls.InvokeVoidAsync("mark", "callStartedAt");
        if (!await calls.InvokeAsync<bool>("openMedia", video))
        {
            await FinishAsync(call, video ? "Parley can't use your camera or microphone" : "Parley can't use your microphone");
            return;
        }
        try
        {
            call.CallId = await client.StartGroupCallAsync(chat.GroupId!, video);
            await calls.InvokeVoidAsync("mark", "ringSentAt");
            call.Stage = CallStage.Ringing;
            Notify();
        }
        catch (InvalidOperationException error)
        {
            await FinishAsync(call, error.Message);
        }
        catch (Exception error) when (error is HttpRequestException or ParleyApiException or SendFailedException or OperationCanceledException)
        {
            await FinishAsync(call, "Couldn't call: you're offline");
        }
    }

    private async Task JoinGroupCallAsync()
    {
        if (Call is not { CallId: { } callId } call || Client is not { } client)
        {
            return;
        }
        call.Stage = CallStage.Connecting;
        Notify();
        if (!await (await CallsAsync()).InvokeAsync<bool>("openMedia", call.Video))
        {
            await client.DeclineGroupCallAsync(callId);
            return;
        }
        await client.JoinGroupCallAsync(callId);
    }

    private async Task OnIncomingGroupCallAsync(IncomingGroupCall incoming)
    {
        if (Call is not null)
        {
            return;
        }
        var group = await Store.LoadGroupAsync(incoming.GroupId);
        Call = new CallView(ChatRef.Group(incoming.GroupId), group?.Name ?? "Group", incoming.Video, outgoing: false)
        {
            CallId = incoming.CallId,
            CallerNumber = incoming.CallerNumber,
        };
        Notify();
        await (await CallsAsync()).InvokeVoidAsync("mark", "ringingAt");
    }

    /// <summary>Someone joined the call we are in: we offer them a connection.</summary>
    private async Task OnParticipantJoinedAsync(GroupCallParticipant joined)
    {
        if (Call is not { CallId: { } callId } call || !SameCall(call, joined.CallId) || Client is not { } client)
        {
            return;
        }
        AddPeer(call, joined);
        var calls = await CallsAsync();
        var iceServers = await IceServersJsonAsync();
        // If they joined at the same moment, their offer may have won while we waited: we answered it,
        // and an offer now would replace that connection with one nobody answers.
        if (!client.IsOfferingTo(callId, joined.AccountId))
        {
            return;
        }
        if (await calls.InvokeAsync<string?>("createOffer", joined.Number, iceServers, RelayCalls) is { } offer)
        {
            await client.SendGroupCallOfferAsync(callId, joined.AccountId, offer);
        }
    }

    /// <summary>We joined: everyone already in offers us a connection, and we answer each.</summary>
    private async Task OnGroupOfferAsync(GroupCallDescription offer)
    {
        if (Call is not { CallId: { } callId } call || !SameCall(call, offer.From.CallId) || Client is not { } client)
        {
            return;
        }
        AddPeer(call, offer.From);
        var answer = await (await CallsAsync()).InvokeAsync<string>("acceptOffer", offer.From.Number, await IceServersJsonAsync(), RelayCalls, offer.Sdp);
        await client.SendGroupCallAnswerAsync(callId, offer.From.AccountId, answer);
    }

    private async Task OnGroupAnswerAsync(GroupCallDescription answer)
    {
        if (Call is { } call && SameCall(call, answer.From.CallId))
        {
            await (await CallsAsync()).InvokeVoidAsync("applyAnswer", answer.From.Number, answer.Sdp);
        }
    }

    private async Task OnParticipantLeftAsync(GroupCallParticipant left)
    {
        if (Call is not { } call || !SameCall(call, left.CallId))
        {
            return;
        }
        call.Peers.RemoveAll(p => p.Number == left.Number);
        call.Notice = $"{left.Number} left";
        await (await CallsAsync()).InvokeVoidAsync("closePeer", left.Number);
        Notify();
    }

    private void AddPeer(CallView call, GroupCallParticipant participant)
    {
        if (call.Peer(participant.Number) is null)
        {
            call.Peers.Add(new CallPeer(participant.Number, participant.AccountId));
            Notify();
        }
    }
}
