using Parley.Bench;

// Parley.Bench: load generator over real WebSockets. See BenchOptions.Usage and the README.
try
{
    var options = BenchOptions.Parse(args);
    return options.Workload switch
    {
        "pairs" => await new PairsWorkload(options).RunAsync(),
        _ => throw new ArgumentException($"Unknown workload '{options.Workload}'.\n{BenchOptions.Usage}"),
    };
}
catch (ArgumentException error)
{
    Console.Error.WriteLine(error.Message);
    return 2;
}
