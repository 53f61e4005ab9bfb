using Parley.Client.Api;
using Parley.Protocol.Rest;
using Parley.Server.Tests.Infrastructure;

namespace Parley.Server.Tests.Privacy;

/// <summary>Contact discovery: who of my address book uses Parley — and nothing about anyone else.</summary>
public abstract class ContactDiscoveryTests(DatabaseKind kind)
{
    private const int PerDay = 5;

    private static readonly Dictionary<string, string> Limits = new() { ["Parley:Limits:NewContactsPerDay"] = PerDay.ToString(System.Globalization.CultureInfo.InvariantCulture) };

    [Fact]
    public async Task Sync_answers_only_registered_numbers_and_caps_new_numbers_per_day()
    {
        await using var server = await ParleyServer.StartAsync(kind, Limits);
        await using var me = await TestUser.RegisterAsync(server, preKeys: 0);
        await using var friend = await TestUser.RegisterAsync(server, preKeys: 0);
        var strangers = Enumerable.Range(0, 3).Select(_ => TestUser.NewNumber()).ToList();

        var synced = await me.Api.SyncContactsAsync(me.Credentials, [friend.Number, me.Number, .. strangers]);
        Assert.Equal([new RegisteredContact(friend.Number, friend.AccountId)], synced.Registered);
        Assert.Equal(0, synced.NewNumbersLeftToday);

        // The same book again costs nothing; one more new number is over today's quota and changes nothing.
        Assert.Single((await me.Api.SyncContactsAsync(me.Credentials, [friend.Number, me.Number, .. strangers])).Registered);
        await using var late = await TestUser.RegisterAsync(server, preKeys: 0);
        var refused = await Assert.ThrowsAsync<ParleyApiException>(() =>
            me.Api.SyncContactsAsync(me.Credentials, [friend.Number, late.Number]));
        Assert.Equal(ErrorCodes.ContactQuotaExceeded, refused.Code);
        Assert.Equal(1, await server.ScalarAsync("SELECT COUNT(*) FROM address_book WHERE account_id = @a AND number = @n",
            ("a", me.AccountId), ("n", strangers[0])));

        // Removing numbers does not give the quota back (or enumeration would be free).
        await me.Api.SyncContactsAsync(me.Credentials, [friend.Number]);
        Assert.Equal(ErrorCodes.ContactQuotaExceeded,
            (await Assert.ThrowsAsync<ParleyApiException>(() => me.Api.SyncContactsAsync(me.Credentials, [friend.Number, late.Number]))).Code);
    }

    [Fact]
    public async Task Malformed_numbers_are_refused_with_the_offending_number_and_nothing_is_stored()
    {
        await using var server = await ParleyServer.StartAsync(kind, Limits);
        await using var me = await TestUser.RegisterAsync(server, preKeys: 0);
        var refused = await Assert.ThrowsAsync<ParleyApiException>(() => me.Api.SyncContactsAsync(me.Credentials, [TestUser.NewNumber(), "0151 123"]));
        Assert.Equal(ErrorCodes.InvalidNumber, refused.Code);
        Assert.Contains("0151 123", refused.Message, StringComparison.Ordinal);
        Assert.Equal(0, await server.ScalarAsync("SELECT COUNT(*) FROM address_book WHERE account_id = @a", ("a", me.AccountId)));
    }
}

public sealed class ContactDiscoveryTestsOnSqlite() : ContactDiscoveryTests(DatabaseKind.Sqlite);

public sealed class ContactDiscoveryTestsOnPostgres() : ContactDiscoveryTests(DatabaseKind.Postgres);
