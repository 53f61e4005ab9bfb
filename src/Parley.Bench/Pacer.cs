using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Parley.Bench;

/// <summary>
/// Waits until a Stopwatch timestamp with sub-millisecond precision, so an open-loop generator sends
/// each message when it was scheduled. Task.Delay(1) wakes about every 1.1 ms here: sends went out
/// up to that late, in bursts, and the lateness was counted as the server's latency.
/// </summary>
internal static partial class Pacer
{
    private const int ClockMonotonic = 1;
    private const int PrSetTimerSlack = 29;

    /// <summary>Makes the calling thread's sleeps wake on time (the default timer slack is 50 µs).</summary>
    public static void TightenTimerSlack()
    {
        if (OperatingSystem.IsLinux())
        {
            _ = prctl(PrSetTimerSlack, 1, 0, 0, 0);
        }
    }

    /// <summary>Blocks the calling thread until <paramref name="timestamp"/> (or returns at once if it has passed).</summary>
    public static void SleepUntil(long timestamp)
    {
        var remaining = timestamp - Stopwatch.GetTimestamp();
        if (remaining <= 0)
        {
            return;
        }
        if (!OperatingSystem.IsLinux())
        {
            Thread.Sleep(TimeSpan.FromSeconds((double)remaining / Stopwatch.Frequency));
            return;
        }
        var nanoseconds = (long)(remaining * (1e9 / Stopwatch.Frequency));
        var request = new Timespec { Seconds = nanoseconds / 1_000_000_000, Nanoseconds = nanoseconds % 1_000_000_000 };
        _ = clock_nanosleep(ClockMonotonic, 0, ref request, IntPtr.Zero);
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", SetLastError = false)]
    private static partial int clock_nanosleep(int clockId, int flags, ref Timespec request, IntPtr remain);

    [LibraryImport("libc", SetLastError = false)]
    private static partial int prctl(int option, ulong arg2, ulong arg3, ulong arg4, ulong arg5);
}
