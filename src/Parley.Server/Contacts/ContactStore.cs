using Parley.Server.Storage;

namespace Parley.Server.Contacts;

/// <summary>
/// Address books: the numbers each account uploaded (never names). They decide who counts as
/// "my contacts" for privacy settings; a daily quota of new numbers stops enumeration of users.
/// </summary>
public sealed class ContactStore(Database database)
{
    public sealed record SyncOutcome(bool WithinQuota, int NewNumbersLeftToday, IReadOnlyList<(string Number, string AccountId)> Registered);

    /// <summary>
    /// Replaces the address book with <paramref name="numbers"/> unless that adds more new numbers
    /// than today's quota allows, in which case nothing changes.
    /// </summary>
    public async Task<SyncOutcome> ReplaceAsync(string accountId, IReadOnlySet<string> numbers, long day, int perDay,
        CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var existing = new HashSet<string>();
        await using (var select = connection.Command("SELECT number FROM address_book WHERE account_id = @a", transaction).With("a", accountId))
        await using (var reader = await select.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                existing.Add(reader.GetString(0));
            }
        }
        int addedToday;
        await using (var quota = connection.Command("SELECT added FROM contact_quota WHERE account_id = @a AND day = @d", transaction)
            .With("a", accountId).With("d", day))
        {
            addedToday = Convert.ToInt32(await quota.ExecuteScalarAsync(cancellationToken) ?? 0, System.Globalization.CultureInfo.InvariantCulture);
        }
        var added = numbers.Where(n => !existing.Contains(n)).ToList();
        var left = Math.Max(perDay - addedToday, 0);
        if (added.Count > left)
        {
            return new SyncOutcome(false, left, []);
        }
        foreach (var removed in existing.Where(n => !numbers.Contains(n)))
        {
            await using var delete = connection.Command("DELETE FROM address_book WHERE account_id = @a AND number = @n", transaction)
                .With("a", accountId).With("n", removed);
            await delete.ExecuteNonQueryAsync(cancellationToken);
        }
        foreach (var number in added)
        {
            await using var insert = connection.Command("INSERT INTO address_book (account_id, number) VALUES (@a, @n)", transaction)
                .With("a", accountId).With("n", number);
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }
        if (added.Count > 0)
        {
            await using var count = connection.Command("""
                INSERT INTO contact_quota (account_id, day, added) VALUES (@a, @d, @n)
                ON CONFLICT (account_id, day) DO UPDATE SET added = contact_quota.added + excluded.added
                """, transaction).With("a", accountId).With("d", day).With("n", added.Count);
            await count.ExecuteNonQueryAsync(cancellationToken);
        }
        var registered = new List<(string, string)>();
        await using (var select = connection.Command("""
            SELECT ab.number, a.id FROM address_book ab JOIN accounts a ON a.number = ab.number
            WHERE ab.account_id = @a AND a.id <> @a ORDER BY ab.number
            """, transaction).With("a", accountId))
        await using (var reader = await select.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                registered.Add((reader.GetString(0), reader.GetString(1)));
            }
        }
        await transaction.CommitAsync(cancellationToken);
        return new SyncOutcome(true, left - added.Count, registered);
    }
}
