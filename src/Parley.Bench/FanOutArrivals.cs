using System.Diagnostics;

namespace Parley.Bench;

/// <summary>
/// The group workloads' receive side: the latency of every delivery, and of each message's last
/// one (when every other member has it).
/// </summary>
public sealed class FanOutArrivals(int recipientsPerMessage)
{
    private int[] _arrivals = [];
    private long _received;

    public LatencyRecorder Latency { get; } = new();

    public LatencyRecorder LastRecipient { get; } = new();

    public long Received => Interlocked.Read(ref _received);

    /// <summary>Expects messages 0 .. <paramref name="messages"/> - 1.</summary>
    public void Expect(long messages) => _arrivals = new int[messages];

    /// <summary>One member got message <paramref name="sequence"/>, due at <paramref name="scheduled"/> (a Stopwatch timestamp).</summary>
    public void Record(long scheduled, long sequence)
    {
        var micros = (long)Stopwatch.GetElapsedTime(scheduled).TotalMicroseconds;
        Latency.Record(scheduled, micros);
        Interlocked.Increment(ref _received);
        if (Interlocked.Increment(ref _arrivals[sequence]) == recipientsPerMessage)
        {
            LastRecipient.Record(scheduled, micros);
        }
    }
}
