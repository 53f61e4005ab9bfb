using System.Runtime.InteropServices;

namespace Parley.Server.Hosting;

/// <summary>
/// Runs the server's threads under Linux's <c>SCHED_BATCH</c> policy: same share of the CPU as
/// normal threads, but a thread that wakes up (a socket became readable, a commit finished) does
/// not preempt one that is working; it runs when that one waits or at the next scheduler tick.
/// On a busy core that lets frames and writes gather into batches instead of bouncing between
/// threads for every message: each switch costs ~8 µs on a VM like the benchmark machine's. With
/// the server on one core at 10,000 messages/s, 92-93 instead of 96-97 µs of CPU per delivery and
/// a quarter of the p50 (docs/performance.md, "Thirteenth session"). On an idle core nothing
/// changes: a woken thread has nobody to preempt.
/// </summary>
public static class BatchScheduling
{
    private const int SchedOther = 0;
    private const int SchedBatch = 3;

    /// <summary>
    /// Puts every thread the process has now under <c>SCHED_BATCH</c>; threads started later inherit
    /// the policy from the thread that starts them. Returns how many threads were switched (0 where
    /// this is not Linux).
    /// </summary>
    public static int Apply()
    {
        if (!OperatingSystem.IsLinux())
        {
            return 0;
        }
        var switched = 0;
        var priority = 0; // struct sched_param { int sched_priority; }: 0 for SCHED_BATCH
        foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
        {
            // A thread can end between the listing and the call; that one needs nothing.
            if (int.TryParse(Path.GetFileName(task), out var threadId) && sched_setscheduler(threadId, SchedBatch, ref priority) == 0)
            {
                switched++;
            }
        }
        return switched;
    }

    /// <summary>
    /// Puts the calling thread back under the normal policy, for a thread that must still preempt the
    /// others when it wakes (the load generator's pacer, which shares this file, sends on a schedule).
    /// </summary>
    public static void ExemptCallingThread()
    {
        if (OperatingSystem.IsLinux())
        {
            var priority = 0;
            _ = sched_setscheduler(0, SchedOther, ref priority);
        }
    }

    // DllImport rather than LibraryImport: the source-generated stub needs unsafe code in the project.
#pragma warning disable SYSLIB1054
    [DllImport("libc")]
    private static extern int sched_setscheduler(int threadId, int policy, ref int schedParam);
#pragma warning restore SYSLIB1054
}
