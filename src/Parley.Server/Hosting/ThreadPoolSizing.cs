namespace Parley.Server.Hosting;

/// <summary>
/// Caps the thread pool's worker threads. By default the pool adds threads whenever its
/// hill-climbing thinks more might help, without bound. On a server with one or two cores that
/// goes wrong under load: the pool grew to ~8 workers on one core, they took turns in ever smaller
/// slices (3× the system calls per message), and throughput fell to a third and stayed there.
/// Capped, the same load runs at full speed every time (docs/performance.md, "Seventh session").
/// The cap still leaves room for the threads that SQLite's synchronous calls block.
/// </summary>
public static class ThreadPoolSizing
{
    /// <summary>Twice the cores the process may use, and at least 6 (on one core, caps of 4 and 6 kept the fast mode; the slow runs had 8 workers).</summary>
    public static int DefaultMaxWorkers => Math.Max(6, 2 * Environment.ProcessorCount);

    /// <summary>Applies <paramref name="configured"/> (0: <see cref="DefaultMaxWorkers"/>); never below the pool's minimum.</summary>
    public static void Apply(int configured)
    {
        ThreadPool.GetMinThreads(out var minWorkers, out _);
        ThreadPool.GetMaxThreads(out _, out var completionPorts);
        ThreadPool.SetMaxThreads(Math.Max(minWorkers, configured > 0 ? configured : DefaultMaxWorkers), completionPorts);
    }
}
