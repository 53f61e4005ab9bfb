namespace Parley.Client.Storage;

/// <summary>
/// Everything a client keeps on its device: its account, private keys, sessions, contacts and
/// message history. This is the storage seam: in-memory for tests and tools, SQLite natively,
/// IndexedDB in the browser. Implementations persist bytes; policy (trust, padding, ordering)
/// lives in the SDK. Every method may be called concurrently.
/// </summary>
public interface IClientStore : IAccountStore, IPreKeyRecordStore, ISessionRecordStore, IContactStore, IMessageHistoryStore, IGroupStore
{
    /// <summary>
    /// Runs <paramref name="work"/> so that all its writes to this store land together or not at
    /// all (e.g. advance a session and store the decrypted message). Calls on this store from
    /// inside <paramref name="work"/> take part; other callers wait.
    /// </summary>
    Task<T> AtomicallyAsync<T>(Func<Task<T>> work);
}

public interface IAccountStore
{
    Task<LocalAccount?> LoadAccountAsync();

    Task SaveAccountAsync(LocalAccount account);

    /// <summary>Forgets the account, its keys, sessions and identities (before registering again); keeps contacts and history.</summary>
    Task ResetAccountAsync();
}

public interface IPreKeyRecordStore
{
    Task<StoredPreKey?> LoadPreKeyAsync(PreKeyKind kind, uint id);

    Task StorePreKeyAsync(PreKeyKind kind, uint id, StoredPreKey key);

    Task RemovePreKeyAsync(PreKeyKind kind, uint id);
}

/// <summary>Sessions, sender keys and the identity keys seen per remote device (all serialized).</summary>
public interface ISessionRecordStore
{
    Task<byte[]?> LoadSessionAsync(string name, uint deviceId);

    Task StoreSessionAsync(string name, uint deviceId, byte[] record);

    Task DeleteSessionAsync(string name, uint deviceId);

    /// <summary>Devices of <paramref name="name"/> we hold a session record with.</summary>
    Task<IReadOnlyList<uint>> ListSessionDevicesAsync(string name);

    Task<byte[]?> LoadSenderKeyAsync(string name, uint deviceId, Guid distributionId);

    Task StoreSenderKeyAsync(string name, uint deviceId, Guid distributionId, byte[] record);

    Task<byte[]?> LoadIdentityAsync(string name, uint deviceId);

    Task StoreIdentityAsync(string name, uint deviceId, byte[] identityKey);
}

public interface IContactStore
{
    Task<Contact?> FindContactByNumberAsync(string number);

    Task<Contact?> FindContactByAccountAsync(string accountId);

    /// <summary>Inserts or replaces by number (a number re-registered keeps its account id; a new owner of the number replaces it).</summary>
    Task SaveContactAsync(Contact contact);

    Task<IReadOnlyList<Contact>> ListContactsAsync();
}

public interface IMessageHistoryStore
{
    /// <summary>Adds a message; false (and nothing stored) if one with the same peer, direction and id exists.</summary>
    Task<bool> AddMessageAsync(StoredMessage message);

    Task<bool> HasMessageAsync(string peerAccountId, MessageDirection direction, byte[] messageId);

    /// <summary>Moves an outgoing message's status forward (never back); returns the message if it changed.</summary>
    Task<StoredMessage?> AdvanceStatusAsync(string peerAccountId, byte[] messageId, MessageStatus status);

    /// <summary>The conversation with one peer, oldest first.</summary>
    Task<IReadOnlyList<StoredMessage>> GetHistoryAsync(string peerAccountId, int limit = 1000);

    /// <summary>Chats with at least one message, most recent first.</summary>
    Task<IReadOnlyList<ChatSummary>> ListChatsAsync();
}
