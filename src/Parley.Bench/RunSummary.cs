using System.Diagnostics;
using System.Text.Json;

namespace Parley.Bench;

/// <summary>Server and generator CPU/RSS over the measured part of a run.</summary>
public sealed class Measurement
{
    private readonly int? _serverPid;
    private readonly ProcessStats? _serverBefore;
    private readonly ProcessStats _selfBefore;
    private readonly TimeSpan _selfPausedBefore = GC.GetTotalPauseDuration();
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    private Measurement(int? serverPid)
    {
        _serverPid = serverPid;
        _serverBefore = ProcessStats.Read(serverPid);
        _selfBefore = ProcessStats.Self();
    }

    public static Measurement Start(int? serverPid) => new(serverPid);

    public MeasuredResources Stop()
    {
        var elapsed = _clock.Elapsed.TotalSeconds;
        var server = ProcessStats.Read(_serverPid);
        var self = ProcessStats.Self();
        var serverCpuSeconds = _serverBefore is null || server is null ? (double?)null : (server.CpuTime - _serverBefore.CpuTime).TotalSeconds;
        return new MeasuredResources(elapsed, serverCpuSeconds / elapsed, serverCpuSeconds, server?.RssBytes, (self.CpuTime - _selfBefore.CpuTime).TotalSeconds / elapsed,
            ProcessStats.LoadAverage(), (GC.GetTotalPauseDuration() - _selfPausedBefore).TotalMilliseconds / elapsed);
    }
}

/// <summary>
/// Seconds from the first send until the last delivery arrived (or the drain wait gave up); CPU as a
/// fraction of one core (1.0 = one core busy) over that time; the 1-minute load average at its end;
/// how long the generator's own garbage collections paused it, in ms per second (those pauses delay
/// its sends and receipts, so they show up in the latencies).
/// </summary>
/// <remarks>Server CPU seconds stay comparable on a busy machine, where the fraction and the latencies do not.</remarks>
public sealed record MeasuredResources(double Seconds, double? ServerCpu, double? ServerCpuSeconds, long? ServerRssBytes, double BenchCpu, double LoadAverage,
    double BenchGcPauseMsPerSecond);

/// <summary>The result of a pairs or group run, printed for people and as one JSON line.</summary>
public sealed record RunSummary(string Workload, int Users, int? Members, bool E2e, double Rate, double Seconds, int Payload,
    long Offered, long Sent, long SendErrors, long Expected, long Received, long Lost, double DeliveredPerSecond,
    LatencySummary LatencyMs, LatencySummary? LastRecipientMs, double? ServerCpu, double? ServerCpuMicrosPerDelivery, long? ServerRssBytes,
    double BenchCpu, double LoadAverage, LatencySummary? SendLagMs = null, double? BenchGcPauseMsPerSecond = null)
{
    public static RunSummary Create(string workload, BenchOptions options, long offered, long sent, long sendErrors, long received, long expected,
        LatencySummary latency, LatencySummary? lastRecipient, MeasuredResources resources, LatencySummary sendLag) =>
        new(workload, options.Users, workload == "group" ? options.Members : null, options.EndToEnd, options.Rate, options.Seconds, options.Payload,
            offered, sent, sendErrors, expected, received, Math.Max(0, expected - received), received / resources.Seconds, latency, lastRecipient,
            resources.ServerCpu, received == 0 ? null : resources.ServerCpuSeconds * 1e6 / received, resources.ServerRssBytes,
            resources.BenchCpu, resources.LoadAverage, sendLag, resources.BenchGcPauseMsPerSecond);

    public void Print()
    {
        Console.WriteLine($"offered {Offered}; sent (acked) {Sent}, send errors {SendErrors}; expected deliveries {Expected}, received {Received}, lost {Lost}");
        Console.WriteLine($"delivered/s {DeliveredPerSecond:F0}");
        Console.WriteLine($"latency ms  {Format(LatencyMs)}");
        if (SendLagMs is not null)
        {
            Console.WriteLine($"send lag ms  {Format(SendLagMs)}  (how late the generator sent, part of the latency above)");
        }
        if (LastRecipientMs is not null)
        {
            Console.WriteLine($"time to last recipient ms  {Format(LastRecipientMs)}");
        }
        Console.WriteLine($"server cpu {(ServerCpu is null ? "n/a" : $"{ServerCpu * 100:F0}% ({ServerCpuMicrosPerDelivery:F0} µs per delivery)")}  rss {(ServerRssBytes is null ? "n/a" : $"{ServerRssBytes / 1048576.0:F0} MiB")}; "
            + $"bench cpu {BenchCpu * 100:F0}% (gc pauses {BenchGcPauseMsPerSecond:F1} ms/s); load average {LoadAverage:F2}");
        Console.WriteLine(JsonSerializer.Serialize(this));
    }

    private static string Format(LatencySummary l) => $"p50 {l.P50:F2}  p90 {l.P90:F2}  p99 {l.P99:F2}  p99.9 {l.P999:F2}  max {l.Max:F2}";
}
