using Parley.Server.Tests.Infrastructure;

namespace Parley.Server.Tests.Media;

/// <summary>A server with small media limits, so over-limit and quota answers are reachable with small files.</summary>
public abstract class MediaServerFixture(DatabaseKind kind, IDictionary<string, string> settings) : IAsyncLifetime
{
    public const long MaxVideoBytes = 2 * 1024 * 1024;
    public const long QuotaBytes = 24 * 1024 * 1024;

    public ParleyServer Server { get; private set; } = null!;

    public static Dictionary<string, string> SmallLimits() => new()
    {
        ["Parley:Media:MaxVideoBytes"] = MaxVideoBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Parley:Media:QuotaBytesPerAccount"] = QuotaBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Logging:LogLevel:Parley.Server.Media"] = "Information",
    };

    public async Task InitializeAsync() => Server = await ParleyServer.StartAsync(kind, settings);

    public async Task DisposeAsync()
    {
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }
    }
}

public sealed class SqliteMediaServerFixture() : MediaServerFixture(DatabaseKind.Sqlite, SmallLimits());

public sealed class PostgresMediaServerFixture() : MediaServerFixture(DatabaseKind.Postgres, SmallLimits());

/// <summary>Blobs live two seconds and the collector runs every second: expiry becomes observable.</summary>
public sealed class ShortLivedMediaServerFixture() : MediaServerFixture(DatabaseKind.Sqlite, new Dictionary<string, string>
{
    ["Parley:Media:BlobLifetimeSeconds"] = "2",
    ["Parley:Media:CollectIntervalSeconds"] = "1",
});

public sealed class ShortLivedPostgresMediaServerFixture() : MediaServerFixture(DatabaseKind.Postgres, new Dictionary<string, string>
{
    ["Parley:Media:BlobLifetimeSeconds"] = "2",
    ["Parley:Media:CollectIntervalSeconds"] = "1",
});
