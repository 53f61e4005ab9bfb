namespace Parley.Server.Storage;

/// <summary>The column types that differ between the two databases; everything else is shared SQL.</summary>
public sealed record ColumnTypes(string Blob, string BigInt, string AutoId)
{
    public static readonly ColumnTypes Sqlite = new("BLOB", "INTEGER", "INTEGER PRIMARY KEY AUTOINCREMENT");

    public static readonly ColumnTypes Postgres = new("BYTEA", "BIGINT", "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY");
}

/// <summary>
/// The schema as ordered migrations, written once for both databases: entry i upgrades a database
/// to version i + 1. Append new entries; never edit shipped ones, databases out there are at every version.
/// </summary>
public static class Schema
{
    public static IReadOnlyList<string> Migrations(ColumnTypes types) => [Initial(types), Groups(types), Presence(types), Privacy(types), Media(types), ProfilePhotos(),
        GroupDeliveryCounts(), GroupLog(types), GroupCursorsWithoutEnd()];

    private static string Initial(ColumnTypes types) => $"""
        CREATE TABLE IF NOT EXISTS accounts (
            id            TEXT PRIMARY KEY,
            number        TEXT NOT NULL UNIQUE,
            created_at    {types.BigInt} NOT NULL
        );
        CREATE TABLE IF NOT EXISTS devices (
            account_id       TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
            device_id        INTEGER NOT NULL,
            registration_id  INTEGER NOT NULL,
            credential_hash  {types.Blob} NOT NULL,
            identity_key     {types.Blob} NOT NULL,
            signed_prekey_id INTEGER NOT NULL,
            signed_prekey    {types.Blob} NOT NULL,
            signed_prekey_signature {types.Blob} NOT NULL,
            name             TEXT,
            created_at       {types.BigInt} NOT NULL,
            PRIMARY KEY (account_id, device_id)
        );
        CREATE TABLE IF NOT EXISTS one_time_prekeys (
            account_id  TEXT NOT NULL,
            device_id   INTEGER NOT NULL,
            key_id      INTEGER NOT NULL,
            public_key  {types.Blob} NOT NULL,
            PRIMARY KEY (account_id, device_id, key_id),
            FOREIGN KEY (account_id, device_id) REFERENCES devices(account_id, device_id) ON DELETE CASCADE
        );
        CREATE TABLE IF NOT EXISTS kyber_prekeys (
            account_id  TEXT NOT NULL,
            device_id   INTEGER NOT NULL,
            key_id      INTEGER NOT NULL,
            public_key  {types.Blob} NOT NULL,
            signature   {types.Blob} NOT NULL,
            last_resort INTEGER NOT NULL,
            PRIMARY KEY (account_id, device_id, key_id),
            FOREIGN KEY (account_id, device_id) REFERENCES devices(account_id, device_id) ON DELETE CASCADE
        );
        CREATE TABLE IF NOT EXISTS registration_sessions (
            id              TEXT PRIMARY KEY,
            number          TEXT NOT NULL,
            code_hash       {types.Blob} NOT NULL,
            code_expires_at {types.BigInt} NOT NULL,
            attempts        INTEGER NOT NULL,
            codes_sent      INTEGER NOT NULL,
            verified_at     {types.BigInt},
            created_at      {types.BigInt} NOT NULL
        );
        CREATE INDEX IF NOT EXISTS registration_sessions_by_number ON registration_sessions(number, created_at);
        CREATE TABLE IF NOT EXISTS envelopes (
            id               {types.AutoId},
            account_id       TEXT NOT NULL,
            device_id        INTEGER NOT NULL,
            type             INTEGER NOT NULL,
            source_account   TEXT NOT NULL,
            source_device    INTEGER NOT NULL,
            message_id       {types.Blob} NOT NULL,
            client_timestamp {types.BigInt} NOT NULL,
            server_timestamp {types.BigInt} NOT NULL,
            content          {types.Blob} NOT NULL,
            receipted_ids    {types.Blob} NOT NULL,
            expires_at       {types.BigInt} NOT NULL
        );
        CREATE INDEX IF NOT EXISTS envelopes_by_device ON envelopes(account_id, device_id, id);
        CREATE INDEX IF NOT EXISTS envelopes_by_expiry ON envelopes(expires_at);
        """;

    private static string Groups(ColumnTypes types) => $"""
        ALTER TABLE envelopes ADD COLUMN group_id TEXT;
        ALTER TABLE envelopes ADD COLUMN payload_id {types.BigInt};
        CREATE INDEX envelopes_by_payload ON envelopes(payload_id) WHERE payload_id IS NOT NULL;
        CREATE TABLE group_payloads (
            id          {types.AutoId},
            content     {types.Blob} NOT NULL,
            created_at  {types.BigInt} NOT NULL
        );
        CREATE TABLE groups (
            id                    TEXT PRIMARY KEY,
            version               {types.BigInt} NOT NULL,
            name                  TEXT NOT NULL,
            description           TEXT NOT NULL,
            picture               TEXT NOT NULL,
            only_admins_edit_info INTEGER NOT NULL,
            only_admins_send      INTEGER NOT NULL,
            invite_token          TEXT,
            created_by            TEXT NOT NULL,
            created_at            {types.BigInt} NOT NULL
        );
        CREATE UNIQUE INDEX groups_by_invite ON groups(invite_token) WHERE invite_token IS NOT NULL;
        CREATE TABLE group_members (
            group_id    TEXT NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
            account_id  TEXT NOT NULL,
            admin       INTEGER NOT NULL,
            joined_at   {types.BigInt} NOT NULL,
            PRIMARY KEY (group_id, account_id)
        );
        CREATE INDEX group_members_by_account ON group_members(account_id);
        CREATE TABLE group_messages (
            group_id       TEXT NOT NULL,
            message_id     {types.Blob} NOT NULL,
            sender_account TEXT NOT NULL,
            sent_at        {types.BigInt} NOT NULL,
            PRIMARY KEY (group_id, message_id)
        );
        CREATE TABLE group_receipts (
            group_id       TEXT NOT NULL,
            message_id     {types.Blob} NOT NULL,
            member_account TEXT NOT NULL,
            delivered_at   {types.BigInt},
            read_at        {types.BigInt},
            PRIMARY KEY (group_id, message_id, member_account)
        );
        """;

    private static string Presence(ColumnTypes types) => $"""
        ALTER TABLE accounts ADD COLUMN last_seen {types.BigInt};
        """;

    /// <summary>Profiles, privacy settings, blocks, address books and two-step verification (issue 5).</summary>
    private static string Privacy(ColumnTypes types) => $"""
        CREATE TABLE profiles (
            account_id  TEXT PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
            name        TEXT NOT NULL,
            about       TEXT NOT NULL,
            photo       {types.Blob},
            photo_type  TEXT,
            version     {types.BigInt} NOT NULL
        );
        CREATE TABLE privacy_settings (
            account_id     TEXT PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
            last_seen      INTEGER NOT NULL,
            profile_photo  INTEGER NOT NULL,
            about          INTEGER NOT NULL,
            groups         INTEGER NOT NULL,
            read_receipts  INTEGER NOT NULL
        );
        CREATE TABLE privacy_exceptions (
            account_id        TEXT NOT NULL,
            topic             INTEGER NOT NULL,
            excluded_account  TEXT NOT NULL,
            PRIMARY KEY (account_id, topic, excluded_account)
        );
        CREATE TABLE blocks (
            account_id       TEXT NOT NULL,
            blocked_account  TEXT NOT NULL,
            blocked_at       {types.BigInt} NOT NULL,
            PRIMARY KEY (account_id, blocked_account)
        );
        CREATE TABLE address_book (
            account_id  TEXT NOT NULL,
            number      TEXT NOT NULL,
            PRIMARY KEY (account_id, number)
        );
        CREATE TABLE contact_quota (
            account_id  TEXT NOT NULL,
            day         {types.BigInt} NOT NULL,
            added       INTEGER NOT NULL,
            PRIMARY KEY (account_id, day)
        );
        CREATE TABLE registration_locks (
            account_id       TEXT PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
            pin_hash         {types.Blob} NOT NULL,
            totp_secret      {types.Blob},
            totp_pending     {types.Blob},
            failed_attempts  INTEGER NOT NULL,
            next_attempt_at  {types.BigInt} NOT NULL
        );
        """;

    // Issue 8: encrypted media blobs. Sizes and expiry for limits and garbage collection; which
    // devices confirmed a download, so a blob goes once every recipient device has it.
    private static string Media(ColumnTypes types) => $"""
        CREATE TABLE media_uploads (
            id          TEXT PRIMARY KEY,
            account_id  TEXT NOT NULL,
            kind        TEXT NOT NULL,
            size        {types.BigInt} NOT NULL,
            created_at  {types.BigInt} NOT NULL,
            expires_at  {types.BigInt} NOT NULL
        );
        CREATE INDEX media_uploads_by_account ON media_uploads(account_id);
        CREATE INDEX media_uploads_by_expiry ON media_uploads(expires_at);
        CREATE TABLE media_blobs (
            id               TEXT PRIMARY KEY,
            owner_account    TEXT NOT NULL,
            size             {types.BigInt} NOT NULL,
            created_at       {types.BigInt} NOT NULL,
            expires_at       {types.BigInt} NOT NULL,
            fetches_expected INTEGER NOT NULL,
            fetches_done     INTEGER NOT NULL
        );
        CREATE INDEX media_blobs_by_owner ON media_blobs(owner_account);
        CREATE INDEX media_blobs_by_expiry ON media_blobs(expires_at);
        CREATE TABLE media_fetches (
            media_id    TEXT NOT NULL,
            account_id  TEXT NOT NULL,
            device_id   INTEGER NOT NULL,
            PRIMARY KEY (media_id, account_id, device_id)
        );
        """;

    /// <summary>
    /// Profile photos move out of the table into the media store (issue 8, item 5): the row keeps the
    /// blob's id. Photos stored before stay in <c>photo</c> and are still served until replaced.
    /// </summary>
    private static string ProfilePhotos() => """
        ALTER TABLE profiles ADD COLUMN photo_media_id TEXT;
        """;

    /// <summary>
    /// How many members a group message still has to reach (issue 7): the sender gets one "delivered"
    /// receipt when it reaches zero instead of one per member. Older messages have none and get none.
    /// </summary>
    private static string GroupDeliveryCounts() => """
        ALTER TABLE group_messages ADD COLUMN awaiting_delivery INTEGER;
        """;

    /// <summary>
    /// The group log (issue 7): a group message is stored once, as an envelope addressed to the group
    /// (account <c>g:&lt;group id&gt;</c>, device 0), and each member device has a cursor into it: it
    /// receives the group's rows after <c>acked_up_to</c> (<c>ends_after</c>: until version 9, see below).
    /// </summary>
    private static string GroupLog(ColumnTypes types) => $"""
        CREATE TABLE group_cursors (
            account_id  TEXT NOT NULL,
            device_id   INTEGER NOT NULL,
            group_id    TEXT NOT NULL,
            acked_up_to {types.BigInt} NOT NULL,
            ends_after  {types.BigInt},
            PRIMARY KEY (account_id, device_id, group_id)
        );
        CREATE INDEX group_cursors_by_group ON group_cursors(group_id);
        """;

    /// <summary>
    /// A member who leaves now has the log rows still owed to their devices moved into those devices'
    /// own queues, and loses their cursors (<see cref="Groups.GroupLog.HandOverOwedRowsAsync"/>): a
    /// cursor that ended could not also start again when the member came back. Cursors ended before
    /// this version are handed over the same way.
    /// </summary>
    private static string GroupCursorsWithoutEnd() => """
        INSERT INTO envelopes (account_id, device_id, type, source_account, source_device, message_id,
                               client_timestamp, server_timestamp, content, receipted_ids, expires_at, group_id, payload_id)
        SELECT c.account_id, c.device_id, e.type, e.source_account, e.source_device, e.message_id,
               e.client_timestamp, e.server_timestamp, e.content, e.receipted_ids, e.expires_at, e.group_id, e.payload_id
        FROM group_cursors c JOIN envelopes e ON e.account_id = 'g:' || c.group_id AND e.device_id = 0
            AND e.id > c.acked_up_to AND e.id <= c.ends_after AND NOT (e.source_account = c.account_id AND e.source_device = c.device_id)
        WHERE c.ends_after IS NOT NULL
        ORDER BY c.account_id, c.device_id, e.id;
        DELETE FROM group_cursors WHERE ends_after IS NOT NULL;
        ALTER TABLE group_cursors DROP COLUMN ends_after;
        """;
}
