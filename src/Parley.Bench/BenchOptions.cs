using System.Globalization;

namespace Parley.Bench;

/// <summary>Command-line options shared by the workloads ("--name value" pairs and "--flag" switches).</summary>
public sealed class BenchOptions
{
    private static readonly HashSet<string> Flags = ["e2e"];

    public string Workload { get; private init; } = "pairs";
    public Uri Server { get; private init; } = new("http://127.0.0.1:8080/");
    public string SmsOutbox { get; private init; } = Path.Combine("parley-data", "sms-outbox.log");
    public int Users { get; private init; } = 100;
    public double Rate { get; private init; } = 1000;
    public double Seconds { get; private init; } = 10;
    public int Payload { get; private init; } = 256;

    /// <summary>
    /// pairs: seconds of the same traffic sent (and drained) before the measured run, in the same
    /// process, so that the generator's own start (JIT, thread pool) is not timed as server latency.
    /// </summary>
    public double WarmupSeconds { get; private init; } = 5;
    public int? ServerPid { get; private init; }

    /// <summary>pairs: when above 0, latency per slice of this many milliseconds of the schedule is printed too (stalls show as spikes).</summary>
    public int TimelineMs { get; private init; }
    public int RegistrationConcurrency { get; private init; } = 16;

    /// <summary>A JSON-lines file of accounts registered by an earlier run against the same server data; reused and extended.</summary>
    public string? AccountsFile { get; private init; }

    /// <summary>Real Signal-protocol encryption in the clients instead of random opaque payloads.</summary>
    public bool EndToEnd { get; private init; }

    /// <summary>group: members per group (the sender included).</summary>
    public int Members { get; private init; } = 100;

    /// <summary>idle: client processes to spread the sockets over (each process may hold at most ~19,900 files).</summary>
    public int? Processes { get; private init; }

    /// <summary>idle: source addresses 127.0.0.1 .. 127.0.0.K the sockets are bound to (each gives ~28k ephemeral ports).</summary>
    public int SourceAddresses { get; private init; } = 4;

    /// <summary>idle: connections being opened at the same time, per process.</summary>
    public int ConnectConcurrency { get; private init; } = 32;

    /// <summary>idle: how long the connections are held open (keep-alives keep flowing) before the second measurement.</summary>
    public double Hold { get; private init; } = 10;

    /// <summary>idle: connections opened (and kept) before the baseline measurement, from extra accounts.</summary>
    public int Warmup { get; private init; } = 500;

    /// <summary>Interval of the clients' WebSocket keep-alives.</summary>
    public double KeepAlive { get; private init; } = 15;

    /// <summary>idle worker (internal): which slice of the accounts file this process connects.</summary>
    public int From { get; private init; }

    public static BenchOptions Parse(string[] args)
    {
        if (args.Length == 0 || args[0].StartsWith('-'))
        {
            throw new ArgumentException(Usage);
        }
        var values = new Dictionary<string, string>();
        for (var i = 1; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
            {
                throw new ArgumentException($"Expected '--name value' or '--flag' at '{args[i]}'.\n{Usage}");
            }
            var name = args[i][2..];
            if (Flags.Contains(name))
            {
                values[name] = "true";
                continue;
            }
            if (i + 1 >= args.Length)
            {
                throw new ArgumentException($"--{name} needs a value.\n{Usage}");
            }
            values[name] = args[++i];
        }
        string? Get(string name) => values.Remove(name, out var v) ? v : null;
        int Int(string name, int fallback) => Get(name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
        double Real(string name, double fallback) => Get(name) is { } v ? double.Parse(v, CultureInfo.InvariantCulture) : fallback;
        var server = Get("server") ?? "http://127.0.0.1:8080/";
        var options = new BenchOptions
        {
            Workload = args[0],
            Server = new Uri(server.EndsWith('/') ? server : server + "/"),
            SmsOutbox = Get("sms-outbox") ?? Path.Combine("parley-data", "sms-outbox.log"),
            Users = Int("users", 100),
            Rate = Real("rate", 1000),
            Seconds = Real("seconds", 10),
            Payload = Int("payload", 256),
            WarmupSeconds = Real("warmup-seconds", 5),
            TimelineMs = Int("timeline", 0),
            ServerPid = Get("server-pid") is { } pid ? int.Parse(pid, CultureInfo.InvariantCulture) : null,
            RegistrationConcurrency = Int("registration-concurrency", 16),
            AccountsFile = Get("accounts"),
            EndToEnd = Get("e2e") is not null,
            Members = Int("members", 100),
            Processes = Get("processes") is { } p ? int.Parse(p, CultureInfo.InvariantCulture) : null,
            SourceAddresses = Int("source-addresses", 4),
            ConnectConcurrency = Int("connect-concurrency", 32),
            Hold = Real("hold", 10),
            KeepAlive = Real("keepalive", 15),
            From = Int("from", 0),
            Warmup = Int("warmup", 500),
        };
        if (values.Count > 0)
        {
            throw new ArgumentException($"Unknown option --{values.Keys.First()}.\n{Usage}");
        }
        if (options.Users < 2 || options.Rate <= 0 || options.Seconds <= 0 || options.WarmupSeconds < 0 || options.TimelineMs < 0 || options.Payload < Traffic.StampBytes || options.SourceAddresses is < 1 or > 254)
        {
            throw new ArgumentException($"Out of range: users >= 2, rate > 0, seconds > 0, warmup-seconds >= 0, timeline >= 0, payload >= {Traffic.StampBytes}, source-addresses 1..254.\n{Usage}");
        }
        return options;
    }

    public const string Usage = """
        usage: Parley.Bench <workload> --server <url> --sms-outbox <path> [options]
          pairs   --users N --rate R --seconds S --payload B [--warmup-seconds W] [--timeline MS] [--e2e]
                  client i sends to client (i + N/2) % N at a constant total rate R (open loop: send times are
                  scheduled ahead, so a slow server shows up as latency, not as a lower offered rate); without
                  --e2e, W seconds (default 5) of the same traffic go first, unmeasured, to warm the generator up;
                  --timeline MS also prints the latency of each MS-millisecond slice of the schedule
          group   --users N --members M --rate R --seconds S --payload B [--e2e]
                  N/M groups of M members; R group messages/s in total, each fanned out to M-1 members;
                  with --e2e every member is an SDK client that encrypts with its Sender Key and decrypts
          idle    --users N [--warmup W] [--processes K] [--source-addresses A] [--hold S]
                  N authenticated connections held open with keep-alives (after W warm-up connections that
                  stay open); server RSS per connection = RSS growth over those N / N
        common:   --server-pid P (server CPU and RSS from /proc)  --accounts FILE (reuse/extend registered accounts)
                  --registration-concurrency C  --keepalive S  --connect-concurrency C
        The server must allow N registrations from this IP, e.g. start it with
          --Parley:Limits:RegistrationRequestsPerIpPerMinute=1000000 --Parley:Limits:VerificationAttemptsPerIpPerMinute=1000000
        """;
}
