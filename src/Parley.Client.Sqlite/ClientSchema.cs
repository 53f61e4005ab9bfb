namespace Parley.Client.Sqlite;

/// <summary>The profile database's tables. Additive only: a newer client must open an older profile.</summary>
internal static class ClientSchema
{
    public const string Create = """
        CREATE TABLE IF NOT EXISTS account (
            singleton          INTEGER PRIMARY KEY CHECK (singleton = 1),
            server             TEXT NOT NULL,
            number             TEXT NOT NULL,
            account_id         TEXT NOT NULL,
            device_id          INTEGER NOT NULL,
            password           TEXT NOT NULL,
            registration_id    INTEGER NOT NULL,
            identity_key_pair  BLOB NOT NULL,
            device_name        TEXT,
            next_prekey_id     INTEGER NOT NULL,
            next_kyber_id      INTEGER NOT NULL,
            signed_prekey_id   INTEGER NOT NULL
        );
        CREATE TABLE IF NOT EXISTS prekeys (
            kind        INTEGER NOT NULL,
            id          INTEGER NOT NULL,
            record      BLOB NOT NULL,
            last_resort INTEGER NOT NULL,
            PRIMARY KEY (kind, id)
        );
        CREATE TABLE IF NOT EXISTS sessions (
            name      TEXT NOT NULL,
            device_id INTEGER NOT NULL,
            record    BLOB NOT NULL,
            PRIMARY KEY (name, device_id)
        );
        CREATE TABLE IF NOT EXISTS sender_keys (
            name            TEXT NOT NULL,
            device_id       INTEGER NOT NULL,
            distribution_id TEXT NOT NULL,
            record          BLOB NOT NULL,
            PRIMARY KEY (name, device_id, distribution_id)
        );
        CREATE TABLE IF NOT EXISTS identities (
            name         TEXT NOT NULL,
            device_id    INTEGER NOT NULL,
            identity_key BLOB NOT NULL,
            PRIMARY KEY (name, device_id)
        );
        CREATE TABLE IF NOT EXISTS contacts (
            number              TEXT PRIMARY KEY,
            account_id          TEXT NOT NULL UNIQUE,
            identity_changed_at INTEGER
        );
        CREATE TABLE IF NOT EXISTS messages (
            seq          INTEGER PRIMARY KEY AUTOINCREMENT,
            message_id   BLOB NOT NULL,
            peer_account TEXT NOT NULL,
            peer_number  TEXT NOT NULL,
            direction    INTEGER NOT NULL,
            text         TEXT NOT NULL,
            timestamp    INTEGER NOT NULL,
            status       INTEGER NOT NULL,
            UNIQUE (peer_account, direction, message_id)
        );
        CREATE INDEX IF NOT EXISTS messages_by_peer ON messages(peer_account, seq);
        CREATE TABLE IF NOT EXISTS groups (
            group_id TEXT PRIMARY KEY,
            state    TEXT NOT NULL
        );
        CREATE TABLE IF NOT EXISTS group_messages (
            seq            INTEGER PRIMARY KEY AUTOINCREMENT,
            group_id       TEXT NOT NULL,
            message_id     BLOB NOT NULL,
            sender_account TEXT NOT NULL,
            sender_number  TEXT NOT NULL,
            direction      INTEGER NOT NULL,
            text           TEXT NOT NULL,
            timestamp      INTEGER NOT NULL,
            status         INTEGER NOT NULL,
            UNIQUE (group_id, sender_account, message_id)
        );
        CREATE INDEX IF NOT EXISTS group_messages_by_group ON group_messages(group_id, seq);
        CREATE TABLE IF NOT EXISTS calls (
            call_id       BLOB PRIMARY KEY,
            peer_number   TEXT NOT NULL,
            peer_account  TEXT NOT NULL,
            direction     INTEGER NOT NULL,
            video         INTEGER NOT NULL,
            outcome       INTEGER NOT NULL,
            started_at    INTEGER NOT NULL,
            duration_ms   INTEGER NOT NULL
        );
        CREATE TABLE IF NOT EXISTS group_receipts (
            group_id       TEXT NOT NULL,
            message_id     BLOB NOT NULL,
            member_account TEXT NOT NULL,
            status         INTEGER NOT NULL,
            PRIMARY KEY (group_id, message_id, member_account)
        );
        CREATE TABLE IF NOT EXISTS pending_group_envelopes (
            seq            INTEGER PRIMARY KEY AUTOINCREMENT,
            sender_account TEXT NOT NULL,
            sender_device  INTEGER NOT NULL,
            message_id     BLOB NOT NULL,
            envelope       BLOB NOT NULL,
            UNIQUE (sender_account, sender_device, message_id)
        );
        """;

    /// <summary>Columns added to tables after they first shipped, added to older profiles when they open.</summary>
    public static readonly (string Table, string Column, string Type)[] AddedColumns =
    [
        ("messages", "attachment", "BLOB"),        // issue 8: a serialized parley.content.v1.Attachment
        ("group_messages", "attachment", "BLOB"),
        ("calls", "group_id", "TEXT"),              // issue 9: group calls
        ("messages", "quote", "BLOB"),             // replies: a serialized parley.content.v1.Quote
        ("group_messages", "quote", "BLOB"),
        ("account", "profile_key", "BLOB"),        // issue 8: the key our profile photo is encrypted with
        ("contacts", "profile_key", "BLOB"),       // ... and each contact's, learned from their messages
    ];
}
