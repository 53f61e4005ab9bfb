namespace Parley.Client.Storage;

public enum CallDirection
{
    Incoming,
    Outgoing,
}

/// <summary>How a call ended, as the call history shows it.</summary>
public enum CallOutcome
{
    /// <summary>Talked (see the duration).</summary>
    Answered,

    /// <summary>Incoming, nobody picked up (or it arrived too late, or while busy).</summary>
    Missed,

    /// <summary>The callee declined.</summary>
    Declined,

    /// <summary>The callee was in another call.</summary>
    Busy,

    /// <summary>Outgoing, nobody picked up within the ring time.</summary>
    NoAnswer,

    /// <summary>Incoming, picked up or declined on another of this account's devices.</summary>
    HandledElsewhere,

    /// <summary>Outgoing, hung up by the caller before anyone answered.</summary>
    Cancelled,
}

/// <summary>One entry of the call history.</summary>
/// <param name="PeerNumber">The other person; in a group call the one who started it.</param>
/// <param name="GroupId">Set for group calls.</param>
public sealed record CallRecord(byte[] CallId, string PeerNumber, string PeerAccountId, CallDirection Direction, bool Video,
    CallOutcome Outcome, long StartedAt, long DurationMs, string? GroupId = null);

/// <summary>A store that keeps the call history (optional: without it the history lasts as long as the client).</summary>
public interface ICallHistoryStore
{
    Task AddCallAsync(CallRecord call);

    /// <summary>Most recent first.</summary>
    Task<IReadOnlyList<CallRecord>> ListCallsAsync();
}
