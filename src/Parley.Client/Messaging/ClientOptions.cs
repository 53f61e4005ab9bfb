using Parley.Client.Transport;

namespace Parley.Client.Messaging;

/// <summary>Tunables of <see cref="ParleyClient"/>; the defaults follow Signal's clients.</summary>
public sealed record ClientOptions
{
    /// <summary>One-time keys (EC and Kyber each) generated per upload; the server takes at most 100 per call.</summary>
    public int PreKeyBatchSize { get; init; } = 100;

    /// <summary>Upload a new batch when the server holds fewer one-time keys than this.</summary>
    public int PreKeyLowWatermark { get; init; } = 20;

    /// <summary>How often a send is retried after the server said the device list was out of date.</summary>
    public int MaxSendAttempts { get; init; } = 4;

    /// <summary>History a primary sends to a newly linked device: messages at most this old...</summary>
    public TimeSpan HistoryMaxAge { get; init; } = TimeSpan.FromDays(30);

    /// <summary>...and at most this many (the most recent ones).</summary>
    public int HistoryMaxMessages { get; init; } = 1000;

    /// <summary>How long a call rings before it becomes a missed call (WhatsApp: 45 s).</summary>
    public TimeSpan CallRingTime { get; init; } = TimeSpan.FromSeconds(45);

    public ConnectionOptions Connection { get; init; } = new();
}
