using Parley.Server.Storage;

namespace Parley.Server.Privacy;

/// <summary>Privacy settings, their exceptions and block lists.</summary>
public sealed class PrivacyStore(Database database)
{
    public async Task<AccountPrivacy> LoadAsync(string accountId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var privacy = AccountPrivacy.Default;
        await using (var settings = connection.Command(
            "SELECT last_seen, profile_photo, about, groups, read_receipts FROM privacy_settings WHERE account_id = @a").With("a", accountId))
        await using (var reader = await settings.ExecuteReaderAsync(cancellationToken))
        {
            if (await reader.ReadAsync(cancellationToken))
            {
                privacy = privacy with
                {
                    Audiences = new Dictionary<PrivacyTopic, Audience>
                    {
                        [PrivacyTopic.LastSeen] = (Audience)reader.GetInt32(0),
                        [PrivacyTopic.ProfilePhoto] = (Audience)reader.GetInt32(1),
                        [PrivacyTopic.About] = (Audience)reader.GetInt32(2),
                        [PrivacyTopic.Groups] = (Audience)reader.GetInt32(3),
                    },
                    ReadReceipts = reader.GetInt32(4) != 0,
                };
            }
        }
        var exceptions = new Dictionary<PrivacyTopic, HashSet<string>>();
        await using (var select = connection.Command("SELECT topic, excluded_account FROM privacy_exceptions WHERE account_id = @a").With("a", accountId))
        await using (var reader = await select.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                var topic = (PrivacyTopic)reader.GetInt32(0);
                (exceptions.TryGetValue(topic, out var set) ? set : exceptions[topic] = []).Add(reader.GetString(1));
            }
        }
        var blocked = new HashSet<string>();
        await using (var select = connection.Command("SELECT blocked_account FROM blocks WHERE account_id = @a").With("a", accountId))
        await using (var reader = await select.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                blocked.Add(reader.GetString(0));
            }
        }
        return privacy with { Exceptions = exceptions.ToDictionary(e => e.Key, e => (IReadOnlySet<string>)e.Value), Blocked = blocked };
    }

    /// <summary>Writes the whole settings row, and replaces the exception lists of the topics in <paramref name="exceptions"/>.</summary>
    public async Task SaveAsync(string accountId, AccountPrivacy settings, IReadOnlyDictionary<PrivacyTopic, IReadOnlySet<string>> exceptions,
        CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var upsert = connection.Command("""
            INSERT INTO privacy_settings (account_id, last_seen, profile_photo, about, groups, read_receipts)
            VALUES (@a, @lastSeen, @photo, @about, @groups, @receipts)
            ON CONFLICT (account_id) DO UPDATE SET last_seen = excluded.last_seen, profile_photo = excluded.profile_photo,
                about = excluded.about, groups = excluded.groups, read_receipts = excluded.read_receipts
            """, transaction)
            .With("a", accountId)
            .With("lastSeen", (int)settings.AudienceOf(PrivacyTopic.LastSeen))
            .With("photo", (int)settings.AudienceOf(PrivacyTopic.ProfilePhoto))
            .With("about", (int)settings.AudienceOf(PrivacyTopic.About))
            .With("groups", (int)settings.AudienceOf(PrivacyTopic.Groups))
            .With("receipts", settings.ReadReceipts ? 1 : 0))
        {
            await upsert.ExecuteNonQueryAsync(cancellationToken);
        }
        foreach (var (topic, excluded) in exceptions)
        {
            await using (var delete = connection.Command("DELETE FROM privacy_exceptions WHERE account_id = @a AND topic = @t", transaction)
                .With("a", accountId).With("t", (int)topic))
            {
                await delete.ExecuteNonQueryAsync(cancellationToken);
            }
            foreach (var account in excluded)
            {
                await using var insert = connection.Command(
                    "INSERT INTO privacy_exceptions (account_id, topic, excluded_account) VALUES (@a, @t, @x)", transaction)
                    .With("a", accountId).With("t", (int)topic).With("x", account);
                await insert.ExecuteNonQueryAsync(cancellationToken);
            }
        }
        await transaction.CommitAsync(cancellationToken);
    }

    public async Task BlockAsync(string accountId, string blockedAccount, long now, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync("""
            INSERT INTO blocks (account_id, blocked_account, blocked_at) VALUES (@a, @b, @at)
            ON CONFLICT (account_id, blocked_account) DO NOTHING
            """, cancellationToken, ("a", accountId), ("b", blockedAccount), ("at", now));
    }

    public async Task UnblockAsync(string accountId, string blockedAccount, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync("DELETE FROM blocks WHERE account_id = @a AND blocked_account = @b", cancellationToken,
            ("a", accountId), ("b", blockedAccount));
    }

    /// <summary>Blocked accounts with their numbers, most recent first.</summary>
    public async Task<IReadOnlyList<(string Number, string AccountId, long BlockedAt)>> ListBlockedAsync(string accountId,
        CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command("""
            SELECT a.number, b.blocked_account, b.blocked_at FROM blocks b JOIN accounts a ON a.id = b.blocked_account
            WHERE b.account_id = @a ORDER BY b.blocked_at DESC
            """).With("a", accountId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var blocked = new List<(string, string, long)>();
        while (await reader.ReadAsync(cancellationToken))
        {
            blocked.Add((reader.GetString(0), reader.GetString(1), reader.GetInt64(2)));
        }
        return blocked;
    }

    /// <summary>Whether <paramref name="viewer"/>'s number is in <paramref name="owner"/>'s address book.</summary>
    public async Task<bool> IsContactAsync(string owner, string viewer, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command("""
            SELECT 1 FROM address_book ab JOIN accounts a ON a.number = ab.number WHERE ab.account_id = @owner AND a.id = @viewer
            """).With("owner", owner).With("viewer", viewer);
        return await command.ExecuteScalarAsync(cancellationToken) is not null;
    }
}
