namespace Parley.Server.Hosting;

/// <summary>
/// Configuration under the "Parley" section (appsettings, PARLEY__... environment variables,
/// or --Parley:Key=value; --data is a shortcut for Parley:DataDirectory).
/// </summary>
public sealed class ParleyOptions
{
    public const string Section = "Parley";

    /// <summary>Where the SQLite database, the development SMS outbox and media live.</summary>
    public string DataDirectory { get; set; } = "parley-data";

    /// <summary>A PostgreSQL connection string; when empty the embedded SQLite database is used.</summary>
    public string? PostgresConnectionString { get; set; }

    /// <summary>When set, verification codes are POSTed here (JSON) instead of the outbox file.</summary>
    public string? SmsWebhookUrl { get; set; }

    public OrleansOptions Orleans { get; set; } = new();

    public Calls.TurnOptions Turn { get; set; } = new();

    public LimitOptions Limits { get; set; } = new();

    public KeepAliveOptions KeepAlive { get; set; } = new();

    /// <summary>Most thread-pool worker threads; 0 means twice the cores, at least 6 (see <see cref="ThreadPoolSizing"/>).</summary>
    public int MaxWorkerThreads { get; set; }

    /// <summary>Whether the server's threads run under Linux's SCHED_BATCH policy (see <see cref="Hosting.BatchScheduling"/>).</summary>
    public bool BatchScheduling { get; set; } = true;
}

/// <summary>How the server keeps device WebSockets alive and notices devices that are gone.</summary>
public sealed class KeepAliveOptions
{
    /// <summary>Seconds between the server's pings on every device WebSocket (keeps NATs and proxies from dropping idle ones).</summary>
    public double IntervalSeconds { get; set; } = 30;

    /// <summary>Seconds a device may send nothing, not even the pong to a ping, before it is disconnected (it reconnects and reads its queue).</summary>
    public double TimeoutSeconds { get; set; } = 60;

    public TimeSpan Interval => TimeSpan.FromSeconds(IntervalSeconds);

    public TimeSpan Timeout => TimeSpan.FromSeconds(TimeoutSeconds);
}

public sealed class OrleansOptions
{
    public int SiloPort { get; set; } = 11111;
    public int GatewayPort { get; set; } = 30000;
}

/// <summary>Abuse limits. Defaults suit a family or company server; raise them for load tests.</summary>
public sealed class LimitOptions
{
    /// <summary>Registration session/code requests per client IP per minute.</summary>
    public int RegistrationRequestsPerIpPerMinute { get; set; } = 10;

    /// <summary>Verification codes sent to one number per hour (new sessions and resends).</summary>
    public int CodesPerNumberPerHour { get; set; } = 5;

    /// <summary>Code verification attempts per client IP per minute (on top of 5 per session).</summary>
    public int VerificationAttemptsPerIpPerMinute { get; set; } = 30;

    /// <summary>Prekey bundle fetches and number look-ups per account per minute.</summary>
    public int KeyFetchesPerAccountPerMinute { get; set; } = 300;

    /// <summary>Numbers an account may add to its address book per day (contact discovery; stops enumeration).</summary>
    public int NewContactsPerDay { get; set; } = 1000;

    /// <summary>Largest address book an account may keep.</summary>
    public int MaxContacts { get; set; } = 5000;

    /// <summary>Largest profile or group photo in bytes (as uploaded: encrypted on the client).</summary>
    public int MaxProfilePhotoBytes { get; set; } = 5 * 1024 * 1024;

    /// <summary>Messages a single connection may send per second (token bucket, burst = 2x).</summary>
    public int MessagesPerConnectionPerSecond { get; set; } = 500;
}
