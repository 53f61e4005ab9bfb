namespace Parley.Bench;

/// <summary>Collects latencies (µs) from many threads; percentiles are computed once at the end.</summary>
public sealed class LatencyRecorder
{
    private readonly List<long> _micros = new(1 << 16);
    private readonly Lock _gate = new();

    public void Record(long micros)
    {
        lock (_gate)
        {
            _micros.Add(micros);
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _micros.Clear();
        }
    }

    public LatencySummary Summarize()
    {
        long[] sorted;
        lock (_gate)
        {
            sorted = [.. _micros];
        }
        Array.Sort(sorted);
        double At(double quantile) => sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)(quantile * sorted.Length))] / 1000.0;
        return new LatencySummary(At(0.50), At(0.90), At(0.99), At(0.999), sorted.Length == 0 ? 0 : sorted[^1] / 1000.0);
    }
}

/// <summary>Latency percentiles in milliseconds.</summary>
public sealed record LatencySummary(double P50, double P90, double P99, double P999, double Max);
