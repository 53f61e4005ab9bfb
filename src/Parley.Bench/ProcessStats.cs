using System.Diagnostics;
using System.Globalization;

namespace Parley.Bench;

/// <summary>CPU time and resident memory (VmRSS from /proc/&lt;pid&gt;/status) of the server or of the bench itself.</summary>
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
            return new ProcessStats(process.TotalProcessorTime, VmRss(pid.Value));
        }
        catch (Exception error) when (error is ArgumentException or InvalidOperationException or IOException)
        {
            return null;
        }
    }

    public static ProcessStats Self()
    {
        using var process = Process.GetCurrentProcess();
        return new ProcessStats(process.TotalProcessorTime, VmRss(Environment.ProcessId));
    }

    /// <summary>The 1-minute load average: other work on the machine, printed next to every number.</summary>
    public static double LoadAverage()
    {
        var text = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg") : "0";
        return double.Parse(text.Split(' ')[0], CultureInfo.InvariantCulture);
    }

    private static long VmRss(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
            }
        }
        return 0;
    }
}
