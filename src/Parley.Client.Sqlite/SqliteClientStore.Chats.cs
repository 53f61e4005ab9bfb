using Microsoft.Data.Sqlite;
using Parley.Client.Media;
using Parley.Client.Messaging;
using Parley.Client.Storage;

namespace Parley.Client.Sqlite;

/// <summary>Contacts and message history.</summary>
public sealed partial class SqliteClientStore
{
    private const string MessageColumns = "message_id, peer_account, peer_number, direction, text, timestamp, status, attachment, quote";

    public async Task<Contact?> FindContactByNumberAsync(string number) =>
        (await QueryAsync("SELECT number, account_id, identity_changed_at, profile_key FROM contacts WHERE number = $number", ReadContact, ("$number", number))).SingleOrDefault();

    public async Task<Contact?> FindContactByAccountAsync(string accountId) =>
        (await QueryAsync("SELECT number, account_id, identity_changed_at, profile_key FROM contacts WHERE account_id = $account", ReadContact, ("$account", accountId))).SingleOrDefault();

    public Task SaveContactAsync(Contact contact)
    {
        ArgumentNullException.ThrowIfNull(contact);
        // A number now owned by another account, or an account known under another number: the newer fact wins.
        return AtomicallyAsync(() => ExecuteAsync("""
            DELETE FROM contacts WHERE account_id = $account AND number <> $number;
            INSERT OR REPLACE INTO contacts (number, account_id, identity_changed_at, profile_key) VALUES ($number, $account, $changed, $profileKey);
            """, ("$number", contact.Number), ("$account", contact.AccountId), ("$changed", contact.IdentityChangedAt), ("$profileKey", contact.ProfileKey)));
    }

    public async Task<IReadOnlyList<Contact>> ListContactsAsync() =>
        await QueryAsync("SELECT number, account_id, identity_changed_at, profile_key FROM contacts ORDER BY number", ReadContact);

    public async Task<bool> AddMessageAsync(StoredMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return await ExecuteAsync($"""
            INSERT OR IGNORE INTO messages ({MessageColumns})
            VALUES ($id, $peer, $number, $direction, $text, $timestamp, $status, $attachment, $quote)
            """,
            ("$id", message.MessageId), ("$peer", message.PeerAccountId), ("$number", message.PeerNumber), ("$direction", (int)message.Direction),
            ("$text", message.Text), ("$timestamp", message.Timestamp), ("$status", (int)message.Status), ("$attachment", message.Attachment?.Serialize()),
            ("$quote", message.Quote?.Serialize())) == 1;
    }

    public async Task<bool> HasMessageAsync(string peerAccountId, MessageDirection direction, byte[] messageId) =>
        (await QueryAsync("SELECT 1 FROM messages WHERE peer_account = $peer AND direction = $direction AND message_id = $id", _ => true,
            ("$peer", peerAccountId), ("$direction", (int)direction), ("$id", messageId))).Count > 0;

    public async Task<StoredMessage?> AdvanceStatusAsync(string peerAccountId, byte[] messageId, MessageStatus status) =>
        (await QueryAsync($"""
            UPDATE messages SET status = $status
            WHERE peer_account = $peer AND direction = $outgoing AND message_id = $id AND status < $status
            RETURNING {MessageColumns}
            """, ReadMessage, ("$status", (int)status), ("$peer", peerAccountId), ("$outgoing", (int)MessageDirection.Outgoing), ("$id", messageId)))
        .SingleOrDefault();

    public async Task<IReadOnlyList<StoredMessage>> GetHistoryAsync(string peerAccountId, int limit = 1000) =>
        await QueryAsync($"""
            SELECT {MessageColumns} FROM (
                SELECT seq, {MessageColumns} FROM messages WHERE peer_account = $peer ORDER BY seq DESC LIMIT $limit
            ) ORDER BY seq
            """, ReadMessage, ("$peer", peerAccountId), ("$limit", limit));

    public async Task<IReadOnlyList<ChatSummary>> ListChatsAsync() =>
        await QueryAsync($"""
            SELECT m.{MessageColumns.Replace(", ", ", m.", StringComparison.Ordinal)}, c.number, c.identity_changed_at, c.profile_key, counts.total
            FROM (SELECT peer_account, MAX(seq) AS last_seq, COUNT(*) AS total FROM messages GROUP BY peer_account) AS counts
            JOIN messages m ON m.seq = counts.last_seq
            LEFT JOIN contacts c ON c.account_id = counts.peer_account
            ORDER BY counts.last_seq DESC
            """, r =>
            {
                var last = ReadMessage(r);
                var contact = new Contact(r.IsDBNull(9) ? last.PeerNumber : r.GetString(9), last.PeerAccountId, r.IsDBNull(10) ? null : r.GetInt64(10),
                    r.IsDBNull(11) ? null : (byte[])r[11]);
                return new ChatSummary(contact, last, r.GetInt32(12));
            });

    private static Contact ReadContact(SqliteDataReader r) =>
        new(r.GetString(0), r.GetString(1), r.IsDBNull(2) ? null : r.GetInt64(2), r.IsDBNull(3) ? null : (byte[])r[3]);

    private static StoredMessage ReadMessage(SqliteDataReader r) => new(
        (byte[])r[0], r.GetString(1), r.GetString(2), (MessageDirection)r.GetInt32(3), r.GetString(4), r.GetInt64(5), (MessageStatus)r.GetInt32(6))
    {
        Attachment = MediaAttachment.Deserialize(r.IsDBNull(7) ? null : (byte[])r[7]),
        Quote = MessageQuote.Deserialize(r.IsDBNull(8) ? null : (byte[])r[8]),
    };
}
