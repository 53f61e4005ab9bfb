using System.Diagnostics;
using System.Globalization;

namespace Parley.Bench.Tests;

/// <summary>The timeline puts each latency in the slice of the schedule its message was due in, so a stall shows where it happened.</summary>
public sealed class LatencyTimelineTests
{
    [Fact]
    public void A_stall_shows_in_the_slice_it_hit_and_not_in_the_others()
    {
        var recorder = new LatencyRecorder();
        var start = Stopwatch.GetTimestamp();
        var slice = TimeSpan.FromMilliseconds(250);
        long At(double seconds) => start + (long)(seconds * Stopwatch.Frequency);
        for (var i = 0; i < 100; i++)
        {
            recorder.Record(At(0.001 * i), 1_000);        // 0.00-0.10 s: 1 ms each
            recorder.Record(At(0.30 + 0.001 * i), 2_000); // 0.30-0.40 s: 2 ms, then one stalled message
            recorder.Record(At(0.80 + 0.001 * i), 1_000); // 0.80-0.90 s: 1 ms again
        }
        recorder.Record(At(0.35), 180_000);

        var rows = recorder.Timeline(slice).Skip(1)
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray())
            .ToArray();

        Assert.Equal([0.0, 0.25, 0.75], rows.Select(r => r[0]));       // the empty slice 0.50-0.75 is left out
        Assert.Equal([100.0, 101.0, 100.0], rows.Select(r => r[1]));
        Assert.Equal([1.0, 2.0, 1.0], rows.Select(r => r[2]));          // p50
        Assert.Equal([1.0, 180.0, 1.0], rows.Select(r => r[4]));        // max: only the slice with the stall
    }

    [Fact]
    public void No_latencies_no_timeline() => Assert.Empty(new LatencyRecorder().Timeline(TimeSpan.FromSeconds(1)));
}
