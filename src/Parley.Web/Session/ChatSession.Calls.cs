using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.JSInterop;
using Parley.Client.Api;
using Parley.Client.Messaging;
using Parley.Client.Storage;
using Parley.Protocol.Encrypted;
using Parley.Protocol.Rest;

namespace Parley.Web.Session;

/// <summary>
/// Calls in the browser: the SDK carries the signaling end to end encrypted, parley-calls.js runs
/// WebRTC. This side connects the two and keeps <see cref="Call"/>, which the call screens render.
/// </summary>
public sealed partial class ChatSession
{
    /// <summary>localStorage keys: relay every call through TURN (hides this browser's address from the other side)...</summary>
    private const string RelayCallsKey = "parley.relayCalls";

    /// <summary>...and a shorter ring time for tests and demos (seconds; the product default stays at 45 s).</summary>
    private const string RingSecondsKey = "parley.callRingSeconds";

    private IJSObjectReference? _callsModule;
    private DotNetObjectReference<ChatSession>? _callbacks;

    /// <summary>The call on screen (ringing, in progress, or just ended), or null.</summary>
    public CallView? Call { get; private set; }

    /// <summary>Whether calls only use the TURN relay (RTCConfiguration.iceTransportPolicy "relay").</summary>
    public bool RelayCalls { get; private set; }

    public async Task SetRelayCallsAsync(bool relay)
    {
        RelayCalls = relay;
        await js.InvokeVoidAsync("localStorage.setItem", RelayCallsKey, relay ? "1" : "0");
        Notify();
    }

    /// <summary>Client options with the ring time a test may have set in localStorage.</summary>
    private async Task<ClientOptions> WithCallOptionsAsync(ClientOptions options)
    {
        RelayCalls = await js.InvokeAsync<string?>("localStorage.getItem", RelayCallsKey) == "1";
        var ring = await js.InvokeAsync<string?>("localStorage.getItem", RingSecondsKey);
        return double.TryParse(ring, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds > 0
            ? options with { CallRingTime = TimeSpan.FromSeconds(seconds) }
            : options;
    }

    private void AttachCalls(ParleyClient client)
    {
        client.CallIncoming += incoming => _ = OnIncomingCallAsync(incoming);
        client.CallRinging += callId => OnCall(callId, call => call.Stage = call.Stage == CallStage.Calling ? CallStage.Ringing : call.Stage);
        client.CallAnswered += answered => _ = OnCallAnsweredAsync(answered);
        client.CallIceCandidatesReceived += ice => _ = OnRemoteCandidatesAsync(ice.CallId, ice.Number, ice.Candidates);
        client.CallEnded += ended => _ = OnCallEndedAsync(ended.CallId, ended.Record.Outcome);
        AttachGroupCalls(client);
    }

    /// <summary>
    /// Calls the other person of a 1:1 chat: the WebRTC offer, then ring all their devices, while
    /// the camera and microphone open in parallel (their tracks join the connection when ready).
    /// Opening a camera can take longer than the whole ring, so waiting for it first would delay it.
    /// </summary>
    public async Task StartCallAsync(ChatRef chat, bool video)
    {
        if (Call is not null || Client is not { } client)
        {
            return;
        }
        if (chat.IsGroup)
        {
            await StartGroupCallAsync(client, chat, video);
            return;
        }
        var call = new CallView(chat, chat.Number!, video, outgoing: true);
        call.Peers.Add(new CallPeer(chat.Number!));
        Call = call;
        Notify();
        var calls = await CallsAsync();
        await calls.InvokeVoidAsync("mark", "callStartedAt");
        var media = calls.InvokeAsync<bool>("openMedia", video).AsTask();
        try
        {
            var offer = await calls.InvokeAsync<string?>("createOffer", chat.Number, await IceServersJsonAsync(), RelayCalls, video);
            if (Call != call || offer is null)
            {
                return; // hung up meanwhile
            }
            await calls.InvokeVoidAsync("mark", "offerCreatedAt");
            call.CallId = await client.StartCallAsync(chat.Number!, offer, video);
            await calls.InvokeVoidAsync("mark", "ringSentAt");
            foreach (var (_, json) in call.EarlyCandidates)
            {
                await client.SendIceCandidatesAsync(call.CallId, ParseCandidates(json));
            }
            call.EarlyCandidates.Clear();
        }
        catch (UnknownNumberException)
        {
            await FinishAsync(call, $"Nobody uses Parley with the number {chat.Number}");
            return;
        }
        catch (Exception error) when (error is HttpRequestException or ParleyApiException or SendFailedException or OperationCanceledException)
        {
            await FinishAsync(call, "Couldn't call: you're offline");
            return;
        }
        if (!await media && Call == call)
        {
            if (call.CallId is { } callId)
            {
                await client.HangUpAsync(callId); // stop their phone ringing for a call we cannot hold
            }
            await FinishAsync(call, video ? "Parley can't use your camera or microphone" : "Parley can't use your microphone");
        }
    }

    public async Task AnswerCallAsync()
    {
        if (Call is { IsGroup: true, Stage: CallStage.Incoming })
        {
            await JoinGroupCallAsync();
            return;
        }
        if (Call is not { Stage: CallStage.Incoming, CallId: { } callId, OfferSdp: { } offer } call || Client is not { } client)
        {
            return;
        }
        call.Stage = CallStage.Connecting;
        Notify();
        var calls = await CallsAsync();
        if (!await calls.InvokeAsync<bool>("openMedia", call.Video))
        {
            await client.DeclineCallAsync(callId);
            return;
        }
        var answer = await calls.InvokeAsync<string>("acceptOffer", call.Peers[0].Number, await IceServersJsonAsync(), RelayCalls, offer);
        await client.AnswerCallAsync(callId, answer);
    }

    public async Task DeclineCallAsync()
    {
        if (Call is { Stage: CallStage.Incoming, CallId: { } callId } call && Client is { } client)
        {
            await (call.IsGroup ? client.DeclineGroupCallAsync(callId) : client.DeclineCallAsync(callId));
        }
    }

    /// <summary>Ends the call, or cancels it while it rings.</summary>
    public async Task HangUpAsync()
    {
        if (Call is not { } call)
        {
            return;
        }
        if (call.CallId is { } callId && call.Stage != CallStage.Ended && Client is { } client)
        {
            await (call.IsGroup ? client.LeaveGroupCallAsync(callId) : client.HangUpAsync(callId));
        }
        else
        {
            await FinishAsync(call, "Call ended");
        }
    }

    public async Task ToggleMuteAsync()
    {
        if (Call is { } call)
        {
            call.Muted = !call.Muted;
            await (await CallsAsync()).InvokeVoidAsync("setMuted", call.Muted);
            Notify();
        }
    }

    public async Task ToggleCameraAsync()
    {
        if (Call is { } call)
        {
            call.CameraOff = !call.CameraOff;
            await (await CallsAsync()).InvokeVoidAsync("setCameraOff", call.CameraOff);
            Notify();
        }
    }

    /// <summary>Microphones, cameras and speakers the browser offers (labels once media access was granted).</summary>
    public async Task<IReadOnlyList<MediaDevice>> ListMediaDevicesAsync()
    {
        var json = await (await CallsAsync()).InvokeAsync<string>("listDevicesJson");
        using var document = JsonDocument.Parse(json);
        return [.. document.RootElement.EnumerateArray().Select(d => new MediaDevice(
            d.GetProperty("kind").GetString()!, d.GetProperty("id").GetString()!, d.GetProperty("label").GetString()!, d.GetProperty("selected").GetBoolean()))];
    }

    public async Task UseMediaDeviceAsync(string kind, string deviceId) =>
        await (await CallsAsync()).InvokeVoidAsync("useDevice", kind, deviceId);

    /// <summary>The call screen rendered: (re)connect the streams to its video elements.</summary>
    public async Task AttachCallMediaAsync() => await (await CallsAsync()).InvokeVoidAsync("attach");

    /// <summary>The call history as lines of the chat's timeline ("Missed video call", "Outgoing voice call · 1:05").</summary>
    private async Task<IEnumerable<TimelineItem>> CallTimelineAsync(ChatRef chat)
    {
        var history = await Store.ListCallsAsync();
        return history.Where(c => chat.IsGroup ? c.GroupId == chat.GroupId : c.GroupId is null && c.PeerNumber == chat.Number)
            .Select(c => new TimelineItem(c.StartedAt, CallLine(c), c.Direction == CallDirection.Outgoing ? MessageDirection.Outgoing : MessageDirection.Incoming,
                MessageStatus.Received, null, null, IsEvent: true));
    }

    public static string CallLine(CallRecord call)
    {
        var kind = (call.GroupId is null ? "" : "group ") + (call.Video ? "video call" : "voice call");
        var duration = TimeSpan.FromMilliseconds(call.DurationMs);
        if (call.GroupId is not null)
        {
            return call.Outcome switch
            {
                CallOutcome.Answered => $"{char.ToUpperInvariant(kind[0])}{kind[1..]} · {FormatDuration(duration)}",
                CallOutcome.Declined => $"Declined {kind}",
                _ => $"Missed {kind}",
            };
        }
        return (call.Direction, call.Outcome) switch
        {
            (_, CallOutcome.Answered) => $"{(call.Direction == CallDirection.Outgoing ? "Outgoing" : "Incoming")} {kind} · {FormatDuration(duration)}",
            (CallDirection.Incoming, CallOutcome.Missed) => $"Missed {kind}",
            (CallDirection.Incoming, CallOutcome.Declined) => $"Declined {kind}",
            (CallDirection.Incoming, CallOutcome.HandledElsewhere) => $"Incoming {kind} · on another device",
            (_, CallOutcome.Declined) => $"Outgoing {kind} · declined",
            (_, CallOutcome.NoAnswer) => $"Outgoing {kind} · no answer",
            (_, CallOutcome.Busy) => $"Outgoing {kind} · busy",
            _ => $"Outgoing {kind} · cancelled",
        };
    }

    public static string FormatDuration(TimeSpan duration) =>
        duration.TotalHours >= 1 ? duration.ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture) : duration.ToString(@"m\:ss", CultureInfo.InvariantCulture);

    // ---- SDK events ----

    private async Task OnIncomingCallAsync(IncomingCall incoming)
    {
        if (Call is not null)
        {
            return; // the SDK answers busy to a second call; this one is still on screen
        }
        var chat = ChatRef.Direct(incoming.Number);
        var call = new CallView(chat, incoming.Number, incoming.Video, outgoing: false) { CallId = incoming.CallId, OfferSdp = incoming.OfferSdp };
        call.Peers.Add(new CallPeer(incoming.Number));
        Call = call;
        Notify();
        await (await CallsAsync()).InvokeVoidAsync("mark", "ringingAt");
    }

    private async Task OnCallAnsweredAsync(CallAnswered answered)
    {
        if (Call is not { } call || !SameCall(call, answered.CallId))
        {
            return;
        }
        call.Stage = CallStage.Connecting;
        Notify();
        await (await CallsAsync()).InvokeVoidAsync("applyAnswer", answered.Number, answered.AnswerSdp);
    }

    private async Task OnRemoteCandidatesAsync(byte[] callId, string number, IReadOnlyList<IceCandidate> candidates)
    {
        if (Call is { } call && SameCall(call, callId))
        {
            await (await CallsAsync()).InvokeVoidAsync("addCandidates", number, CandidatesJson(candidates));
        }
    }

    private async Task OnCallEndedAsync(byte[] callId, CallOutcome outcome)
    {
        Notify(); // the history line appears in the chat
        if (Call is not { } call || !SameCall(call, callId))
        {
            return;
        }
        await FinishAsync(call, outcome switch
        {
            CallOutcome.Declined when call.Outgoing => "Declined",
            CallOutcome.Busy => "Busy",
            CallOutcome.NoAnswer => "No answer",
            CallOutcome.Missed => "Missed call",
            CallOutcome.HandledElsewhere => "Answered on another device",
            _ => "Call ended",
        });
    }

    private void OnCall(byte[] callId, Action<CallView> change)
    {
        if (Call is { } call && SameCall(call, callId))
        {
            change(call);
            Notify();
        }
    }

    // ---- from parley-calls.js ----

    /// <summary>A batch of our ICE candidates for one peer (JSON array), to send end to end encrypted.</summary>
    [JSInvokable]
    public async Task OnLocalCandidates(string peer, string candidatesJson)
    {
        if (Call is not { } call || Client is not { } client)
        {
            return;
        }
        if (call.CallId is not { } callId)
        {
            call.EarlyCandidates.Add((peer, candidatesJson));
            return;
        }
        try
        {
            if (call.IsGroup)
            {
                if (call.Peer(peer)?.AccountId is { } account)
                {
                    await client.SendGroupCallIceCandidatesAsync(callId, account, ParseCandidates(candidatesJson));
                }
                return;
            }
            await client.SendIceCandidatesAsync(callId, ParseCandidates(candidatesJson));
        }
        catch (Exception error) when (error is HttpRequestException or SendFailedException or OperationCanceledException)
        {
            // The connection dropped: ICE fails and the call screen shows it.
        }
    }

    [JSInvokable]
    public async Task OnPeerState(string peer, string state)
    {
        if (Call is not { } call || call.Peer(peer) is not { } callPeer)
        {
            return;
        }
        callPeer.State = state;
        if (state == "connected" && call.ConnectedAt is null)
        {
            call.ConnectedAt = DateTimeOffset.UtcNow;
            call.Stage = CallStage.Connected;
            await (await CallsAsync()).InvokeVoidAsync("mark", "connectedAt");
        }
        Notify();
        if (state == "failed" && !call.IsGroup)
        {
            await HangUpAsync();
        }
    }

    [JSInvokable]
    public void OnQuality(string peer, string quality)
    {
        if (Call?.Peer(peer) is { } callPeer)
        {
            callPeer.Quality = quality;
            Notify();
        }
    }

    // ---- helpers ----

    private async Task FinishAsync(CallView call, string reason)
    {
        await (await CallsAsync()).InvokeVoidAsync("closeAll");
        if (call.Stage == CallStage.Incoming)
        {
            Call = null; // stopped ringing: the incoming-call screen just goes away
            Notify();
            return;
        }
        call.Stage = CallStage.Ended;
        call.EndReason = reason;
        Notify();
        await Task.Delay(TimeSpan.FromSeconds(2));
        if (Call == call)
        {
            Call = null;
            Notify();
        }
    }

    private async Task<IJSObjectReference> CallsAsync()
    {
        if (_callsModule is null)
        {
            _callsModule = await js.InvokeAsync<IJSObjectReference>("import", "./js/parley-calls.js");
            _callbacks = DotNetObjectReference.Create(this);
            await _callsModule.InvokeVoidAsync("init", _callbacks);
        }
        return _callsModule;
    }

    /// <summary>The TURN servers with fresh credentials, as RTCConfiguration.iceServers JSON (none when the server has no relay).</summary>
    private async Task<string> IceServersJsonAsync()
    {
        IceServersResponse servers;
        try
        {
            servers = await Client!.GetIceServersAsync();
        }
        catch (Exception error) when (error is HttpRequestException or ParleyApiException)
        {
            return "[]"; // peer to peer may still work
        }
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var server in servers.IceServers)
            {
                writer.WriteStartObject();
                writer.WriteStartArray("urls");
                foreach (var url in server.Urls)
                {
                    writer.WriteStringValue(url);
                }
                writer.WriteEndArray();
                writer.WriteString("username", server.Username);
                writer.WriteString("credential", server.Credential);
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static List<IceCandidate> ParseCandidates(string json)
    {
        using var document = JsonDocument.Parse(json);
        return [.. document.RootElement.EnumerateArray().Select(c => new IceCandidate
        {
            Candidate = c.GetProperty("candidate").GetString() ?? "",
            SdpMid = c.GetProperty("sdpMid").GetString() ?? "",
            SdpMlineIndex = c.GetProperty("sdpMLineIndex").GetUInt32(),
        })];
    }

    private static string CandidatesJson(IEnumerable<IceCandidate> candidates)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var c in candidates)
            {
                writer.WriteStartObject();
                writer.WriteString("candidate", c.Candidate);
                writer.WriteString("sdpMid", c.SdpMid);
                writer.WriteNumber("sdpMLineIndex", c.SdpMlineIndex);
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static bool SameCall(CallView call, byte[] callId) => call.CallId is { } id && id.AsSpan().SequenceEqual(callId);
}

/// <summary>A microphone (audioinput), camera (videoinput) or speaker (audiooutput).</summary>
public sealed record MediaDevice(string Kind, string Id, string Label, bool Selected);
