using Parley.Bench;

// Parley.Bench: load generator over real WebSockets. See BenchOptions.Usage and docs/performance.md.
try
{
    var options = BenchOptions.Parse(args);
    // Like the server's threads: a woken receive thread does not preempt a working one (the pacer is exempt).
    Parley.Server.Hosting.BatchScheduling.Apply();
    switch (options.Workload)
    {
        case "pairs":
            return (await new PairsWorkload(options).RunAsync()).Lost == 0 ? 0 : 1;
        case "group":
            return (await new GroupWorkload(options).RunAsync()).Lost == 0 ? 0 : 1;
        case "idle":
            var idle = await new IdleWorkload(options).RunAsync();
            return idle.Failed == 0 && idle.OpenAfterHold == idle.Connected ? 0 : 1;
        case "idle-worker":
            return await IdleWorker.RunChildAsync(options);
        default:
            throw new ArgumentException($"Unknown workload '{options.Workload}'.\n{BenchOptions.Usage}");
    }
}
catch (ArgumentException error)
{
    Console.Error.WriteLine(error.Message);
    return 2;
}
