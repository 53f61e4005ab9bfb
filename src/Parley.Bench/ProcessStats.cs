using System.Diagnostics;

namespace Parley.Bench;

/// <summary>CPU time and resident memory of a process (the server, or the bench itself), from /proc.</summary>
public sealed record ProcessStats(TimeSpan CpuTime, long RssBytes)
{
    public static ProcessStats? Read(int? pid)
    {
        if (pid is null)
        {
            return null;
        }
        try
        {
            using var process = Process.GetProcessById(pid.Value);
            process.Refresh();
            return new ProcessStats(process.TotalProcessorTime, process.WorkingSet64);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    public static ProcessStats Self()
    {
        using var process = Process.GetCurrentProcess();
        return new ProcessStats(process.TotalProcessorTime, process.WorkingSet64);
    }
}
