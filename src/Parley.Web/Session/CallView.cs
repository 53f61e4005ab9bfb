namespace Parley.Web.Session;

public enum CallStage
{
    /// <summary>Ringing here: the incoming-call screen asks to answer or decline.</summary>
    Incoming,

    /// <summary>Our offer is on its way.</summary>
    Calling,

    /// <summary>A device of the other side rings.</summary>
    Ringing,

    /// <summary>Answered; WebRTC is connecting.</summary>
    Connecting,

    Connected,

    /// <summary>Over: the screen says why for a moment, then closes.</summary>
    Ended,
}

/// <summary>One other participant of the call (a 1:1 call has one, a group call up to seven).</summary>
public sealed class CallPeer(string number, string? accountId = null)
{
    /// <summary>Their account (group calls address each participant's signaling by it).</summary>
    public string? AccountId { get; } = accountId;

    /// <summary>Their phone number; also names their WebRTC connection in parley-calls.js.</summary>
    public string Number { get; } = number;

    /// <summary>RTCPeerConnection.connectionState: new, connecting, connected, disconnected, failed, closed.</summary>
    public string State { get; set; } = "new";

    /// <summary>The quality step of what we send them (good, reduced, low), from the stats-based adaptation.</summary>
    public string Quality { get; set; } = "good";
}

/// <summary>What the call screens show: the one call of this browser (Parley rings as busy while it lasts).</summary>
public sealed class CallView(ChatRef chat, string title, bool video, bool outgoing)
{
    public byte[]? CallId { get; set; }

    /// <summary>The 1:1 chat or the group chat the call belongs to.</summary>
    public ChatRef Chat { get; } = chat;

    public string Title { get; } = title;

    public bool Video { get; } = video;

    public bool Outgoing { get; } = outgoing;

    public bool IsGroup => Chat.IsGroup;

    /// <summary>Who rang (group calls show it on the incoming-call screen).</summary>
    public string? CallerNumber { get; init; }

    /// <summary>A passing remark such as "+1555… declined" (group calls).</summary>
    public string? Notice { get; set; }

    public CallStage Stage { get; set; } = outgoing ? CallStage.Calling : CallStage.Incoming;

    /// <summary>When media first flowed (the duration counts from here).</summary>
    public DateTimeOffset? ConnectedAt { get; set; }

    /// <summary>Why it ended, e.g. "Declined" or "No answer".</summary>
    public string? EndReason { get; set; }

    public bool Muted { get; set; }

    public bool CameraOff { get; set; }

    public List<CallPeer> Peers { get; } = [];

    public CallPeer? Peer(string number) => Peers.Find(p => p.Number == number);

    /// <summary>The incoming 1:1 offer, answered when the user picks up.</summary>
    internal string? OfferSdp { get; set; }

    /// <summary>Our ICE candidates gathered before the SDK handed out the call id.</summary>
    internal List<(string Peer, string Json)> EarlyCandidates { get; } = [];
}
