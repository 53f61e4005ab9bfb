using System.Globalization;

namespace Parley.Bench;

/// <summary>Command-line options shared by the workloads ("--name value" pairs).</summary>
public sealed class BenchOptions
{
    public string Workload { get; private init; } = "pairs";
    public Uri Server { get; private init; } = new("http://127.0.0.1:8080/");
    public string SmsOutbox { get; private init; } = Path.Combine("parley-data", "sms-outbox.log");
    public int Users { get; private init; } = 100;
    public double Rate { get; private init; } = 1000;
    public double Seconds { get; private init; } = 10;
    public int Payload { get; private init; } = 256;
    public int? ServerPid { get; private init; }
    public int RegistrationConcurrency { get; private init; } = 16;

    public static BenchOptions Parse(string[] args)
    {
        if (args.Length == 0 || args[0].StartsWith('-'))
        {
            throw new ArgumentException(Usage);
        }
        var values = new Dictionary<string, string>();
        for (var i = 1; i < args.Length; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                throw new ArgumentException($"Expected '--name value' at '{args[i]}'.\n{Usage}");
            }
            values[args[i][2..]] = args[i + 1];
        }
        string? Get(string name) => values.TryGetValue(name, out var v) ? v : null;
        var server = Get("server") ?? "http://127.0.0.1:8080/";
        return new BenchOptions
        {
            Workload = args[0],
            Server = new Uri(server.EndsWith('/') ? server : server + "/"),
            SmsOutbox = Get("sms-outbox") ?? Path.Combine("parley-data", "sms-outbox.log"),
            Users = int.Parse(Get("users") ?? "100", CultureInfo.InvariantCulture),
            Rate = double.Parse(Get("rate") ?? "1000", CultureInfo.InvariantCulture),
            Seconds = double.Parse(Get("seconds") ?? "10", CultureInfo.InvariantCulture),
            Payload = int.Parse(Get("payload") ?? "256", CultureInfo.InvariantCulture),
            ServerPid = Get("server-pid") is { } pid ? int.Parse(pid, CultureInfo.InvariantCulture) : null,
            RegistrationConcurrency = int.Parse(Get("registration-concurrency") ?? "16", CultureInfo.InvariantCulture),
        };
    }

    public const string Usage = """
        usage: Parley.Bench pairs --server <url> --sms-outbox <path> --users N --rate R --seconds S --payload B [--server-pid P]
          pairs   client i sends to client (i + N/2) % N at a constant total rate R (open loop: send times are
                  scheduled ahead, so a slow server shows up as latency, not as a lower offered rate)
        The server must allow N registrations from this IP, e.g. start it with
          --Parley:Limits:RegistrationRequestsPerIpPerMinute=1000000 --Parley:Limits:CodesPerNumberPerHour=100
        """;
}
