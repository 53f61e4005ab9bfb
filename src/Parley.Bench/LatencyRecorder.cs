namespace Parley.Bench;

/// <summary>Collects latencies (µs) from many threads; percentiles are computed once at the end.</summary>
public sealed class LatencyRecorder
{
    private readonly List<long> _micros = new(1 << 16);

    /// <summary>Each latency's scheduled send time (a <see cref="System.Diagnostics.Stopwatch"/> timestamp), for <see cref="Timeline"/>.</summary>
    private readonly List<long> _scheduled = new(1 << 16);
    private readonly Lock _gate = new();

    public void Record(long scheduled, long micros)
    {
        lock (_gate)
        {
            _micros.Add(micros);
            _scheduled.Add(scheduled);
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _micros.Clear();
            _scheduled.Clear();
        }
    }

    /// <summary>
    /// Latency by when the message was due: one line per <paramref name="slice"/> of the schedule, so
    /// a stall (a GC, a slow commit, a burst of JIT) shows as the slices it hit instead of only in the
    /// overall tail.
    /// </summary>
    public IEnumerable<string> Timeline(TimeSpan slice)
    {
        (long Scheduled, long Micros)[] samples;
        lock (_gate)
        {
            samples = [.. _scheduled.Zip(_micros)];
        }
        if (samples.Length == 0)
        {
            yield break;
        }
        var start = samples.Min(s => s.Scheduled);
        var ticksPerSlice = (long)(slice.TotalSeconds * System.Diagnostics.Stopwatch.Frequency);
        yield return "   from (s)   messages   p50 (ms)   p99 (ms)   max (ms)";
        foreach (var group in samples.GroupBy(s => (s.Scheduled - start) / ticksPerSlice).OrderBy(g => g.Key))
        {
            var sorted = group.Select(s => s.Micros).Order().ToArray();
            yield return FormattableString.Invariant(
                $"{group.Key * slice.TotalSeconds,11:F2} {sorted.Length,10} {Percentile(sorted, 0.5),10:F2} {Percentile(sorted, 0.99),10:F2} {sorted[^1] / 1000.0,10:F2}");
        }
    }

    /// <summary>Prints <see cref="Timeline"/> in slices of <paramref name="sliceMs"/>; nothing when it is 0 (no --timeline).</summary>
    public void PrintTimeline(int sliceMs)
    {
        if (sliceMs <= 0)
        {
            return;
        }
        foreach (var line in Timeline(TimeSpan.FromMilliseconds(sliceMs)))
        {
            Console.WriteLine(line);
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
        double At(double quantile) => sorted.Length == 0 ? 0 : Percentile(sorted, quantile);
        return new LatencySummary(At(0.50), At(0.90), At(0.99), At(0.999), sorted.Length == 0 ? 0 : sorted[^1] / 1000.0);
    }

    /// <summary>The <paramref name="quantile"/> of sorted, non-empty latencies (µs), in milliseconds.</summary>
    private static double Percentile(long[] sorted, double quantile) =>
        sorted[Math.Min(sorted.Length - 1, (int)(quantile * sorted.Length))] / 1000.0;
}

/// <summary>Latency percentiles in milliseconds.</summary>
public sealed record LatencySummary(double P50, double P90, double P99, double P999, double Max);
