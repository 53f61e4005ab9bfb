using Parley.Server.Tests.Infrastructure;

namespace Parley.Server.Tests.Devices;

/// <summary>
/// A server whose per-IP link limits do not get in the way: every test device links from 127.0.0.1,
/// which the default (10 presentations per minute) would soon refuse.
/// </summary>
public abstract class DevicesServerFixture(DatabaseKind kind) : IAsyncLifetime
{
    public static readonly Dictionary<string, string> Settings = new()
    {
        ["Parley:Devices:LinkAttemptsPerIpPerMinute"] = "100000",
        ["Parley:Devices:LinkCodesPerAccountPerHour"] = "100000",
    };

    public ParleyServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await ParleyServer.StartAsync(kind, Settings);

    public async Task DisposeAsync()
    {
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }
    }
}

public sealed class SqliteDevicesServerFixture() : DevicesServerFixture(DatabaseKind.Sqlite);

public sealed class PostgresDevicesServerFixture() : DevicesServerFixture(DatabaseKind.Postgres);
